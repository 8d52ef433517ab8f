/**
 * Analysis of aggregations (GROUP BY, aggregate functions, HAVING, windows).
 *
 * The query is split in two around the aggregation: the aggregate step reads the source rows and
 * produces intermediate rows [group values..., aggregate results...]; the select list and HAVING
 * are rewritten to read those (a sub-expression equal to a GROUP BY expression becomes a reference
 * to its group column, an aggregate call a reference to its result), then typed over them.
 * Output key columns are the GROUP BY expressions, in GROUP BY order, named by the select items
 * that repeat them (as ksqlDB).
 */
import type { Expr, FunctionCall, Query, Span, WindowSpec, Duration } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { Column, LogicalSchema } from '../types/schema.ts';
import type { TypedExpr, PseudoColumn } from '../types/typed-expr.ts';
import { analyzeExpr, analyzeFunctionArgs, columnsScope, type ExprScope } from './expr/analyze-expr.ts';
import { getFunction } from '../functions/registry.ts';
import { ExprIds } from './expr-key.ts';
import { mapChildren, someExpr } from '../sql/expr-visit.ts';
import { formatExpression } from '../sql/format-expr.ts';
import { inClause } from './clause-errors.ts';
import type { WindowInfo } from '../types/window.ts';
import type { AggregateCall, WindowPlan } from './output.ts';



export interface AggregationAnalysis {
  readonly groupBy: readonly TypedExpr[];
  readonly aggregates: readonly AggregateCall[];
  /** [group columns..., aggregate columns...]: the aggregate step's output. */
  readonly intermediate: LogicalSchema;
  readonly having: TypedExpr | null;
  /** Over the intermediate columns; key columns first. */
  readonly projection: readonly TypedExpr[];
  readonly schema: LogicalSchema;
  readonly window: WindowPlan | null;
  /** The output names of the select items, in SELECT order (see AnalyzedQuery.selectNames). */
  readonly selectNames: readonly string[];
}

/** A select expression reads a column that is neither grouped nor aggregated (collected, then reported together). */
class NonAggregateSelect extends Error {}

/** ksqlDB's default grace period when a window has none: 24 hours. */
export const DEFAULT_GRACE_MS = 24 * 3600_000;

export function isAggregateQuery(query: Query): boolean {
  if (query.groupBy) return true;
  return query.select.some((s) => s.kind === 'SelectExpr' && containsAggregate(s.expr));
}

/** Whether `e` calls an aggregate function (not looking inside OVER calls: running aggregates). */
function containsAggregate(e: Expr): boolean {
  return someExpr(
    e,
    (n) => n.kind === 'FunctionCall' && !n.over && getFunction(n.name)?.kind === 'aggregate',
    (n) => !(n.kind === 'FunctionCall' && n.over),
  );
}

