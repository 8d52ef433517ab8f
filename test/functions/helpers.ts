/** Test helpers: resolve a function by name with argument types written as text, then call it. */
import assert from 'node:assert/strict';
import type { ArgType, ResolvedAggregate, ResolvedScalar, ResolvedTableFunction } from '../../src/functions/types.ts';
import type { SqlType } from '../../src/types/sql-type.ts';
import { getFunction } from '../../src/functions/registry.ts';
import { parsePattern } from '../../src/functions/signature.ts';
import { Decimal } from '../../src/types/decimal.ts';

/** A concrete SQL type from text: 'INT', 'ARRAY<STRING>', 'DECIMAL(4, 2)', 'STRUCT<A STRING>'. */
export function T(text: string): SqlType {
  const p = parsePattern(text);
  if (p.p !== 'type') throw new Error(`not a concrete type: ${text}`);
  return p.type;
}

export type ArgSpec = string | null | ArgType;

function argTypes(specs: readonly ArgSpec[]): ArgType[] {
  return specs.map((s) => (typeof s === 'string' ? T(s) : s));
}

const ctxOf = (literals: readonly unknown[] = []) => ({ literalArg: (i: number) => literals[i] });

export function resolve(name: string, specs: readonly ArgSpec[], literals?: readonly unknown[]): ResolvedScalar | string {
  const def = getFunction(name);
  assert.ok(def && def.kind === 'scalar', `${name} is a scalar function`);
  return def.resolve(argTypes(specs), ctxOf(literals));
}

export function scalarOf(name: string, specs: readonly ArgSpec[], literals?: readonly unknown[]): ResolvedScalar {
  const r = resolve(name, specs, literals);
  if (typeof r === 'string') assert.fail(r);
  return r;
}

/** Resolves and calls once. */
export function call(name: string, specs: readonly ArgSpec[], ...values: unknown[]): unknown {
  return scalarOf(name, specs).impl(...values);
}

export function tableOf(name: string, specs: readonly ArgSpec[]): ResolvedTableFunction {
  const def = getFunction(name);
  assert.ok(def && def.kind === 'table', `${name} is a table function`);
  const r = def.resolve(argTypes(specs), ctxOf());
  if (typeof r === 'string') assert.fail(r);
  return r;
}

export function aggOf(name: string, specs: readonly ArgSpec[], literals?: readonly unknown[]): ResolvedAggregate {
  const def = getFunction(name);
  assert.ok(def && def.kind === 'aggregate', `${name} is an aggregate`);
  const r = def.resolve(argTypes(specs), ctxOf(literals));
  if (typeof r === 'string') assert.fail(r);
  return r;
}

/** Adds each row (an array of argument values) and returns the result after each. */
export function aggregateRows(agg: ResolvedAggregate, rows: readonly unknown[][]): unknown[] {
  let s = agg.init();
  const out: unknown[] = [];
  for (const row of rows) {
    s = agg.add(s, ...row);
    // Every state must survive a JSON round trip (state stores keep it as JSON).
    s = agg.fromJSON(JSON.parse(JSON.stringify(agg.toJSON(s))));
    out.push(agg.result(s));
  }
  return out;
}

export const dec = (text: string): Decimal => Decimal.parse(text)!;

/** Decimal values compared as text (scale matters). */
export function decText(v: unknown): unknown {
  if (v instanceof Decimal) return v.toString();
  if (Array.isArray(v)) return v.map(decText);
  return v;
}

export const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));
export const b64 = (v: unknown): string => Buffer.from(v as Uint8Array).toString('base64');
