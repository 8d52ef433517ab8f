/**
 * Typed, resolved expressions: the output of expression analysis and the input of the
 * expression compiler. A TypedExpr is stored inside versioned query plans, so it is plain,
 * JSON-serialisable data: no closures, no class instances. Literal values use a JSON-safe
 * encoding (see LiteralValue); `decodeLiteral` gives the runtime value.
 *
 * Invariants (established by analyze-expr.ts, relied on by exec/expr/compile.ts):
 * - every node has its SQL `type`;
 * - operands of Arithmetic, Compare, Between, In and Subscript already have the types the
 *   operation works on: implicit conversions are explicit Cast nodes with `implicit: true`
 *   (exceptions: DECIMAL operands of Compare/Between may differ in precision and scale);
 * - Arithmetic on DECIMAL has operands of their own DECIMAL type (INTEGER -> DECIMAL(10,0), ...)
 *   and the node's type is the result's precision and scale (ksqlDB's rules);
 * - Call nodes record the argument types the function was resolved with (`argTypes`), so the
 *   compiler resolves the same overload again.
 */
import type { SqlType } from './sql-type.ts';
import type { LiteralValue } from './literal-value.ts';
import { formatType } from './sql-type.ts';
import type { ArithmeticOp, ComparisonOp, TimeUnit } from './operators.ts';
import { formatDate, formatTime, formatTimestamp } from './java/time-text.ts';
import { javaDouble } from './java/number-text.ts';

export type PseudoColumn = 'ROWTIME' | 'ROWPARTITION' | 'ROWOFFSET' | 'WINDOWSTART' | 'WINDOWEND';

/** ksqlDB's system columns: every source has them; a user column may not take their names. */
export const SYSTEM_COLUMNS = ['ROWTIME', 'ROWPARTITION', 'ROWOFFSET', 'WINDOWSTART', 'WINDOWEND'] as const satisfies readonly PseudoColumn[];

/** SQL types of the pseudo columns, as in ksqlDB. */
export const PSEUDO_COLUMN_TYPES: Readonly<Record<PseudoColumn, SqlType>> = {
  ROWTIME: { kind: 'BIGINT' },
  ROWPARTITION: { kind: 'INTEGER' },
  ROWOFFSET: { kind: 'BIGINT' },
  WINDOWSTART: { kind: 'BIGINT' },
  WINDOWEND: { kind: 'BIGINT' },
};

export type { LiteralValue } from './literal-value.ts';

/** How a function argument was typed when the call was resolved (JSON-safe ArgType). */
export type CallArgType =
  | SqlType
  | null
  | { readonly kind: 'LAMBDA'; readonly paramTypes: readonly SqlType[]; readonly bodyType: SqlType }
  | { readonly kind: 'TIME_UNIT'; readonly unit: TimeUnit };

export type TypedExpr =
  /** `name` (and `source` when the reference was qualified) are for display only. */
  | { readonly kind: 'Column'; readonly index: number; readonly name: string; readonly source?: string; readonly type: SqlType }
  /** `side`: in a join, `alias.ROWTIME` of the FROM source with that index (its own record's time). */
  | { readonly kind: 'Pseudo'; readonly column: PseudoColumn; readonly type: SqlType; readonly side?: number }
  | { readonly kind: 'Literal'; readonly value: LiteralValue; readonly type: SqlType }
  | { readonly kind: 'Cast'; readonly operand: TypedExpr; readonly implicit: boolean; readonly type: SqlType }
  | { readonly kind: 'Arithmetic'; readonly op: ArithmeticOp; readonly left: TypedExpr; readonly right: TypedExpr; readonly type: SqlType }
  | { readonly kind: 'Negate'; readonly operand: TypedExpr; readonly type: SqlType }
  | { readonly kind: 'Compare'; readonly op: ComparisonOp; readonly left: TypedExpr; readonly right: TypedExpr; readonly type: SqlType }
  | { readonly kind: 'And' | 'Or'; readonly left: TypedExpr; readonly right: TypedExpr; readonly type: SqlType }
  | { readonly kind: 'Not'; readonly operand: TypedExpr; readonly type: SqlType }
  | { readonly kind: 'IsNull'; readonly operand: TypedExpr; readonly negated: boolean; readonly type: SqlType }
  | {
      readonly kind: 'Between';
      readonly operand: TypedExpr;
      readonly low: TypedExpr;
      readonly high: TypedExpr;
      readonly negated: boolean;
      readonly type: SqlType;
    }
  | { readonly kind: 'In'; readonly operand: TypedExpr; readonly list: readonly TypedExpr[]; readonly negated: boolean; readonly type: SqlType }
  | {
      readonly kind: 'Like';
      readonly operand: TypedExpr;
      readonly pattern: TypedExpr;
      readonly escape: string | null;
      readonly negated: boolean;
      readonly type: SqlType;
    }
  | {
      readonly kind: 'Case';
      readonly whens: readonly { readonly when: TypedExpr; readonly then: TypedExpr }[];
      readonly else: TypedExpr | null;
      readonly type: SqlType;
    }
  | {
      readonly kind: 'Call';
      /** Upper-case function name, looked up again at compile time. */
      readonly name: string;
      readonly args: readonly TypedExpr[];
      readonly argTypes: readonly CallArgType[];
      readonly type: SqlType;
    }
  /** Only as a Call argument. `type` is the body's type. */
  | {
      readonly kind: 'Lambda';
      readonly params: readonly { readonly name: string; readonly type: SqlType }[];
      readonly body: TypedExpr;
      readonly type: SqlType;
    }
  /** A lambda parameter, bound by the innermost enclosing Lambda with that parameter name. */
  | { readonly kind: 'LambdaParam'; readonly name: string; readonly type: SqlType }
  | { readonly kind: 'Dereference'; readonly base: TypedExpr; readonly field: string; readonly type: SqlType }
  /** Array (1-based, negative from the end; INTEGER index) or map (index of the key type). */
  | { readonly kind: 'Subscript'; readonly base: TypedExpr; readonly index: TypedExpr; readonly type: SqlType }
  | { readonly kind: 'CreateArray'; readonly elements: readonly TypedExpr[]; readonly type: SqlType }
  | { readonly kind: 'CreateMap'; readonly entries: readonly { readonly key: TypedExpr; readonly value: TypedExpr }[]; readonly type: SqlType }
  | { readonly kind: 'CreateStruct'; readonly fields: readonly { readonly name: string; readonly value: TypedExpr }[]; readonly type: SqlType }
  /** A time unit keyword argument (TIMESTAMPADD(SECONDS, ...)); evaluates to the unit name. */
  | { readonly kind: 'TimeUnit'; readonly unit: TimeUnit; readonly type: SqlType };

