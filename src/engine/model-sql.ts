/**
 * CREATE/ALTER MODEL properties as the model layer takes them, and the statement the command log
 * keeps for a CREATE MODEL whose INPUT/OUTPUT were discovered.
 *
 * Discovery needs the server (or the ONNX file); replaying the command log must not. So when
 * columns were discovered, the recorded statement declares them, with the internal option
 * `RIFFLE_DISCOVERED = 'INPUT,OUTPUT'` (whichever were discovered): on replay the catalog takes
 * the declared columns while the model's spec leaves them undeclared, so invokers keep
 * discovering tensor names and datatypes from the server, and are checked against the catalog.
 */
import type { CreateModel, Literal, Properties, Span } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { formatType } from '../types/sql-type.ts';
import type { ModelColumn, PropertyValue } from '../ml/spec.ts';

export const DISCOVERED_OPTION = 'RIFFLE_DISCOVERED';

const normalized = (k: string): string => k.trim().toUpperCase().replace(/[-.\s]/g, '_');

function propertyValue(name: string, lit: Literal): PropertyValue {
  switch (lit.type) {
    case 'STRING':
      return lit.raw;
    case 'BOOLEAN':
      return lit.raw.toUpperCase() === 'TRUE';
    case 'INTEGER':
    case 'BIGINT':
    case 'DECIMAL':
    case 'DOUBLE':
      return Number(lit.raw);
    case 'NULL':
    case 'BYTES':
      throw new SqlError('INVALID', `model option ${name}: ${lit.type === 'NULL' ? 'NULL' : 'a BYTES literal'} is not a valid value`, lit.span);
  }
}

export interface ModelProperties {
  readonly values: Record<string, PropertyValue>;
  /** Which of INPUT/OUTPUT the recorded statement says were discovered. */
  readonly discovered: ReadonlySet<'INPUT' | 'OUTPUT'>;
}

export function readModelProperties(props: Properties, allowDiscovered: boolean): ModelProperties {
  const values: Record<string, PropertyValue> = {};
  const discovered = new Set<'INPUT' | 'OUTPUT'>();
  for (const [name, lit] of props) {
    if (normalized(name) === DISCOVERED_OPTION) {
      if (!allowDiscovered) throw new SqlError('INVALID', `model option ${DISCOVERED_OPTION} is internal to CREATE MODEL`, lit.span);
      for (const part of lit.raw.split(',')) {
        const p = part.trim().toUpperCase();
        if (p === 'INPUT' || p === 'OUTPUT') discovered.add(p);
        else if (p !== '') throw new SqlError('INVALID', `model option ${DISCOVERED_OPTION}: '${part}' is neither INPUT nor OUTPUT`, lit.span);
      }
      continue;
    }
    values[name] = propertyValue(name, lit);
  }
  return { values, discovered };
}

/**
 * Re-throws a model-layer SqlError with a position: the option its message names, if it is in
 * the WITH clause, else the statement.
 */
export function withPosition(e: unknown, props: Properties, span: Span): never {
  if (!(e instanceof SqlError) || e.span !== null) throw e;
  const m = /model option ([A-Za-z0-9_.\-]+)/.exec(e.message) ?? /unknown model option '([^']+)'/.exec(e.message);
  let at = span;
  if (m) {
    for (const [name, lit] of props) if (normalized(name) === normalized(m[1])) at = lit.span;
  }
  throw new SqlError(e.code, e.message, at);
}

const ident = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

function literalText(lit: Literal): string {
  return lit.type === 'STRING' ? `'${lit.raw.replace(/'/g, "''")}'` : lit.raw;
}

const columnsText = (cols: readonly ModelColumn[]): string => cols.map((c) => `${ident(c.name)} ${formatType(c.type)}`).join(', ');

/** The CREATE MODEL statement to record: as written when nothing was discovered, else with the resolved columns declared. */
export function recordedCreateModel(
  s: CreateModel,
  original: string,
  inputs: readonly ModelColumn[],
  outputs: readonly ModelColumn[],
  discovered: ReadonlySet<'INPUT' | 'OUTPUT'>,
): string {
  if (discovered.size === 0) return original;
  const props = [...s.properties]
    .filter(([name]) => normalized(name) !== DISCOVERED_OPTION)
    .map(([name, lit]) => `'${name.replace(/'/g, "''")}' = ${literalText(lit)}`);
  props.push(`'${DISCOVERED_OPTION}' = '${[...discovered].sort().join(',')}'`);
  return `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}MODEL ${ident(s.name)} INPUT (${columnsText(inputs)}) OUTPUT (${columnsText(outputs)}) WITH (${props.join(', ')})`;
}
