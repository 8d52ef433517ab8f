/**
 * ksqlDB's statement-level rules for a SELECT that its Analyzer checks before typing anything
 * (io.confluent.ksql.analyzer.Analyzer / QueryAnalyzer / LogicalPlanner), run before
 * analyzeQuery so their messages win over a later, less specific error:
 * - system column names in the projection (ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART,
 *   WINDOWEND): never an alias; selected under their own name only by transient queries;
 * - a source joined to itself; windowed sources joined to non-windowed ones or to windows of
 *   another kind; KAFKA-format values in joins and GROUP BY (no changelog/repartition support);
 * - table functions over tables; EMIT FINAL without a windowed aggregation;
 * - the join rules of join-rules.ts.
 */
import type { ColumnRef, Expr, FunctionCall, Query, Relation, SelectItem, Span } from '../sql/ast.ts';
import { selectItemExprs, someExpr, walkExprs } from '../sql/expr-visit.ts';
import { ExprIds } from './expr-key.ts';
import { preparingError, SqlError } from '../sql/errors.ts';
import type { Catalog, DataSource } from './catalog.ts';
import { getFunction } from '../functions/registry.ts';
import { validateJoinRules } from './join-rules.ts';
import { findModelCall } from './model-calls.ts';
import { ksqlLocation, unknownQualifier } from './clause-errors.ts';
import type { AnalyzedQuery } from './query.ts';
import { formatExpression } from '../sql/format-expr.ts';
import { allColumns } from '../types/schema.ts';
import { SYSTEM_COLUMNS } from '../types/typed-expr.ts';

const KAFKA_VALUE_FORMAT_LIMITATION_DETAILS =
  'The KAFKA format is primarily intended for use as a key format. It can be used as a value format, but can not be used in any operation that requires a repartition or changelog topic.\n' +
  'Removing this limitation requires enhancements to the core of KSQL. This will come in a future release. Until then, avoid using the KAFKA format for values.\n' +
  'If you have an existing topic with KAFKA formatted values you can duplicate the data and serialize using Avro or JSON with a statement such as: \n\n' +
  "'CREATE STREAM <new-stream-name> WITH(VALUE_FORMAT='Avro') AS SELECT * FROM <existing-kafka-formatted-stream-name>;'\n" +
  'For more info see https://github.com/confluentinc/ksql/issues/3060';

interface Aliased {
  readonly alias: string;
  readonly source: DataSource;
}

export function validateQueryRules(query: Query, catalog: Catalog, persistent: boolean): void {
  validateQualifiers(query);
  validateStreamingQuery(query);
  for (const item of query.select) checkReservedNames(item, persistent, query.from.kind === 'Join');

  const sources: Aliased[] = [];
  const flatten = (r: Relation): void => {
    if (r.kind === 'SourceRef') {
      const source = catalog.getSource(r.name);
      if (!source) return;
      const existing = sources.find((s) => s.source.name === source.name);
      if (existing) {
        throw new SqlError(
          'INVALID',
          sources.length > 1
            ? `N-way joins do not support multiple occurrences of the same source. Source: '${source.name}'.`
            : `Can not join '${source.name}' to '${existing.source.name}': self joins are not yet supported.`,
          r.span,
        );
      }
      sources.push({ alias: r.alias ?? source.name, source });
    } else if (r.kind === 'Join') {
      flatten(r.left);
      const before = sources.length;
      flatten(r.right);
      if (sources.length > before && before > 0) checkWindowsCompatible(sources[0], sources[sources.length - 1], r.span);
    }
  };
  flatten(query.from);
  if (sources.length === 0) return;
  validateJoinRules(query, catalog);

  const isJoin = sources.length > 1;
  const isGroupBy = query.groupBy !== null;
  const kafkaSources = sources.filter((s) => s.source.formats.valueFormat === 'KAFKA').map((s) => s.alias);
  if (kafkaSources.length && (isJoin || isGroupBy)) {
    throw new SqlError(
      'INVALID',
      `Source(s) ${kafkaSources.join(', ')} are using the 'KAFKA' value format. This format does not yet support ${isJoin ? 'JOIN' : 'GROUP BY'}.\n${KAFKA_VALUE_FORMAT_LIMITATION_DETAILS}`,
      query.span,
    );
  }
  const tableFunction = query.select.find((s) => s.kind === 'SelectExpr' && containsTableFunction(s.expr));
  if (tableFunction && isGroupBy) throw new SqlError('INVALID', 'Table functions cannot be used with aggregations.', tableFunction.span);
  if (!isJoin && sources[0].source.type === 'TABLE' && tableFunction) {
    throw new SqlError('INVALID', 'Table source is not supported with table functions', query.span);
  }
  validateGrouping(query, sources);
  validateExpressionRules(query, sources);
  if (query.emit === 'FINAL' && persistent && !query.window) {
    throw new SqlError('INVALID', 'EMIT FINAL is only supported for windowed aggregations.', query.span);
  }
  // ksqlDB refuses persistent queries over windowed tables ("KSQL does not support persistent
  // queries on windowed tables."); Riffle runs them (docs/differences.md): scoring each closed
  // window of an EMIT FINAL aggregation with PREDICT is the windowed device-monitoring example.
}