// The codec of literal values lives with the types (exec decodes plan literals without the analyzer).
export { decodeLiteral, encodeLiteral } from './literal-value.ts';

const COMPARISON_TEXT: Record<ComparisonOp, string> = {
  '=': '=',
  '<>': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  DISTINCT: 'IS DISTINCT FROM',
  NOT_DISTINCT: 'IS NOT DISTINCT FROM',
};

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string): string => (/^[A-Z_][A-Z0-9_]*$/.test(s) ? s : `\`${s.replaceAll('`', '``')}\``);

function formatLiteral(value: LiteralValue, type: SqlType): string {
  if (value === null) return 'NULL';
  switch (type.kind) {
    case 'STRING':
      return quote(String(value));
    case 'BYTES':
      return `X'${Buffer.from(String(value), 'base64').toString('hex').toUpperCase()}'`;
    case 'BOOLEAN':
      return value ? 'true' : 'false';
    case 'DOUBLE':
      return javaDouble(Number(value));
    case 'TIMESTAMP':
      return `TIMESTAMP ${quote(formatTimestamp(Number(value)))}`;
    case 'DATE':
      return `DATE ${quote(formatDate(Number(value)))}`;
    case 'TIME':
      return `TIME ${quote(formatTime(Number(value)))}`;
    default:
      return String(value);
  }
}

/** SQL-like text of a typed expression, for EXPLAIN and error messages. */
export function formatTypedExpr(e: TypedExpr): string {
  const f = formatTypedExpr;
  switch (e.kind) {
    case 'Column':
      return e.source ? `${ident(e.source)}.${ident(e.name)}` : ident(e.name);
    case 'Pseudo':
      return e.column;
    case 'Literal':
      return formatLiteral(e.value, e.type);
    case 'Cast':
      return `CAST(${f(e.operand)} AS ${formatType(e.type)})`;
    case 'Arithmetic':
      return `(${f(e.left)} ${e.op} ${f(e.right)})`;
    case 'Negate':
      return `-${f(e.operand)}`;
    case 'Compare':
      return `(${f(e.left)} ${COMPARISON_TEXT[e.op]} ${f(e.right)})`;
    case 'And':
    case 'Or':
      return `(${f(e.left)} ${e.kind.toUpperCase()} ${f(e.right)})`;
    case 'Not':
      return `(NOT ${f(e.operand)})`;
    case 'IsNull':
      return `(${f(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'Between':
      return `(${f(e.operand)} ${e.negated ? 'NOT ' : ''}BETWEEN ${f(e.low)} AND ${f(e.high)})`;
    case 'In':
      return `(${f(e.operand)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map(f).join(', ')}))`;
    case 'Like':
      return `(${f(e.operand)} ${e.negated ? 'NOT ' : ''}LIKE ${f(e.pattern)}${e.escape === null ? '' : ` ESCAPE ${quote(e.escape)}`})`;
    case 'Case':
      return `(CASE${e.whens.map((w) => ` WHEN ${f(w.when)} THEN ${f(w.then)}`).join('')}${e.else ? ` ELSE ${f(e.else)}` : ''} END)`;
    case 'Call':
      return `${e.name}(${e.args.map(f).join(', ')})`;
    case 'Lambda':
      return `${e.params.length === 1 ? e.params[0].name : `(${e.params.map((p) => p.name).join(', ')})`} => ${f(e.body)}`;
    case 'LambdaParam':
      return e.name;
    case 'Dereference':
      return `${f(e.base)}->${ident(e.field)}`;
    case 'Subscript':
      return `${f(e.base)}[${f(e.index)}]`;
    case 'CreateArray':
      return `ARRAY[${e.elements.map(f).join(', ')}]`;
    case 'CreateMap':
      return `MAP(${e.entries.map((x) => `${f(x.key)}:=${f(x.value)}`).join(', ')})`;
    case 'CreateStruct':
      return `STRUCT(${e.fields.map((x) => `${ident(x.name)}:=${f(x.value)}`).join(', ')})`;
    case 'TimeUnit':
      return e.unit;
  }
}

/** Calls `visit` on every node of the tree, parents before children. */
export function walkTypedExpr(e: TypedExpr, visit: (e: TypedExpr) => void): void {
  visit(e);
  for (const c of children(e)) walkTypedExpr(c, visit);
}

export function children(e: TypedExpr): readonly TypedExpr[] {
  switch (e.kind) {
    case 'Column':
    case 'Pseudo':
    case 'Literal':
    case 'LambdaParam':
    case 'TimeUnit':
      return [];
    case 'Cast':
    case 'Negate':
    case 'Not':
    case 'IsNull':
      return [e.operand];
    case 'Arithmetic':
    case 'Compare':
    case 'And':
    case 'Or':
      return [e.left, e.right];
    case 'Between':
      return [e.operand, e.low, e.high];
    case 'In':
      return [e.operand, ...e.list];
    case 'Like':
      return [e.operand, e.pattern];
    case 'Case':
      return [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'Call':
      return e.args;
    case 'Lambda':
      return [e.body];
    case 'Dereference':
      return [e.base];
    case 'Subscript':
      return [e.base, e.index];
    case 'CreateArray':
      return e.elements;
    case 'CreateMap':
      return e.entries.flatMap((x) => [x.key, x.value]);
    case 'CreateStruct':
      return e.fields.map((x) => x.value);
  }
}

/** Indices of the row columns an expression reads (lambda parameters and pseudo columns excluded). */
export function referencedColumns(e: TypedExpr): number[] {
  const out: number[] = [];
  walkTypedExpr(e, (node) => {
    if (node.kind === 'Column') out.push(node.index);
  });
  return out;
}

/**
 * Structural equality: same kinds, operators, values, types and children. Column references are
 * equal by index (their names are for display only). Iterative: any depth.
 */
export function sameTypedExpr(a: TypedExpr, b: TypedExpr): boolean {
  const stack: [TypedExpr, TypedExpr][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (x.kind !== y.kind) return false;
    const fx = ownFields(x);
    const fy = ownFields(y);
    if (fx.length !== fy.length || fx.some((v, i) => v !== fy[i])) return false;
    const cx = children(x);
    const cy = children(y);
    if (cx.length !== cy.length) return false;
    for (let i = 0; i < cx.length; i++) stack.push([cx[i], cy[i]]);
  }
  return true;
}

/** A node's own fields (not its children), with the shape of its children (CASE arms, ELSE). */
function ownFields(e: TypedExpr): (string | number | boolean | null)[] {
  const t = JSON.stringify(e.type);
  switch (e.kind) {
    case 'Column':
      return [e.index, t];
    case 'Pseudo':
      return [e.column, e.side ?? null, t];
    case 'Literal':
      return [e.value, t];
    case 'Cast':
      return [e.implicit, t];
    case 'Arithmetic':
    case 'Compare':
      return [e.op, t];
    case 'And':
    case 'Or':
    case 'Negate':
    case 'Not':
    case 'Subscript':
    case 'CreateArray':
    case 'CreateMap':
      return [t];
    case 'IsNull':
    case 'Between':
    case 'In':
      return [e.negated, t];
    case 'Like':
      return [e.escape, e.negated, t];
    case 'Case':
      return [e.whens.length, e.else !== null, t];
    case 'Call':
      return [e.name, JSON.stringify(e.argTypes), t];
    case 'Lambda':
      return [JSON.stringify(e.params), t];
    case 'LambdaParam':
      return [e.name, t];
    case 'Dereference':
      return [e.field, t];
    case 'CreateStruct':
      return [JSON.stringify(e.fields.map((f) => f.name)), t];
    case 'TimeUnit':
      return [e.unit, t];
  }
}
