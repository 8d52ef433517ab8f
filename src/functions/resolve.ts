/**
 * Overload resolution (see signature.ts for the rules) and argument adaptation: implicit
 * numeric widening of values and packing of variadic arguments.
 */
import type { ArgType, ResolveContext, LambdaArgType } from './types.ts';
import type { SqlType } from '../types/sql-type.ts';
import { formatType, typesEqual, numericRank } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';
import type { CallInfo, Overload, TypePattern } from './signature.ts';
import { hasGenerics } from './signature.ts';
import { parseDate, parseTime, parseTimestamp } from '../types/java/time-text.ts';

type Conv = ((v: any) => unknown) | null;

interface Match<I> {
  readonly overload: Overload<I>;
  readonly types: (SqlType | null)[];
  readonly convs: Conv[];
  readonly bindings: Map<string, SqlType>;
  readonly cost: number;
}

export interface Resolved<I> {
  readonly impl: I;
  readonly returnType: SqlType;
  readonly deterministic: boolean;
  readonly overload: Overload<I>;
  /** Converts raw argument values (all of them, in call order) to what the impl expects; null when none needed. */
  readonly adapt: ((args: any[]) => any[]) | null;
  readonly call: CallInfo;
}

const toDecimalConv: Conv = (v) => (v === null ? null : new Decimal(BigInt(v), 0));
const bigintToDouble: Conv = (v) => (typeof v === 'bigint' ? Number(v) : v);
const decimalToDouble: Conv = (v) => (v === null ? null : (v as Decimal).toNumber());

/** The value conversion for an implicit widening, or null when the JS value is already right. */
function widen(from: SqlType, to: SqlType): Conv {
  if (to.kind === 'DECIMAL') return from.kind === 'DECIMAL' ? null : toDecimalConv;
  if (to.kind === 'DOUBLE') {
    if (from.kind === 'BIGINT') return bigintToDouble;
    if (from.kind === 'DECIMAL') return decimalToDouble;
  }
  return null;
}

const DEC_INT: SqlType = { kind: 'DECIMAL', precision: 10, scale: 0 };
const DEC_BIGINT: SqlType = { kind: 'DECIMAL', precision: 19, scale: 0 };

export function instantiate(t: TypePattern, b: ReadonlyMap<string, SqlType>): SqlType | undefined {
  switch (t.p) {
    case 'type':
      return t.type;
    case 'generic':
      return b.get(t.name);
    case 'array': {
      const e = instantiate(t.element, b);
      return e && { kind: 'ARRAY', element: e };
    }
    case 'map': {
      const k = instantiate(t.key, b);
      const v = instantiate(t.value, b);
      return k && v && { kind: 'MAP', key: k, value: v };
    }
    default:
      return undefined;
  }
}

function unifyDecimal(a: SqlType, b: SqlType): SqlType | null {
  if (a.kind !== 'DECIMAL' || b.kind !== 'DECIMAL') return null;
  const scale = Math.max(a.scale, b.scale);
  const precision = Math.min(38, Math.max(a.precision - a.scale, b.precision - b.scale) + scale);
  return { kind: 'DECIMAL', precision, scale };
}

/** Structural match of a concrete type against a pattern, binding generics. No casts inside. */
function matchExact(p: TypePattern, t: SqlType, b: Map<string, SqlType>): boolean {
  switch (p.p) {
    case 'type':
      return typesEqual(p.type, t);
    case 'decimal':
      return t.kind === 'DECIMAL';
    case 'struct':
      return t.kind === 'STRUCT';
    case 'any':
      return true;
    case 'unit':
    case 'lambda':
      return false;
    case 'generic': {
      const bound = b.get(p.name);
      if (!bound) {
        b.set(p.name, t);
        return true;
      }
      if (typesEqual(bound, t)) return true;
      const u = unifyDecimal(bound, t);
      if (u) b.set(p.name, u);
      return u !== null;
    }
    case 'array':
      return t.kind === 'ARRAY' && matchExact(p.element, t.element, b);
    case 'map':
      return t.kind === 'MAP' && matchExact(p.key, t.key, b) && matchExact(p.value, t.value, b);
  }
}

/** The narrowest numeric type both widen to (INT < BIGINT < DECIMAL < DOUBLE). */
function commonNumeric(a: SqlType, b: SqlType): SqlType | null {
  const ra = numericRank(a);
  const rb = numericRank(b);
  if (ra === 0 || rb === 0) return null;
  const top = Math.max(ra, rb);
  if (top === 4) return { kind: 'DOUBLE' };
  if (top === 3) {
    const asDec = (t: SqlType): SqlType => (t.kind === 'INTEGER' ? DEC_INT : t.kind === 'BIGINT' ? DEC_BIGINT : t);
    return unifyDecimal(asDec(a), asDec(b));
  }
  return top === 2 ? { kind: 'BIGINT' } : { kind: 'INTEGER' };
}