/**
 * ksqlDB's AstBuilder refuses, while it builds the statement, a qualifier (`x.col`, `x.*`) that
 * names no source of the FROM clause (by name or alias): before any other rule, the first in
 * the text.
 */
function validateQualifiers(query: Query): void {
  const names = new Set<string>();
  const ons: Expr[] = [];
  const collect = (r: Relation): boolean => {
    if (r.kind === 'SourceRef') {
      names.add(r.name);
      if (r.alias) names.add(r.alias);
      return true;
    }
    if (r.kind === 'Join') {
      ons.push(r.on);
      return collect(r.left) && collect(r.right);
    }
    return false; // a table function in FROM (ML_PREDICT ... AS p) names its own columns
  };
  if (!collect(query.from)) return;
  let first: { name: string; span: Span } | null = null;
  const note = (name: string, span: Span) => {
    if (!names.has(name) && (first === null || span.start < first.span.start)) first = { name, span };
  };
  for (const item of query.select) if (item.kind === 'AllColumns' && item.source !== null) note(item.source, item.span);
  walkExprs([...query.select.flatMap(selectItemExprs), ...ons, query.where, ...(query.groupBy ?? []), ...(query.partitionBy ?? []), query.having], (n) => {
    if (n.kind === 'ColumnRef' && n.source !== null) note(n.source, n.span);
  });
  const bad = first as { name: string; span: Span } | null;
  if (bad) throw unknownQualifier(bad.name, bad.span);
}

function checkReservedNames(item: SelectItem, persistent: boolean, join: boolean): void {
  if (item.kind !== 'SelectExpr') return;
  // In a join an unaliased `s.col` is named `S_COL`, so only an explicit alias can clash.
  const defaultName = item.expr.kind === 'ColumnRef' && !(join && item.expr.source !== null) ? item.expr.name : null;
  const alias = item.alias ?? defaultName;
  if (alias === null) return;
  const reserved = SYSTEM_COLUMNS.find((c) => c === alias.toUpperCase());
  if (!reserved) return;
  // The alias repeats the expression (`ROWTIME`, `l.ROWTIME AS ROWTIME`): selecting the column.
  const matches = item.expr.kind === 'ColumnRef' && item.expr.name.toUpperCase() === reserved;
  if (!matches) {
    throw new SqlError('INVALID', `\`${reserved}\` is a reserved column name. You cannot use it as an alias for a column.`, item.span);
  }
  if (persistent) {
    throw new SqlError('INVALID', `Reserved column name in select: \`${reserved}\`. Please remove or alias the column.`, item.span);
  }
}

