/**
 * The function registry: every built-in scalar, table and aggregate function by upper-case name.
 *
 * Usage (analyzer): `getFunction(name)` → a FunctionDef, then `def.resolve(argTypes, ctx)` once
 * per call site; see ./types.ts for the contract and ./signature.ts for how overloads resolve.
 */
import type { FunctionDef } from './types.ts';
import { stringFunctions } from './string.ts';
import { stringExtraFunctions } from './string-extra.ts';
import { mathFunctions } from './math.ts';
import { arrayFunctions } from './array.ts';
import { mapFunctions } from './map.ts';
import { lambdaFunctions } from './lambda.ts';
import { bytesFunctions } from './bytes.ts';
import { regexFunctions } from './regex.ts';
import { jsonFunctions } from './json.ts';
import { urlFunctions } from './url.ts';
import { datetimeFunctions } from './datetime.ts';
import { tableFunctions } from './table.ts';
import { aggregateFunctions } from './aggregate.ts';
import { collectFunctions } from './aggregate-collect.ts';
import { windowFunctions } from './window.ts';

const registry = new Map<string, FunctionDef>();

function register(defs: readonly FunctionDef[]): void {
  for (const def of defs) {
    if (registry.has(def.name)) throw new Error(`function ${def.name} registered twice`);
    registry.set(def.name, def);
  }
}

register(stringFunctions);
register(stringExtraFunctions);
register(mathFunctions);
register(windowFunctions);
register(arrayFunctions);
register(mapFunctions);
register(lambdaFunctions);
register(bytesFunctions);
register(regexFunctions);
register(jsonFunctions);
register(urlFunctions);
register(datetimeFunctions);
register(tableFunctions);
register(aggregateFunctions);
register(collectFunctions);

/**
 * Adds functions that are not built in, as ksqlDB loads UDF jars from ksql.extension.dir: the
 * conformance runner adds ksqlDB's test-only functions (TEST_UDF, BAD_UDF, ...; see
 * src/testing/functions.ts) this way, so the production registry and SHOW FUNCTIONS never hold
 * them. A name already registered is refused.
 */
export function registerFunctions(defs: readonly FunctionDef[]): void {
  register(defs);
}

/** The function of that name (case-insensitive), or undefined. */
export function getFunction(name: string): FunctionDef | undefined {
  return registry.get(name.toUpperCase());
}

/** Every function, sorted by name (SHOW FUNCTIONS). */
export function listFunctions(): FunctionDef[] {
  return [...registry.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