export function analyzeAggregation(
  query: Query,
  items: readonly { expr: Expr; alias: string | null; span: Span }[],
  scope: ExprScope,
  windowed: boolean,
  joinText: (text: string) => string = (t) => t,
): AggregationAnalysis {
  const groupExprs: readonly Expr[] = query.groupBy ?? [];
  const groupBy = groupExprs.map((g) => analyzeExpr(g, scope, getFunction));
  // Sub-expressions are matched by structural id (linear in the size of the query; comparing
  // JSON texts of every node against every GROUP BY expression was quadratic).
  const ids = new ExprIds();
  const groupIndex = new Map<number, number>();
  groupExprs.forEach((g, i) => {
    const id = ids.idOf(g);
    if (!groupIndex.has(id)) groupIndex.set(id, i);
  });

  const aggregates: AggregateCall[] = [];
  const aggregateCalls: Expr[] = []; // as written, for messages
  const aggIndex = new Map<number, number>();
  const groupCols: Column[] = groupBy.map((g, i) => ({ name: `$G${i}`, type: g.type }));
  const aggCol = (i: number) => `$A${i}`;

  // Rewrites an expression of the select list / HAVING to read the intermediate columns.
  const rewrite = (e: Expr, where: string): Expr => {
    const visit = (node: Expr): Expr => {
      const key = ids.idOf(node);
      const gi = groupIndex.get(key) ?? -1;
      if (gi >= 0) return { kind: 'ColumnRef', source: null, name: `$G${gi}`, span: node.span };
      if (node.kind === 'FunctionCall' && getFunction(node.name)?.kind === 'aggregate' && !node.over) {
        let ai = aggIndex.get(key);
        if (ai === undefined) {
          ai = aggregates.length;
          aggregates.push(resolveAggregate(node, scope));
          aggregateCalls.push(node);
          aggIndex.set(key, ai);
        }
        return { kind: 'ColumnRef', source: null, name: aggCol(ai), span: node.span };
      }
      if (node.kind === 'ColumnRef' && !isPseudo(node.name)) {
        if (where === 'SELECT') throw new NonAggregateSelect();
        throw new SqlError('INVALID', `Non-aggregate HAVING expression not part of GROUP BY: ${node.name}`, node.span);
      }
      return mapChildren(node, visit);
    };
    return visit(e);
  };

  // ksqlDB names every select expression that reads a column outside GROUP BY and aggregates.
  const nonAggregate: { text: string; span: Span }[] = [];
  const rewritten = items.map((it) => {
    try {
      return { ...it, expr: rewrite(it.expr, 'SELECT') };
    } catch (e) {
      if (!(e instanceof NonAggregateSelect)) throw e;
      nonAggregate.push({ text: formatExpression(it.expr), span: it.span });
      return it;
    }
  });
  if (nonAggregate.length) {
    throw new SqlError(
      'INVALID',
      `Non-aggregate SELECT expression(s) not part of GROUP BY: ${nonAggregate.map((n) => n.text).join(', ')}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.`,
      nonAggregate[0].span,
    );
  }
  const havingExpr = query.having ? rewrite(query.having, 'HAVING') : null;
  const intermediate: LogicalSchema = {
    key: groupCols,
    value: aggregates.map((a, i) => ({ name: aggCol(i), type: a.returnType })),
  };
  const pseudo: PseudoColumn[] = windowed ? ['ROWTIME', 'WINDOWSTART', 'WINDOWEND'] : ['ROWTIME'];
  const inter = columnsScope([...intermediate.key, ...intermediate.value], pseudo);
  let having: TypedExpr | null = null;
  if (havingExpr) {
    // ksqlDB's messages show the aggregate call (`SUM(VALUE)`) where Riffle reads `$A0`.
    const shown = (text: string) => joinText(text.replace(/`\$([AG])(\d+)`/g, (m, kind: string, i: string) => {
      const e = (kind === 'A' ? aggregateCalls : groupExprs)[Number(i)];
      return e ? formatExpression(e) : m;
    }));
    having = inClause('HAVING', () => analyzeExpr(havingExpr, inter, getFunction), shown);
    if (having.type.kind !== 'BOOLEAN') throw new SqlError('TYPE', 'HAVING expression must be BOOLEAN', query.having!.span);
  }

  // Output columns: select items equal to a GROUP BY expression are key columns (GROUP BY order).
  const names = outputNames(items);
  const keyCols: ({ col: Column; expr: TypedExpr } | null)[] = groupBy.map(() => null);
  const valueCols: { col: Column; expr: TypedExpr }[] = [];
  rewritten.forEach((item, i) => {
    const typed = analyzeExpr(item.expr, inter, getFunction);
    const entry = { col: { name: names[i], type: typed.type }, expr: typed };
    const gi = groupIndex.get(ids.idOf(items[i].expr)) ?? -1;
    if (gi >= 0 && keyCols[gi] === null) keyCols[gi] = entry;
    else valueCols.push(entry);
  });
  let generated = 0;
  const taken = new Set(names);
  const keys = keyCols.map((k, i) => {
    if (k) return k;
    // A GROUP BY expression not selected: still the key, under a generated name.
    let name = groupExprs[i].kind === 'ColumnRef' ? (groupExprs[i] as { name: string }).name : '';
    while (!name || taken.has(name)) name = `KSQL_COL_${generated++}`;
    taken.add(name);
    return { col: { name, type: groupBy[i].type }, expr: analyzeExpr({ kind: 'ColumnRef', source: null, name: `$G${i}`, span: query.span }, inter, getFunction) };
  });
  return {
    groupBy,
    aggregates,
    intermediate,
    having,
    projection: [...keys.map((k) => k.expr), ...valueCols.map((v) => v.expr)],
    schema: { key: keys.map((k) => k.col), value: valueCols.map((v) => v.col) },
    window: query.window ? windowPlan(query.window, query.emit === 'FINAL') : null,
    selectNames: names,
  };
}