/**
 * Cast pass, step 1: binds generics to a type every argument of that generic widens to
 * (IFNULL(bigint_col, 0) binds T to BIGINT). Containers are walked but never widened.
 */
function bindWidening(p: TypePattern, t: SqlType, b: Map<string, SqlType>): boolean {
  switch (p.p) {
    case 'generic': {
      const bound = b.get(p.name);
      if (!bound || typesEqual(bound, t)) {
        if (!bound) b.set(p.name, t);
        return true;
      }
      const common = commonNumeric(bound, t);
      if (!common) return false;
      b.set(p.name, common);
      return true;
    }
    case 'array':
      return t.kind !== 'ARRAY' || bindWidening(p.element, t.element, b);
    case 'map':
      return t.kind !== 'MAP' || (bindWidening(p.key, t.key, b) && bindWidening(p.value, t.value, b));
    default:
      return true;
  }
}

/** Replaces bound generics by their types (a fully bound container becomes concrete). */
function substitute(p: TypePattern, b: ReadonlyMap<string, SqlType>): TypePattern {
  switch (p.p) {
    case 'generic': {
      const t = b.get(p.name);
      return t ? { p: 'type', type: t } : p;
    }
    case 'array': {
      const e = substitute(p.element, b);
      return e.p === 'type' ? { p: 'type', type: { kind: 'ARRAY', element: e.type } } : { p: 'array', element: e };
    }
    case 'map': {
      const k = substitute(p.key, b);
      const v = substitute(p.value, b);
      return k.p === 'type' && v.p === 'type' ? { p: 'type', type: { kind: 'MAP', key: k.type, value: v.type } } : { p: 'map', key: k, value: v };
    }
    default:
      return p;
  }
}

interface ArgMatch {
  type: SqlType;
  conv: Conv;
  cost: number;
}

/**
 * ksqlDB casts a string literal to a TIMESTAMP/DATE/TIME parameter ('2022-06-14', '09:16:00')
 * with the same parsers as CAST (SqlTimeTypes).
 */
function temporalLiteral(p: TypePattern, literal: unknown): ArgMatch | null {
  if (p.p !== 'type' || typeof literal !== 'string') return null;
  let v: number | null;
  switch (p.type.kind) {
    case 'TIMESTAMP':
      v = parseTimestamp(literal);
      break;
    case 'DATE':
      v = parseDate(literal);
      break;
    case 'TIME':
      v = parseTime(literal);
      break;
    default:
      return null;
  }
  if (v === null) return null;
  const value = v;
  return { type: p.type, conv: () => value, cost: 1 };
}

function matchArg(
  p: TypePattern,
  t: SqlType,
  b: Map<string, SqlType>,
  allowCasts: boolean,
  literal: unknown,
): ArgMatch | null {
  if (matchExact(p, t, b)) return { type: t, conv: null, cost: 0 };
  if (!allowCasts) return null;
  if (t.kind === 'STRING') return temporalLiteral(p, literal);
  const from = numericRank(t);
  if (from === 0) return null;
  if (p.p === 'decimal' && (t.kind === 'INTEGER' || t.kind === 'BIGINT')) {
    return { type: t.kind === 'INTEGER' ? DEC_INT : DEC_BIGINT, conv: toDecimalConv, cost: 3 - from };
  }
  if (p.p === 'type') {
    // A DECIMAL of another precision/scale needs no conversion (values carry their scale).
    if (p.type.kind === 'DECIMAL' && t.kind === 'DECIMAL') return { type: p.type, conv: null, cost: 1 };
    const to = numericRank(p.type);
    if (to > from) return { type: p.type, conv: widen(t, p.type), cost: to - from };
  }
  return null;
}

function tryMatch<I>(
  ov: Overload<I>,
  args: readonly ArgType[],
  allowCasts: boolean,
  ctx: ResolveContext,
): Match<I> | null {
  const n = ov.params.length;
  if (ov.variadic ? args.length < n - 1 : args.length !== n) return null;
  const bindings = new Map<string, SqlType>();
  const types: (SqlType | null)[] = new Array(args.length).fill(null);
  const convs: Conv[] = new Array(args.length).fill(null);
  let cost = 0;
  const lambdas: number[] = [];
  if (allowCasts) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === null || a.kind === 'LAMBDA' || a.kind === 'TIME_UNIT') continue;
      if (!bindWidening(ov.params[paramIndex(ov, i, args.length)].type, a as SqlType, bindings)) return null;
    }
  }
  for (let i = 0; i < args.length; i++) {
    const declared = ov.params[paramIndex(ov, i, args.length)].type;
    const p = allowCasts ? substitute(declared, bindings) : declared;
    const a = args[i];
    if (a === null) continue;
    if (a.kind === 'LAMBDA') {
      if (p.p !== 'lambda' || p.params.length !== (a as LambdaArgType).arity) return null;
      lambdas.push(i);
      continue;
    }
    if (a.kind === 'TIME_UNIT') {
      if (p.p !== 'unit') return null;
      continue;
    }
    const m = matchArg(p, a as SqlType, bindings, allowCasts, allowCasts ? ctx.literalArg(i) : undefined);
    if (!m) return null;
    types[i] = m.type;
    convs[i] = m.conv;
    cost += m.cost;
  }
  for (const i of lambdas) {
    const p = ov.params[paramIndex(ov, i, args.length)].type as Extract<TypePattern, { p: 'lambda' }>;
    const paramTypes: SqlType[] = [];
    for (const pp of p.params) {
      const t = instantiate(pp, bindings);
      if (!t) return null;
      paramTypes.push(t);
    }
    const body = (args[i] as LambdaArgType).bodyType(paramTypes);
    if (!matchExact(p.result, body, bindings)) return null;
  }
  return { overload: ov, types, convs, bindings, cost };
}

