/**
 * Pull queries: `SELECT ... FROM table [WHERE ...] [LIMIT n]` without EMIT returns the table's
 * current rows and ends. The table's current state is the latest record per key of its topic
 * (tombstones deleting), kept by a TableView that reads only what was written since the last
 * pull query (./table-view.ts), so any table can be queried — a CREATE TABLE over a topic as
 * well as a CREATE TABLE AS SELECT — and the answer reflects everything written so far. A lookup
 * of the key (`WHERE k = literal`, KAFKA key format) reads one record.
 * WHERE may use key columns (lookups and ranges), WINDOWSTART/WINDOWEND bounds, or any value
 * column (a scan); all are evaluated on the table's rows.
 */
import type { Expr, Query, Span } from '../sql/ast.ts';
import { walkExpr } from '../sql/expr-visit.ts';
import { SqlError } from '../sql/errors.ts';
import { analyzeQuery } from '../analyze/query.ts';
import { sourceStep } from '../plan/planner.ts';
import { sourceDecoder } from '../exec/source-decoder.ts';
import { compileExpr, compilePredicate } from '../exec/expr/compile.ts';
import { getFunction } from '../functions/registry.ts';
import { compareValues } from '../functions/util.ts';
import type { TypedExpr } from '../types/typed-expr.ts';
import type { DataSource } from '../analyze/catalog.ts';
import type { ConsumedRecord } from '../log/log.ts';
import { readToEnd } from '../log/read-to-end.ts';
import { createSerde } from '../serde/index.ts';
import type { EngineContext } from './context.ts';
import type { StatementResult } from './results.ts';
import { formatType } from '../types/sql-type.ts';
import { reorder, transientColumns } from './transient-columns.ts';

/** What ksqlDB appends to a pull query's refusal. */
const PULL_QUERY_HELP = ' See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a push query.';

/** ksqlDB's PullQueryValidator: the clauses a pull query cannot have, checked before analysis, in its order. */
const PULL_QUERY_CLAUSES: readonly [string, (q: Query) => boolean][] = [
  ['JOIN', (q) => q.from.kind === 'Join'],
  ['WINDOW', (q) => q.window !== null],
  ['GROUP BY', (q) => q.groupBy !== null],
  ['PARTITION BY', (q) => q.partitionBy !== null],
  ['HAVING', (q) => q.having !== null],
];

export async function pullQuery(engine: EngineContext, query: Query, span: Span): Promise<StatementResult> {
  for (const [clause, has] of PULL_QUERY_CLAUSES) {
    if (has(query)) {
      throw new SqlError('INVALID', `Pull queries don't support ${clause} clauses.${PULL_QUERY_HELP}`, span);
    }
  }
  disallowedPseudoColumns(query, span);
  const analyzed = analyzeQuery(query, engine.catalog, { transient: true });
  const source = analyzed.source;
  if (analyzed.aggregation || analyzed.tableFunctions.length || analyzed.modelCalls.length || analyzed.whereModelCalls.length || analyzed.rekeyed) {
    throw new SqlError('UNSUPPORTED', 'Pull queries support WHERE, projections and LIMIT over one stream or table; use a push query (EMIT CHANGES) for aggregations, PARTITION BY and table functions.', span);
  }
  const errors: string[] = [];
  const decode = sourceDecoder(sourceStep(source), `pull_${source.name}`, engine.processingLog);
  const where = analyzed.where ? compilePredicate(analyzed.where, getFunction, (m) => errors.push(m)) : null;
  const project = analyzed.projection.map((e) => compileExpr(e, getFunction, (m) => errors.push(m)));
  const answer = transientColumns(analyzed);
  const all = [...answer.schema.key, ...answer.schema.value];
  const columns = all.map((c) => c.name);
  const order = sortOrder(query, columns);
  let rows: unknown[][] = [];
  const offset = query.offset ?? 0;
  // Without ORDER BY the first offset + limit rows found are enough.
  const enough = order ? Infinity : offset + (query.limit ?? Infinity);
  /** Adds the record's row if it qualifies; false once enough rows are found. */
  const take = (rec: ConsumedRecord): boolean => {
    if (rows.length >= enough) return false;
    for (const row of decode([rec])) {
      if (row.valueNull || (where && !where(row))) continue;
      const values = project.map((f) => f(row));
      rows.push(answer.order ? reorder(values, answer.order) : values);
    }
    return true;
  };
  if (source.type === 'STREAM') {
    // A stream's pull query (ksqlDB 0.23+) scans its topic as far as it is written now, then ends.
    scan: for await (const batch of scanToEnd(engine, source.topic)) for (const rec of batch) if (!take(rec)) break scan;
  } else {
    const view = engine.tableView(source.name, source.topic);
    await view.catchUp();
    const found = keyLookup(analyzed.where, source);
    if (found) {
      const rec = view.lookup(found);
      if (rec) take(rec);
    } else for (const rec of view.records()) if (!take(rec)) break;
  }
  if (order) rows.sort((a, b) => order.reduce((c, o) => c || (o.descending ? -1 : 1) * compareNullsFirst(a[o.index], b[o.index]), 0));
  rows = rows.slice(offset, query.limit === null ? undefined : offset + query.limit);
  return { kind: 'table', title: source.name, columns, columnTypes: all.map((c) => formatType(c.type)), rows };
}