export function resolveAggregate(call: FunctionCall, scope: ExprScope): AggregateCall {
  const fn = getFunction(call.name);
  if (!fn || fn.kind !== 'aggregate') throw new SqlError('UNKNOWN_FUNCTION', `Unknown aggregate function ${call.name}`, call.span);
  const args = call.args.filter((a) => a.kind !== 'Star');
  const analyzed = analyzeFunctionArgs(args, scope, getFunction, call.name);
  const resolved = fn.resolve(analyzed.argTypes, analyzed.ctx);
  if (typeof resolved === 'string') throw new SqlError('TYPE', resolved, call.span);
  const { args: typedArgs } = analyzed.finish();
  const literals = args.map((_a, i) => {
    const v = analyzed.ctx.literalArg(i);
    return v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? (v as never) : String(v);
  });
  return { name: fn.name, args: typedArgs, argTypes: typedArgs.map((a) => a.type), literals, returnType: resolved.returnType };
}

const isPseudo = (name: string) => name === 'ROWTIME' || name === 'WINDOWSTART' || name === 'WINDOWEND' || name.startsWith('$');

function outputNames(items: readonly { expr: Expr; alias: string | null }[]): string[] {
  const explicit = items.map((it) => it.alias ?? (it.expr.kind === 'ColumnRef' ? it.expr.name : it.expr.kind === 'Dereference' ? it.expr.field : null));
  const taken = new Set(explicit.filter((n): n is string => n !== null));
  let n = 0;
  return explicit.map((name) => {
    if (name !== null) return name;
    while (taken.has(`KSQL_COL_${n}`)) n++;
    const g = `KSQL_COL_${n++}`;
    taken.add(g);
    return g;
  });
}

const UNIT_MS: Record<Duration['unit'], number> = {
  MILLISECONDS: 1,
  SECONDS: 1000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
  WEEKS: 7 * 86_400_000,
  MONTHS: 30 * 86_400_000,
  YEARS: 365 * 86_400_000,
};

export const durationMs = (d: Duration): number => d.value * UNIT_MS[d.unit];

function windowPlan(w: WindowSpec, emitFinal: boolean): WindowPlan {
  // ksqlDB (RewrittenAnalysis): EMIT FINAL without GRACE PERIOD closes windows at their end.
  const graceMs = w.grace ? durationMs(w.grace) : emitFinal ? 0 : DEFAULT_GRACE_MS;
  let info: WindowInfo;
  let span: number;
  switch (w.kind) {
    case 'TUMBLING':
      info = { kind: 'TUMBLING', sizeMs: durationMs(w.size) };
      span = info.sizeMs;
      break;
    case 'HOPPING':
      info = { kind: 'HOPPING', sizeMs: durationMs(w.size), advanceMs: durationMs(w.advance) };
      span = info.sizeMs;
      break;
    case 'SESSION':
      info = { kind: 'SESSION', gapMs: durationMs(w.gap) };
      span = info.gapMs;
      break;
    case 'SLIDING':
      info = { kind: 'SLIDING', sizeMs: durationMs(w.size) };
      span = info.sizeMs;
      break;
  }
  const retentionMs = Math.max(w.retention ? durationMs(w.retention) : 0, span + graceMs);
  return { info, graceMs, retentionMs, emitFinal };
}

