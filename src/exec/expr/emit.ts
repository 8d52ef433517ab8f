/**
 * Code generation per TypedExpr node (see gen.ts for the conventions). Semantics:
 * - arithmetic, negation, casts, dereference and subscripts of NULL are NULL (but arithmetic on
 *   NULL inside a lambda body fails, as in ksqlDB, see nullOperand);
 * - INTEGER arithmetic wraps at 32 bits and BIGINT at 64 bits (Java int/long); integer and
 *   decimal division by zero and decimal overflow throw an ExpressionError, which the
 *   enclosing compiled expression turns into NULL plus a processing-log message;
 * - comparisons, BETWEEN, IN and LIKE are false when an operand is NULL; their NOT forms are
 *   the negation; IS [NOT] DISTINCT FROM treats NULLs as equal;
 * - AND/OR/NOT are three-valued and AND/OR/CASE evaluate lazily;
 * - a function call that throws is NULL plus a processing-log message (ksqlDB logs UDF errors
 *   and continues), as is a CAST of a value that does not convert (see cast.ts).
 */
import type { SqlType } from '../../types/sql-type.ts';
import { decodeLiteral, formatTypedExpr, type TypedExpr } from '../../types/typed-expr.ts';
import { toArgTypes } from './arg-types.ts';
import { SqlError } from '../../sql/errors.ts';
import { formatType, typesEqual } from '../../types/sql-type.ts';
import { type FnScope, type Val, anyNull, declareTemps } from './gen.ts';
import { makeCaster } from './cast.ts';
import * as rt from './runtime.ts';
import { emitCompare, emitBetween, emitIn, emitLike } from './emit-predicates.ts';
import type { EmitCtx } from './emit-context.ts';


const PSEUDO_CODE = {
  ROWTIME: { code: 'row.ts', nn: true },
  ROWPARTITION: { code: 'row.partition', nn: true },
  ROWOFFSET: { code: 'row.offset', nn: true },
  WINDOWSTART: { code: 'row.windowStart', nn: false },
  WINDOWEND: { code: 'row.windowEnd', nn: false },
} as const;