function checkWindowsCompatible(left: Aliased, right: Aliased, span: Query['span']): void {
  const lw = left.source.window?.kind ?? null;
  const rw = right.source.window?.kind ?? null;
  if ((lw === null) !== (rw === null)) {
    throw new SqlError(
      'INVALID',
      `Can not join windowed source to non-windowed source.\n${left.alias} is ${lw ?? 'not'} windowed\n${right.alias} is ${rw ?? 'not'} windowed`,
      span,
    );
  }
  if (lw === null || rw === null) return;
  const compatible = lw === 'SESSION' ? rw === 'SESSION' : rw === 'HOPPING' || rw === 'TUMBLING';
  if (!compatible) {
    throw new SqlError(
      'INVALID',
      `Incompatible windowed sources.\nLeft source: ${lw}\nRight source: ${rw}\n` +
        'Session windowed sources can only be joined to other session windowed sources, and may still not result in expected behaviour as session bounds must be an exact match for the join to work\n' +
        'Hopping and tumbling windowed sources can only be joined to other hopping and tumbling windowed sources',
      span,
    );
  }
}

function containsTableFunction(e: Expr): boolean {
  return someExpr(e, (n) => n.kind === 'FunctionCall' && getFunction(n.name)?.kind === 'table');
}

const isAggregateCall = (e: Expr): e is FunctionCall => e.kind === 'FunctionCall' && !e.over && getFunction(e.name)?.kind === 'aggregate';

/** The aggregate calls in `exprs`, outermost first (not looking inside them). */
export function aggregateCalls(exprs: readonly (Expr | null)[]): FunctionCall[] {
  const out: FunctionCall[] = [];
  walkExprs(exprs, (n) => {
    if (!isAggregateCall(n)) return true;
    out.push(n);
    return false;
  });
  return out;
}

const formatCall = (e: Expr) => formatExpression(e).replace(/\(\*\)/g, '()');

/**
 * GROUP BY and PARTITION BY as ksqlDB's Analyzer checks them: no aggregate in GROUP BY, no
 * aggregate inside another, no GROUP BY without an aggregate, no expression grouped twice;
 * PARTITION BY names input columns and NULL only alone.
 */
function validateGrouping(query: Query, sources: readonly Aliased[]): void {
  const selectExprs = query.select.flatMap((s) => (s.kind === 'SelectExpr' ? [s.expr] : []));
  for (const call of aggregateCalls([...selectExprs, query.having])) {
    const inner = aggregateCalls(call.args);
    if (inner.length) throw new SqlError('INVALID', `Aggregate functions can not be nested: ${formatCall(call)}`, call.span);
  }
  if (query.groupBy) {
    const inGroupBy = aggregateCalls(query.groupBy);
    if (inGroupBy.length) {
      const names = [...new Set(inGroupBy.map((c) => c.name.toUpperCase()))];
      throw new SqlError('INVALID', `GROUP BY does not support aggregate functions: ${names.join(', ')} ${names.length > 1 ? 'are aggregate functions' : 'is an aggregate function'}.`, inGroupBy[0].span);
    }
    if (aggregateCalls([...selectExprs, query.having]).length === 0) {
      // ksqlDB looks every function up while it looks for aggregates: an unknown one is named first.
      let unknown: FunctionCall | null = null;
      walkExprs([...selectExprs, query.having], (n) => {
        if (!unknown && n.kind === 'FunctionCall' && !n.over && !getFunction(n.name) && !findModelCall([n])) unknown = n;
        return true;
      });
      const missing = unknown as FunctionCall | null;
      if (missing) throw new SqlError('UNKNOWN_FUNCTION', `Can't find any functions with the name '${missing.name.toUpperCase()}'`, missing.span);
      throw new SqlError('INVALID', 'GROUP BY requires aggregate functions in either the SELECT or HAVING clause.', query.span);
    }
    const ids = new ExprIds();
    const seen = new Set<number>();
    for (const g of query.groupBy) {
      const key = ids.idOf(g);
      if (seen.has(key)) {
        const qualified = g.kind === 'ColumnRef' && g.source === null && sources.length === 1 ? { ...g, source: sources[0].alias } : g;
        throw new SqlError('INVALID', `Duplicate GROUP BY expression: ${formatExpression(qualified)}`, g.span);
      }
      seen.add(key);
    }
  }
  const partitionBy = query.partitionBy ?? [];
  if (partitionBy.length > 1 && partitionBy.some((p) => p.kind === 'Literal' && p.type === 'NULL')) {
    throw new SqlError('INVALID', 'Cannot PARTITION BY multiple columns including NULL', partitionBy[0].span);
  }
  for (const p of partitionBy) {
    if (p.kind !== 'ColumnRef' || (SYSTEM_COLUMNS as readonly string[]).includes(p.name)) continue;
    const known = sources.some((s) => (p.source === null || p.source === s.alias || p.source === s.source.name) && allColumns(s.source.schema).some((c) => c.name === p.name));
    if (!known) {
      throw new SqlError(
        'UNKNOWN_COLUMN',
        `PARTITION BY column '${p.name}' cannot be resolved. '${p.name}' must be a column in the source schema since PARTITION BY is applied on the input.`,
        p.span,
      );
    }
  }
}