/**
 * The key bytes a `WHERE key = literal` (possibly AND-ed with more conditions) asks for, when
 * the table has one key column in the KAFKA format (whose bytes are canonical, so equal values
 * have equal bytes); null otherwise (the query scans). The whole WHERE is still evaluated on the
 * record found.
 */
function keyLookup(where: TypedExpr | null, source: DataSource): Uint8Array | null {
  if (!where || source.window || source.schema.key.length !== 1 || source.formats.keyFormat !== 'KAFKA') return null;
  const literalFor = (e: TypedExpr): unknown => {
    if (e.kind === 'And') return literalFor(e.left) ?? literalFor(e.right);
    if (e.kind !== 'Compare' || e.op !== '=') return undefined;
    const [col, lit] = e.left.kind === 'Column' ? [e.left, e.right] : [e.right, e.left];
    if (col.kind !== 'Column' || col.index !== 0 || lit.kind !== 'Literal' || lit.value === null) return undefined;
    return lit.value;
  };
  const value = literalFor(where);
  if (value === undefined) return null;
  const key = source.schema.key[0];
  const ok =
    (key.type.kind === 'STRING' && typeof value === 'string') ||
    ((key.type.kind === 'INTEGER' || key.type.kind === 'BIGINT') && typeof value === 'number' && Number.isSafeInteger(value));
  if (!ok) return null;
  try {
    return createSerde('KAFKA', source.schema.key, { isKey: true, wrapSingleValue: false }).serialize([value]);
  } catch {
    return null;
  }
}

/**
 * ORDER BY of a pull query (a Riffle extension): output columns by name or 1-based position,
 * each ASC or DESC; NULL sorts first (last with DESC).
 */
function sortOrder(query: Query, columns: readonly string[]): { index: number; descending: boolean }[] | null {
  if (!query.orderBy) return null;
  return query.orderBy.map((o) => {
    const e = o.expr;
    const index =
      e.kind === 'ColumnRef' ? columns.indexOf(e.name) : e.kind === 'Literal' && e.type === 'INTEGER' ? Number(e.raw) - 1 : -1;
    if (index < 0 || index >= columns.length) {
      throw new SqlError('INVALID', `ORDER BY takes an output column (${columns.join(', ')}) or its position`, e.span);
    }
    return { index, descending: o.descending };
  });
}

function compareNullsFirst(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  return compareValues(a, b);
}

/**
 * The records of a stream's topic up to its end offsets at the start of the scan, a polled batch at
 * a time, each partition in offset order. A private consumer group that never commits reads them;
 * stopping early (LIMIT met) closes it.
 */
async function* scanToEnd(engine: EngineContext, topic: string): AsyncGenerator<ConsumedRecord[]> {
  const ends = new Map((await engine.log.offsets(topic)).filter((o) => o.end > o.start).map((o) => [o.partition, o.end]));
  if (ends.size === 0) return;
  const consumer = engine.log.consumer({ groupId: `riffle-pull-${process.pid}-${Date.now()}-${topic}`, topics: [topic], fromBeginning: true });
  try {
    yield* readToEnd(consumer, topic, ends);
  } finally {
    await consumer.close();
  }
}

/** ksqlDB's pull queries have no ROWPARTITION / ROWOFFSET (a table's state keeps neither). */
function disallowedPseudoColumns(query: Query, span: Span): void {
  const found = (exprs: readonly Expr[]): string[] => {
    const names: string[] = [];
    for (const e of exprs) {
      walkExpr(e, (n) => {
        if (n.kind === 'ColumnRef' && (n.name === 'ROWPARTITION' || n.name === 'ROWOFFSET') && !names.includes(n.name)) names.push(n.name);
      });
    }
    return names;
  };
  const select = found(query.select.flatMap((i) => (i.kind === 'SelectExpr' ? [i.expr] : [])));
  const where = found(query.where ? [query.where] : []);
  for (const [clause, names] of [['SELECT', select], ['WHERE', where]] as const) {
    if (names.length) {
      throw new SqlError('INVALID', `Pull queries don't support the following columns in ${clause} clauses: ${names.map((n) => `\`${n}\``).join(', ')}\n${PULL_QUERY_HELP}`, span);
    }
  }
}