/**
 * The parameter that argument i of argc binds to: parameters before the variadic one take the first
 * arguments, those after it the last ones, and the variadic parameter everything between.
 */
function paramIndex(ov: Overload<unknown>, i: number, argc: number): number {
  const v = ov.variadicAt;
  if (v < 0 || i < v) return i;
  const after = ov.params.length - 1 - v;
  return i >= argc - after ? ov.params.length - (argc - i) : v;
}

function genericCount(ov: Overload<unknown>): number {
  let c = 0;
  for (const p of ov.params) if (hasGenerics(p.type)) c++;
  return c;
}

/** Positive when a is the better candidate. */
function compare(a: Match<unknown>, b: Match<unknown>): number {
  const va = a.overload.variadic ? 0 : 1;
  const vb = b.overload.variadic ? 0 : 1;
  if (va !== vb) return va - vb;
  if (a.overload.params.length !== b.overload.params.length) return a.overload.params.length - b.overload.params.length;
  const ga = genericCount(a.overload);
  const gb = genericCount(b.overload);
  if (ga !== gb) return gb - ga;
  return b.cost - a.cost;
}

export function formatArg(a: ArgType): string {
  if (a === null) return 'null';
  if (a.kind === 'LAMBDA') return 'LAMBDA';
  if (a.kind === 'TIME_UNIT') return a.unit;
  return formatType(a as SqlType);
}

export function noMatchMessage(name: string, args: readonly ArgType[], overloads: readonly Overload<unknown>[]): string {
  return (
    `Function '${name}' does not accept parameters (${args.map(formatArg).join(', ')}).\n` +
    `Valid alternatives are:\n${overloads.map((o) => o.signature).join('\n')}`
  );
}

/** Builds the argument adapter for a match (widening conversions + variadic packing). */
function makeAdapter(ov: Overload<unknown>, convs: Conv[]): ((args: any[]) => any[]) | null {
  const anyConv = convs.some((c) => c !== null);
  if (!ov.variadic && !anyConv) return null;
  const v = ov.variadicAt;
  const after = ov.params.length - 1 - v;
  return (args) => {
    const out = anyConv ? args.map((x, i) => (convs[i] !== null && x !== null ? convs[i]!(x) : x)) : args;
    if (v < 0) return out;
    // The variadic arguments, packed into one array in the variadic parameter's place.
    const packed = out.slice(0, v);
    packed.push(out.slice(v, out.length - after));
    for (let i = out.length - after; i < out.length; i++) packed.push(out[i]);
    return packed;
  };
}

export function resolveOverloads<I>(
  name: string,
  overloads: readonly Overload<I>[],
  args: readonly ArgType[],
  ctx: ResolveContext,
): Resolved<I> | string {
  let best: Match<I> | null = null;
  for (const allowCasts of [false, true]) {
    for (const ov of overloads) {
      const m = tryMatch(ov, args, allowCasts, ctx);
      if (m && (best === null || compare(m, best) > 0)) best = m;
    }
    if (best) break;
  }
  if (!best) return noMatchMessage(name, args, overloads);
  const ov = best.overload;
  const call: CallInfo = { types: best.types, bindings: best.bindings, ctx };
  let returnType: SqlType | string | undefined;
  if (ov.returnPattern) {
    returnType = instantiate(ov.returnPattern, best.bindings);
    if (!returnType) {
      return `Function '${name}' cannot infer its return type from parameters (${args.map(formatArg).join(', ')})`;
    }
  } else {
    returnType = (ov.returns as (c: CallInfo) => SqlType | string)(call);
  }
  if (typeof returnType === 'string') return returnType;
  const impl = ov.make(call, returnType);
  if (typeof impl === 'string') return impl;
  return { impl, returnType, deterministic: ov.deterministic, overload: ov, adapt: makeAdapter(ov, best.convs), call };
}
