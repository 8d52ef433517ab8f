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
import type { Expr, Query, Relation, SelectItem } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { Catalog, DataSource } from './catalog.ts';
import { getFunction } from '../functions/registry.ts';
import { validateJoinRules } from './join-rules.ts';
import { formatExpression } from '../sql/format-expr.ts';
import { allColumns } from './schema.ts';

export const SYSTEM_COLUMNS = ['ROWTIME', 'ROWPARTITION', 'ROWOFFSET', 'WINDOWSTART', 'WINDOWEND'] as const;

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
  validateJoinRules(query, catalog);
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
  if (!isJoin && sources[0].source.type === 'TABLE' && query.select.some((s) => s.kind === 'SelectExpr' && containsTableFunction(s.expr))) {
    throw new SqlError('INVALID', 'Table source is not supported with table functions', query.span);
  }
  validateGrouping(query, sources);
  if (query.emit === 'FINAL' && persistent && !query.window) {
    throw new SqlError('INVALID', 'EMIT FINAL is only supported for windowed aggregations.', query.span);
  }
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
  let found = false;
  JSON.stringify(e, (k, v) => {
    if (v && typeof v === 'object' && v.kind === 'FunctionCall' && getFunction(String(v.name))?.kind === 'table') found = true;
    return k === 'span' ? undefined : v;
  });
  return found;
}

const isAggregateCall = (v: { kind?: string; name?: string; over?: unknown }) =>
  v.kind === 'FunctionCall' && !v.over && getFunction(String(v.name))?.kind === 'aggregate';

/** The aggregate calls in e, outermost first (not looking inside them). */
function aggregateCalls(e: unknown, out: Expr[] = []): Expr[] {
  if (Array.isArray(e)) e.forEach((x) => aggregateCalls(x, out));
  else if (e && typeof e === 'object') {
    if (isAggregateCall(e as never)) out.push(e as Expr);
    else for (const [k, v] of Object.entries(e)) if (k !== 'span') aggregateCalls(v, out);
  }
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
    const inner = aggregateCalls((call as { args: unknown }).args);
    if (inner.length) throw new SqlError('INVALID', `Aggregate functions can not be nested: ${formatCall(call)}`, call.span);
  }
  if (query.groupBy) {
    const inGroupBy = aggregateCalls(query.groupBy);
    if (inGroupBy.length) {
      const names = [...new Set(inGroupBy.map((c) => (c as { name: string }).name.toUpperCase()))];
      throw new SqlError('INVALID', `GROUP BY does not support aggregate functions: ${names.join(', ')} ${names.length > 1 ? 'are aggregate functions' : 'is an aggregate function'}.`, inGroupBy[0].span);
    }
    if (aggregateCalls([...selectExprs, query.having]).length === 0) {
      throw new SqlError('INVALID', 'GROUP BY requires aggregate functions in either the SELECT or HAVING clause.', query.span);
    }
    const seen = new Set<string>();
    for (const g of query.groupBy) {
      const key = JSON.stringify(g, (k, v) => (k === 'span' || k === 'source' ? undefined : v));
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