/** Aggregate parameters ksqlDB's UDAFs declare as literal-only (1-based, from this one on). */
const LITERAL_PARAMS_FROM: Record<string, number> = { EARLIEST_BY_OFFSET: 2, LATEST_BY_OFFSET: 2 };

/**
 * Rules about expressions ksqlDB checks before typing them: window bounds only in the SELECT of
 * a windowed aggregation (or over a windowed source), DOUBLE literals that overflow (with their
 * sign), literal-only aggregate parameters, aggregates over a table that cannot undo, one key
 * column per GROUP BY / PARTITION BY expression in a persistent projection.
 */
function validateExpressionRules(query: Query, sources: readonly Aliased[]): void {
  const windowedSource = sources.length === 1 && sources[0].source.window !== null;
  /** The first window bound referenced in `exprs` (only unqualified ones with `unqualified`). */
  const boundRef = (exprs: readonly (Expr | null)[] | null, unqualified = false): ColumnRef | null => {
    let found: ColumnRef | null = null;
    walkExprs(exprs ?? [], (n) => {
      if (!found && n.kind === 'ColumnRef' && (n.name === 'WINDOWSTART' || n.name === 'WINDOWEND') && (!unqualified || n.source === null)) found = n;
    });
    return found;
  };
  const bounds = (exprs: readonly (Expr | null)[] | null): string | null => boundRef(exprs)?.name ?? null;
  if (!windowedSource) {
    const inWhere = bounds([query.where]);
    if (inWhere) throw new SqlError('UNKNOWN_COLUMN', `Error in WHERE expression: Unknown column ${inWhere}.`, query.where!.span);
    // In a windowed aggregation the bounds exist only after aggregating: not in an aggregate's
    // arguments (ksqlDB checks the SELECT first), GROUP BY or HAVING.
    const aggregateArgs = query.window ? aggregateCalls(query.select.flatMap(selectItemExprs)).flatMap((c) => c.args) : [];
    const having = query.window ? [query.having] : [];
    for (const exprs of [aggregateArgs, query.groupBy, query.partitionBy, having]) {
      const b = bounds(exprs);
      if (b) {
        throw new SqlError(
          'INVALID',
          `Window bounds column ${b} can only be used in the SELECT clause of windowed aggregations and can not be passed to aggregate functions.\nSee https://github.com/confluentinc/ksql/issues/4397`,
          query.span,
        );
      }
    }
  }
  // A windowed aggregation over a join: each side has the window bounds, so an unqualified one is
  // not resolved (ksqlDB's ColumnReferenceValidator; https://github.com/confluentinc/ksql/issues/5931).
  const joinBound = query.window && sources.length > 1 ? boundRef(query.select.flatMap(selectItemExprs), true) : null;
  if (joinBound) throw new SqlError('UNKNOWN_COLUMN', `${ksqlLocation(joinBound.span)}SELECT column '${joinBound.name}' cannot be resolved.`, joinBound.span);
  walkExprs([...query.select.flatMap(selectItemExprs), query.where, query.having], (n) => {
    if (n.kind === 'ArithmeticUnary' && n.op === '-' && n.operand.kind === 'Literal') {
      const lit = n.operand;
      if (lit.type === 'DOUBLE' && !Number.isFinite(Number(lit.raw))) throw preparingError('TYPE', `Number overflows DOUBLE: -${lit.raw}`, n.span);
    }
    if (n.kind === 'FunctionCall') {
      const from = LITERAL_PARAMS_FROM[n.name.toUpperCase()];
      const args = n.args;
      for (let i = (from ?? Infinity) - 1; i < args.length; i++) {
        const a = args[i];
        if (a.kind === 'Literal' || (a.kind === 'ArithmeticUnary' && a.operand.kind === 'Literal')) continue;
        throw new SqlError(
          'TYPE',
          `Parameter ${i + 1} passed to function ${n.name.toUpperCase()} must be a literal constant, but was expression: '${formatExpression(a)}'`,
          a.span,
        );
      }
    }
  });
  // A GROUP BY / PARTITION BY expression selected under two names would be two key columns.
  // (Single-source queries: in a join, columns of the same name from two sources differ.)
  const ids = new ExprIds();
  const sameExpr = (a: Expr, b: Expr) => ids.same(a, b);
  for (const keys of sources.length === 1 ? [query.groupBy, query.partitionBy] : []) {
    for (const k of keys ?? []) {
      const same = query.select.filter((s) => s.kind === 'SelectExpr' && sameExpr(s.expr, k)) as { expr: Expr; alias: string | null }[];
      if (same.length < 2) continue;
      const names = same.map((s) => s.alias ?? (s.expr.kind === 'ColumnRef' ? s.expr.name : formatExpression(s.expr)));
      if (keys === query.groupBy) {
        throw new SqlError('INVALID', `The projection contains a key column more than once: ${joinAnd(names.map((n) => `\`${n}\``))}.\nEach key column must only be in the projection once. If you intended to copy the key into the value, then consider using the AS_VALUE function to indicate which key reference should be copied.`, query.span);
      }
      throw new SqlError(
        'INVALID',
        `The projection contains a key column (\`${formatExpression(k)}\`) more than once, aliased as: ${joinAnd([...names].sort())}.\nEach key column must only be in the projection once. If you intended to copy the key into the value, then consider using the AS_VALUE function to indicate which key reference should be copied.`,
        query.span,
      );
    }
  }
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * An aggregation over a table must be able to undo a row's old value (ksqlDB's
 * TableAggregationFunction): MIN, MAX, the offset functions and the like cannot.
 */
export function validateTableAggregation(analyzed: AnalyzedQuery, span: Span): void {
  if (!analyzed.aggregation || analyzed.from.joins.length > 0 || analyzed.source.type !== 'TABLE') return;
  const names: string[] = [];
  for (const a of analyzed.aggregation.aggregates) {
    const def = getFunction(a.name);
    if (def?.kind !== 'aggregate') continue;
    const resolved = def.resolve(a.argTypes, { literalArg: (i) => a.literals[i] ?? undefined });
    if (typeof resolved !== 'string' && !resolved.undo && !names.includes(a.name)) names.push(a.name);
  }
  if (names.length) {
    throw new SqlError('INVALID', `The aggregation function${names.length === 1 ? '' : 's'} ${joinAnd(names)} cannot be applied to a table source, only to a stream source.`, span);
  }
}

/** ORDER BY and OFFSET order and page a finite answer: pull queries only. */
export function validateStreamingQuery(query: Query): void {
  if (query.orderBy || query.offset !== undefined) {
    throw new SqlError('UNSUPPORTED', 'ORDER BY and OFFSET are supported in pull queries only (a SELECT over a table without EMIT)', query.span);
  }
}