function numberCode(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${v})` : String(v);
}

export function emitLiteral(x: EmitCtx, e: TypedExpr & { kind: 'Literal' }): Val {
  const v = decodeLiteral(e.value, e.type);
  if (v === null) return { code: 'null', nn: false };
  switch (typeof v) {
    case 'boolean':
      return { code: String(v), nn: true };
    case 'number':
      return { code: numberCode(v), nn: true };
    case 'bigint':
      return { code: v < 0n ? `(${v}n)` : `${v}n`, nn: true };
    case 'string':
      return { code: JSON.stringify(v), nn: true };
    default:
      return { code: x.g.k(v), nn: true };
  }
}

export function emit(x: EmitCtx, s: FnScope, e: TypedExpr): Val {
  const g = x.g;
  switch (e.kind) {
    case 'Column':
      return { code: `c[${e.index}]`, nn: false };
    case 'Pseudo':
      // A join source's own time (null when that side is missing from an outer join's row). Window
      // bounds are the joined row's: windowed sources join window by window.
      if (e.side !== undefined && e.column !== 'WINDOWSTART' && e.column !== 'WINDOWEND') {
        const [perSide, own] = e.column === 'ROWPARTITION' ? ['sidePartitions', 'partition'] : e.column === 'ROWOFFSET' ? ['sideOffsets', 'offset'] : ['sideTimes', 'ts'];
        return { code: `(row.${perSide} ? row.${perSide}[${e.side}] ?? null : row.${own})`, nn: false };
      }
      return PSEUDO_CODE[e.column];
    case 'Literal':
      return emitLiteral(x, e);
    case 'Cast': {
      const v = emit(x, s, e.operand);
      const caster = makeCaster(e.operand.type, e.type, x.sink);
      if (caster === null) return v;
      const call = `${g.k(caster)}(${v.code})`;
      return g.assign(s, v.nn ? call : `${v.code} == null ? null : ${call}`, false);
    }
    case 'Arithmetic': {
      const l = emit(x, s, e.left);
      const r = emit(x, s, e.right);
      const op = arithmeticCode(x, e, l.code, r.code);
      const check = anyNull(l, r);
      return g.assign(s, check ? `(${check}) ? ${nullOperand(x)} : ${op}` : op, !check);
    }
    case 'Negate': {
      const v = emit(x, s, e.operand);
      const op = negateCode(x, e.type, v.code);
      return g.assign(s, v.nn ? op : `${v.code} == null ? ${nullOperand(x)} : ${op}`, v.nn);
    }
    case 'Compare':
      return emitCompare(x, s, e);
    case 'And':
    case 'Or':
      return emitLogical(x, s, e);
    case 'Not': {
      const v = emit(x, s, e.operand);
      return g.assign(s, v.nn ? `!${v.code}` : `${v.code} == null ? null : !${v.code}`, v.nn);
    }
    case 'IsNull': {
      const v = emit(x, s, e.operand);
      if (v.nn) return { code: e.negated ? 'true' : 'false', nn: true };
      return g.assign(s, `${v.code} ${e.negated ? '!=' : '=='} null`, true);
    }
    case 'Between':
      return emitBetween(x, s, e);
    case 'In':
      return emitIn(x, s, e);
    case 'Like':
      return emitLike(x, s, e);
    case 'Case':
      return emitCase(x, s, e);
    case 'Call':
      return emitCall(x, s, e);
    case 'Lambda':
      throw new Error('a lambda is only compiled as a function argument');
    case 'LambdaParam':
      return { code: g.lambdaParam(e.name), nn: false };
    case 'Dereference': {
      const b = emit(x, s, e.base);
      const key = JSON.stringify(e.field);
      const get = e.field in Object.prototype ? `(Object.hasOwn(${b.code}, ${key}) ? ${b.code}[${key}] ?? null : null)` : `(${b.code}[${key}] ?? null)`;
      return g.assign(s, b.nn ? get : `${b.code} == null ? null : ${get}`, false);
    }
    case 'Subscript': {
      const b = emit(x, s, e.base);
      const i = emit(x, s, e.index);
      const fn = e.base.type.kind === 'ARRAY' ? g.k(rt.arrayAt) : g.k(rt.mapGet);
      const check = anyNull(b, i);
      const get = `${fn}(${b.code}, ${i.code})`;
      return g.assign(s, check ? `(${check}) ? null : ${get}` : get, false);
    }
    case 'CreateArray': {
      const els = e.elements.map((el) => emit(x, s, el).code);
      return g.assign(s, `[${els.join(', ')}]`, true);
    }
    case 'CreateMap': {
      const entries = e.entries.map((en) => [emit(x, s, en.key).code, emit(x, s, en.value).code]);
      const m = g.assign(s, '{}', true);
      const put = g.k(rt.mapPut);
      for (const [k, v] of entries) s.lines.push(`${put}(${m.code}, ${k}, ${v});`);
      return m;
    }
    case 'CreateStruct': {
      const fields = e.fields.map((f) => {
        const key = JSON.stringify(f.name);
        return `${f.name === '__proto__' ? `[${key}]` : key}: ${emit(x, s, f.value).code}`;
      });
      return g.assign(s, `{${fields.join(', ')}}`, true);
    }
    case 'TimeUnit':
      return { code: JSON.stringify(e.unit), nn: true };
  }
}

const nullInLambda = (): never => {
  throw new rt.ExpressionError('NULL operand of arithmetic in a lambda');
};

/**
 * The value of arithmetic with a NULL operand: NULL, except inside a lambda body, where ksqlDB
 * (Java code with unboxed numbers) fails, which fails the function call using the lambda:
 * TRANSFORM(ARRAY[5, NULL], x => x + 5) is NULL in ksqlDB, not [10, NULL].
 */
const nullOperand = (x: EmitCtx): string => (x.g.lambdaScopes.length > 0 ? `${x.g.k(nullInLambda)}()` : 'null');

function arithmeticCode(x: EmitCtx, e: TypedExpr & { kind: 'Arithmetic' }, a: string, b: string): string {
  const g = x.g;
  const t = e.type;
  switch (t.kind) {
    case 'INTEGER':
      switch (e.op) {
        case '+':
          return `((${a} + ${b}) | 0)`;
        case '-':
          return `((${a} - ${b}) | 0)`;
        case '*':
          return `Math.imul(${a}, ${b})`;
        case '/':
          return `${g.k(rt.divI)}(${a}, ${b})`;
        case '%':
          return `${g.k(rt.modI)}(${a}, ${b})`;
      }
      break;
    case 'BIGINT': {
      const fn = { '+': rt.addL, '-': rt.subL, '*': rt.mulL, '/': rt.divL, '%': rt.modL }[e.op];
      return `${g.k(fn)}(${a}, ${b})`;
    }
    case 'DOUBLE':
    case 'STRING':
      return `(${a} ${e.op} ${b})`;
    case 'DECIMAL':
      return `${g.k(rt.decimalOp(e.op, t.precision, t.scale))}(${a}, ${b})`;
    default:
      break;
  }
  throw new Error(`no arithmetic for ${formatType(t)}`);
}

function negateCode(x: EmitCtx, t: SqlType, v: string): string {
  switch (t.kind) {
    case 'INTEGER':
      return `((0 - ${v}) | 0)`;
    case 'BIGINT':
      return `${x.g.k(rt.negL)}(${v})`;
    case 'DOUBLE':
      return `(-${v})`;
    case 'DECIMAL':
      return `${v}.negate()`;
    default:
      throw new Error(`no negation for ${formatType(t)}`);
  }
}

/** Three-valued AND/OR; the right side is evaluated only when the left does not decide. */
function emitLogical(x: EmitCtx, s: FnScope, e: TypedExpr & { kind: 'And' | 'Or' }): Val {
  const g = x.g;
  const l = emit(x, s, e.left);
  const t = g.temp(s);
  const decides = e.kind === 'And' ? 'false' : 'true';
  const other = e.kind === 'And' ? 'true' : 'false';
  let rnn = false;
  const right = g.block(s, () => {
    const r = emit(x, s, e.right);
    rnn = r.nn;
    if (l.nn) s.lines.push(`${t} = ${r.code};`);
    else s.lines.push(`${t} = ${r.code} === ${decides} ? ${decides} : (${l.code} == null || ${r.code} == null) ? null : ${other};`);
  });
  s.lines.push(`if (${l.code} === ${decides}) ${t} = ${decides};`, `else {`, right, `}`);
  return { code: t, nn: l.nn && rnn };
}

/**
 * CASE as one labelled block of flat `if`s, however many branches: each WHEN is evaluated only
 * when the ones before it were not TRUE (its statements follow the previous test), and a TRUE one
 * leaves the block. Flat on purpose: neither this emitter nor the generated code nests per branch.
 */
function emitCase(x: EmitCtx, s: FnScope, e: TypedExpr & { kind: 'Case' }): Val {
  const g = x.g;
  const t = g.temp(s);
  const label = g.label();
  const body = g.block(s, () => {
    for (const arm of e.whens) {
      const w = emit(x, s, arm.when);
      const then = g.block(s, () => s.lines.push(`${t} = ${emit(x, s, arm.then).code};`));
      s.lines.push(`if (${w.code} === true) {`, then, `break ${label};`, `}`);
    }
    s.lines.push(`${t} = ${e.else ? emit(x, s, e.else).code : 'null'};`);
  });
  s.lines.push(`${label}: {`, body, `}`);
  return { code: t, nn: false };
}

function emitLambda(x: EmitCtx, e: TypedExpr & { kind: 'Lambda' }): string {
  const g = x.g;
  const inner: FnScope = { lines: [], temps: [] };
  const names = new Map<string, string>();
  for (const p of e.params) names.set(p.name, g.param());
  g.lambdaScopes.push(names);
  let body: Val;
  try {
    body = emit(x, inner, e.body);
  } finally {
    g.lambdaScopes.pop();
  }
  return `((${[...names.values()].join(', ')}) => {\n${declareTemps(inner)}\n${inner.lines.join('\n')}\nreturn ${body.code};\n})`;
}

/** A scalar function call: resolved again from its recorded argument types; errors make it NULL. */
function emitCall(x: EmitCtx, s: FnScope, e: TypedExpr & { kind: 'Call' }): Val {
  const g = x.g;
  const def = x.functions(e.name);
  if (!def) throw new SqlError('UNKNOWN_FUNCTION', `Can't find any functions with the name '${e.name}'`);
  if (def.kind !== 'scalar') throw new SqlError('TYPE', `${e.name} is not a scalar function`);
  const resolved = def.resolve(toArgTypes(e.argTypes, e.name), {
    literalArg: (i) => {
      const a = e.args[i];
      return a && a.kind === 'Literal' && e.argTypes[i] !== null ? decodeLiteral(a.value, a.type) : undefined;
    },
  });
  if (typeof resolved === 'string') throw new SqlError('TYPE', `${formatTypedExpr(e)}: ${resolved}`);
  if (!typesEqual(resolved.returnType, e.type)) {
    throw new SqlError('TYPE', `${e.name} now returns ${formatType(resolved.returnType)}, but the query was planned with ${formatType(e.type)}`);
  }
  const args = e.args.map((a) => (a.kind === 'Lambda' ? emitLambda(x, a) : emit(x, s, a).code));
  const sink = x.sink;
  const name = e.name;
  const onError = (err: unknown): void => sink(`Error in function ${name}: ${err instanceof Error ? err.message : String(err)}`, err);
  const t = g.temp(s);
  s.lines.push(
    `try { ${t} = ${g.k(resolved.impl)}(${args.join(', ')}); if (${t} === undefined) ${t} = null; }`,
    `catch (err) { ${t} = null; ${g.k(onError)}(err); }`,
  );
  return { code: t, nn: false };
}

