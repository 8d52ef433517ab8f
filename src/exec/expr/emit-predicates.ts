/**
 * Code generation for comparisons, BETWEEN, IN and LIKE (semantics: see emit.ts). Values are
 * compared by type: JS operators for numbers (number and bigint compare correctly with each
 * other), strings (UTF-16 code units, as Java) and temporal types; DECIMAL by compareTo; BYTES
 * as Java's ByteBuffer; ARRAY/MAP/STRUCT by deep equality.
 */
import type { SqlType } from '../../types/sql-type.ts';
import { decodeLiteral, type TypedExpr } from '../../types/typed-expr.ts';
import { type FnScope, type Val, allNonNull } from './gen.ts';
import type { EmitCtx } from './emit-context.ts';
import { compareBytes, deepEquals } from './runtime.ts';
import { compileLike, dynamicLike } from './like.ts';

type Kind = 'primitive' | 'decimal' | 'bytes' | 'deep';

function kindOf(t: SqlType): Kind {
  switch (t.kind) {
    case 'DECIMAL':
      return 'decimal';
    case 'BYTES':
      return 'bytes';
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return 'deep';
    default:
      return 'primitive';
  }
}

function equalsCode(x: EmitCtx, kind: Kind, a: string, b: string): string {
  switch (kind) {
    case 'primitive':
      return `${a} === ${b}`;
    case 'decimal':
      return `${a}.compareTo(${b}) === 0`;
    case 'bytes':
      return `${x.g.k(compareBytes)}(${a}, ${b}) === 0`;
    case 'deep':
      return `${x.g.k(deepEquals)}(${a}, ${b})`;
  }
}

function orderCode(x: EmitCtx, kind: Kind, a: string, op: string, b: string): string {
  switch (kind) {
    case 'primitive':
      return `${a} ${op} ${b}`;
    case 'decimal':
      return `${a}.compareTo(${b}) ${op} 0`;
    case 'bytes':
      return `${x.g.k(compareBytes)}(${a}, ${b}) ${op} 0`;
    case 'deep':
      throw new Error('containers have no order');
  }
}

export function emitCompare(x: EmitCtx, s: FnScope, e: TypedExpr & { kind: 'Compare' }): Val {
  const l = x.emit(s, e.left);
  const r = x.emit(s, e.right);
  const kind = kindOf(e.left.type);
  const eq = equalsCode(x, kind, l.code, r.code);
  let code: string;
  switch (e.op) {
    case '=':
      code = `${allNonNull(l, r)}${eq}`;
      break;
    case '<>':
      code = `${allNonNull(l, r)}!(${eq})`;
      break;
    case 'DISTINCT':
      code = l.nn && r.nn ? `!(${eq})` : `(${l.code} == null || ${r.code} == null) ? (${l.code} == null) !== (${r.code} == null) : !(${eq})`;
      break;
    case 'NOT_DISTINCT':
      code = l.nn && r.nn ? eq : `(${l.code} == null || ${r.code} == null) ? (${l.code} == null) === (${r.code} == null) : ${eq}`;
      break;
    default:
      code = `${allNonNull(l, r)}${orderCode(x, kind, l.code, e.op, r.code)}`;
  }
  return x.g.assign(s, code, true);
}

export function emitBetween(x: EmitCtx, s: FnScope, e: TypedExpr & { kind: 'Between' }): Val {
  const v = x.emit(s, e.operand);
  const lo = x.emit(s, e.low);
  const hi = x.emit(s, e.high);
  const kind = kindOf(e.operand.type);
  const cond = `${allNonNull(v, lo, hi)}(${orderCode(x, kind, v.code, '>=', lo.code)} && ${orderCode(x, kind, v.code, '<=', hi.code)})`;
  return x.g.assign(s, e.negated ? `!(${cond})` : cond, true);
}

const SET_THRESHOLD = 5;

export function emitIn(x: EmitCtx, s: FnScope, e: TypedExpr & { kind: 'In' }): Val {
  const v = x.emit(s, e.operand);
  const kind = kindOf(e.operand.type);
  const constant = e.list.every((i) => i.kind === 'Literal' && i.value !== null);
  let test: string;
  if (kind === 'primitive' && constant && e.list.length >= SET_THRESHOLD) {
    const set = new Set(e.list.map((i) => (i.kind === 'Literal' ? decodeLiteral(i.value, i.type) : null)));
    test = `${x.g.k(set)}.has(${v.code})`;
  } else {
    const parts: string[] = [];
    for (const item of e.list) {
      const it = x.emit(s, item);
      if (it.code === 'null') continue;
      parts.push(kind === 'primitive' || kind === 'deep' ? equalsCode(x, kind, v.code, it.code) : `${allNonNull(it)}${equalsCode(x, kind, v.code, it.code)}`);
    }
    test = parts.length ? parts.map((p) => `(${p})`).join(' || ') : 'false';
  }
  const cond = `${allNonNull(v)}(${test})`;
  return x.g.assign(s, e.negated ? `!(${cond})` : cond, true);
}

export function emitLike(x: EmitCtx, s: FnScope, e: TypedExpr & { kind: 'Like' }): Val {
  const v = x.emit(s, e.operand);
  let test: string;
  if (e.pattern.kind === 'Literal') {
    if (e.pattern.value === null) return { code: e.negated ? 'true' : 'false', nn: true };
    const like = compileLike(String(e.pattern.value), e.escape);
    switch (like.kind) {
      case 'equals':
        test = `${v.code} === ${JSON.stringify(like.text)}`;
        break;
      case 'prefix':
        test = `${v.code}.startsWith(${JSON.stringify(like.text)})`;
        break;
      case 'suffix':
        test = `${v.code}.endsWith(${JSON.stringify(like.text)})`;
        break;
      case 'contains':
        test = `${v.code}.includes(${JSON.stringify(like.text)})`;
        break;
      case 'regex':
        test = `${x.g.k(like.re)}.test(${v.code})`;
        break;
    }
  } else {
    const p = x.emit(s, e.pattern);
    test = `${allNonNull(p)}${x.g.k(dynamicLike(e.escape))}(${v.code}, ${p.code})`;
  }
  const cond = `${allNonNull(v)}(${test})`;
  return x.g.assign(s, e.negated ? `!(${cond})` : cond, true);
}
