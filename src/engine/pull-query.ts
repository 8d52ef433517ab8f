/**
 * Pull queries: `SELECT ... FROM table [WHERE ...] [LIMIT n]` without EMIT returns the table's
 * current rows and ends. The table's current state is read from its topic (the latest record
 * per key, tombstones deleting), so any table can be queried — a CREATE TABLE over a topic as
 * well as a CREATE TABLE AS SELECT — and the answer reflects everything written so far.
 * WHERE may use key columns (lookups and ranges), WINDOWSTART/WINDOWEND bounds, or any value
 * column (a scan); all are evaluated on the table's rows.
 */
import type { Query, Span } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { analyzeQuery } from '../analyze/query.ts';
import { sourceStep } from '../plan/planner.ts';
import { sourceDecoder } from '../exec/source-decoder.ts';
import { compileExpr, compilePredicate } from '../exec/expr/compile.ts';
import { getFunction } from '../functions/registry.ts';
import type { Row } from '../exec/expr/row.ts';
import type { Engine } from './engine.ts';
import type { StatementResult } from './results.ts';

export async function pullQuery(engine: Engine, query: Query, span: Span): Promise<StatementResult> {
  const analyzed = analyzeQuery(query, engine.catalog);
  const source = analyzed.source;
  if (source.type !== 'TABLE' || analyzed.from.joins.length > 0) {
    throw new SqlError('INVALID', `Pull queries (no EMIT clause) are only supported on tables, and ${source.name} is a ${source.type.toLowerCase()}. Add EMIT CHANGES for a push query.`, span);
  }
  if (analyzed.aggregation || analyzed.tableFunctions.length || analyzed.modelCalls.length || analyzed.whereModelCalls.length || analyzed.rekeyed) {
    throw new SqlError('UNSUPPORTED', 'Pull queries support WHERE, projections and LIMIT over one table; use a push query (EMIT CHANGES) for aggregations, PARTITION BY and table functions.', span);
  }
  const errors: string[] = [];
  const decode = sourceDecoder(sourceStep(source), `pull_${source.name}`, engine.processingLog);
  const offsets = await engine.log.offsets(source.topic);
  const latest = new Map<string, Row>();
  const consumer = engine.log.consumer({ groupId: `riffle-pull-${process.pid}-${Date.now()}`, topics: [source.topic], fromBeginning: true });
  try {
    const remaining = new Map(offsets.filter((o) => o.end > o.start).map((o) => [o.partition, o.end]));
    while (remaining.size > 0) {
      const batch = await consumer.poll(5000, 500);
      if (batch.length === 0) break;
      for (const rec of batch) {
        const keyId = `${rec.key ? Buffer.from(rec.key).toString('base64') : ''}`;
        if (rec.value === null) latest.delete(keyId);
        else for (const row of decode([rec])) latest.set(keyId, row);
        if (rec.offset + 1 >= (remaining.get(rec.partition) ?? Infinity)) remaining.delete(rec.partition);
      }
    }
  } finally {
    await consumer.close();
  }
  const where = analyzed.where ? compilePredicate(analyzed.where, getFunction, (m) => errors.push(m)) : null;
  const project = analyzed.projection.map((e) => compileExpr(e, getFunction, (m) => errors.push(m)));
  const rows: unknown[][] = [];
  const limit = query.limit ?? Infinity;
  for (const row of latest.values()) {
    if (rows.length >= limit) break;
    if (where && !where(row)) continue;
    rows.push(project.map((f) => f(row)));
  }
  const columns = [...analyzed.schema.key, ...analyzed.schema.value].map((c) => c.name);
  return { kind: 'table', title: source.name, columns, rows };
}
