/**
 * Prints expressions back as SQL in ksqlDB's canonical style: every binary, predicate and
 * logical node in parentheses (`(A + 1)`, `(X IS NULL)`), names upper-case and back-quoted when
 * they would not read back as themselves. Invariant: parse(format(e)) equals e, ignoring spans.
 */
import type { Duration, Expr, Literal, OverClause } from './ast.ts';
import { isPlainIdentifier } from './keywords.ts';
import { formatType } from '../types/sql-type.ts';

/** A name as written in SQL: bare when that reads back as the same name, else in backquotes. */
export function formatIdentifier(name: string): string {
  return isPlainIdentifier(name) ? name : `\`${name.replaceAll('`', '``')}\``;
}

export function formatString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function formatLiteral(l: Literal): string {
  switch (l.type) {
    case 'STRING':
      return formatString(l.raw);
    case 'BYTES':
      return `X'${l.raw}'`;
    case 'NULL':
      return 'NULL';
    case 'BOOLEAN':
    case 'INTEGER':
    case 'BIGINT':
    case 'DECIMAL':
    case 'DOUBLE':
      return l.raw;
  }
}

export function formatDuration(d: Duration): string {
  return `${d.value} ${d.unit}`;
}

const list = (xs: readonly Expr[]): string => xs.map(formatExpression).join(', ');

/** The base of `x[i]` / `x->f`: a sign would otherwise apply to the whole postfix expression. */
function postfixBase(e: Expr): string {
  const s = formatExpression(e);
  return e.kind === 'ArithmeticUnary' || (e.kind === 'Literal' && s.startsWith('-')) ? `(${s})` : s;
}

export function formatExpression(e: Expr): string {
  switch (e.kind) {
    case 'Literal':
      return formatLiteral(e);
    case 'ColumnRef':
      return e.source === null ? formatIdentifier(e.name) : `${formatIdentifier(e.source)}.${formatIdentifier(e.name)}`;
    case 'Dereference':
      return `${postfixBase(e.base)}->${formatIdentifier(e.field)}`;
    case 'Subscript':
      return `${postfixBase(e.base)}[${formatExpression(e.index)}]`;
    case 'ArithmeticBinary':
      return `(${formatExpression(e.left)} ${e.op} ${formatExpression(e.right)})`;
    case 'ArithmeticUnary': {
      // `-(5)` stays a unary minus over a literal (a bare `-5` would read back as the literal -5).
      const operand = formatExpression(e.operand);
      const wrap = e.operand.kind === 'Literal' || e.operand.kind === 'ArithmeticUnary';
      return `${e.op}${wrap ? `(${operand})` : operand}`;
    }
    case 'Comparison': {
      const op = e.op === 'DISTINCT' ? 'IS DISTINCT FROM' : e.op === 'NOT_DISTINCT' ? 'IS NOT DISTINCT FROM' : e.op;
      return `(${formatExpression(e.left)} ${op} ${formatExpression(e.right)})`;
    }
    case 'Logical':
      return `(${formatExpression(e.left)} ${e.op} ${formatExpression(e.right)})`;
    case 'Not':
      return `(NOT ${formatExpression(e.operand)})`;
    case 'IsNull':
      return `(${formatExpression(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'Between':
      return `(${formatExpression(e.operand)} ${e.negated ? 'NOT ' : ''}BETWEEN ${formatExpression(e.low)} AND ${formatExpression(e.high)})`;
    case 'InList':
      return `(${formatExpression(e.operand)} ${e.negated ? 'NOT ' : ''}IN (${list(e.list)}))`;
    case 'Like': {
      const escape = e.escape === null ? '' : ` ESCAPE ${formatString(e.escape)}`;
      return `(${formatExpression(e.operand)} ${e.negated ? 'NOT ' : ''}LIKE ${formatExpression(e.pattern)}${escape})`;
    }
    case 'Case': {
      let s = '(CASE';
      if (e.operand) s += ` ${formatExpression(e.operand)}`;
      for (const w of e.whens) s += ` WHEN ${formatExpression(w.when)} THEN ${formatExpression(w.then)}`;
      if (e.else) s += ` ELSE ${formatExpression(e.else)}`;
      return `${s} END)`;
    }
    case 'Cast':
      return `CAST(${formatExpression(e.operand)} AS ${formatType(e.type)})`;
    case 'FunctionCall': {
      const over = e.over ? ` OVER (${formatOver(e.over)})` : '';
      return `${formatIdentifier(e.name)}(${e.distinct ? 'DISTINCT ' : ''}${list(e.args)})${over}`;
    }
    case 'Lambda': {
      const params = e.params.map(formatIdentifier);
      return `${params.length === 1 ? params[0] : `(${params.join(', ')})`} => ${formatExpression(e.body)}`;
    }
    case 'CreateArray':
      return `ARRAY[${list(e.elements)}]`;
    case 'CreateMap':
      return `MAP(${e.entries.map((en) => `${formatExpression(en.key)}:=${formatExpression(en.value)}`).join(', ')})`;
    case 'CreateStruct':
      return `STRUCT(${e.fields.map((f) => `${formatIdentifier(f.name)}:=${formatExpression(f.value)}`).join(', ')})`;
    case 'IntervalUnitRef':
      return e.unit;
    case 'Star':
      return '*';
  }
}

function formatOver(o: OverClause): string {
  const parts: string[] = [];
  if (o.partitionBy.length > 0) parts.push(`PARTITION BY ${list(o.partitionBy)}`);
  if (o.orderBy.length > 0) {
    parts.push(`ORDER BY ${o.orderBy.map((x) => `${formatExpression(x.expr)}${x.descending ? ' DESC' : ''}`).join(', ')}`);
  }
  if (o.frame) {
    const p = o.frame.preceding;
    const start = p === 'UNBOUNDED' ? 'UNBOUNDED' : typeof p === 'number' ? String(p) : formatDuration(p);
    parts.push(`${o.frame.kind} BETWEEN ${start} PRECEDING AND CURRENT ROW`);
  }
  return parts.join(' ');
}
