/**
 * ksqlDB's rules for the projection of a persistent query (CREATE ... AS SELECT, INSERT INTO ...
 * SELECT), checked after the query has been analyzed:
 * - the result's key must be selected: the source's key columns (all of them), the PARTITION BY
 *   expressions (all), the GROUP BY expressions (all), or in a join one of the join expressions
 *   that can be the key (or the synthetic ROWKEY when none can) — ksqlDB's
 *   `validateKeyPresent` in its plan nodes;
 * - a key column is selected once (ksqlDB's FinalProjectNode / LogicalPlanner);
 * - the result has at least one value column.
 * Transient queries are not subject to these rules (their key is returned in the value).
 */
import type { ColumnRef, Expr, Query, Relation } from '../sql/ast.ts';
import { mapChildren, selectItemExprs } from '../sql/expr-visit.ts';
import { aggregateCalls } from './query-rules.ts';
import { ExprIds } from './expr-key.ts';
import { SqlError } from '../sql/errors.ts';
import { formatExpression } from '../sql/format-expr.ts';
import type { Catalog, DataSource } from './catalog.ts';
import { allColumns, type LogicalSchema } from '../types/schema.ts';
import { formatType } from '../types/sql-type.ts';
import { syntheticJoinKeyName } from './synthetic-key.ts';
import { isPartitionByNull } from './partition-by.ts';

const SYNTHETIC_JOIN_KEY_DOC_URL = 'https://cnfl.io/2LV7ouS';

interface FromRef {
  readonly alias: string;
  readonly source: DataSource;
}

interface JoinOn {
  readonly type: string;
  readonly left: Expr;
  readonly right: Expr;
}

/** "A", "A and B", "A, B and C" (ksqlDB's GrammaticalJoiner). */
export function joinGrammatically(items: readonly string[], last: 'and' | 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

/**
 * `keylessWhenKeyMissing`: ksqlDB's new query planner (ksql.new.query.planner.enabled) lets a
 * single-source projection leave its key out: the result then has no key instead of an error.
 */
export function validatePersistentProjection(query: Query, schema: LogicalSchema, catalog: Catalog, sinkName: string, keylessWhenKeyMissing = false): void {
  // Aggregates without GROUP BY: ksqlDB groups by a constant it cannot key a table by. It prints
  // each call as it rewrote it (COUNT(*) counts ROWTIME).
  if (!query.groupBy) {
    const calls = aggregateCalls([...query.select.flatMap(selectItemExprs), query.having]);
    if (calls.length) {
      const shown = [...new Set(calls.map((c) => `${c.name.toUpperCase()}(${c.args.length === 0 || c.args[0].kind === 'Star' ? 'ROWTIME' : c.args.map(formatExpression).join(', ')})`))];
      throw new SqlError('INVALID', `CREATE TABLE AS SELECT statement does not support aggregate function [${shown.join(', ')}] without a GROUP BY clause.`, query.span);
    }
  }
  const refs: FromRef[] = [];
  const joins: JoinOn[] = [];
  const flatten = (r: Relation): boolean => {
    if (r.kind === 'SourceRef') {
      const source = catalog.getSource(r.name);
      if (!source) return false;
      refs.push({ alias: r.alias ?? source.name, source });
      return true;
    }
    if (r.kind === 'Join') {
      if (!flatten(r.left) || !flatten(r.right)) return false;
      if (r.on.kind !== 'Comparison') return false;
      joins.push({ type: r.type, left: r.on.left, right: r.on.right });
      return true;
    }
    return false;
  };
  // Table functions in FROM and unknown sources are another analyzer's business.
  if (!flatten(query.from)) return;

  // The source a column reference reads (by qualifier, else the first with such a column).
  const qualifierOf = (ref: ColumnRef): string | null => {
    const named = ref.source === null ? null : refs.find((r) => r.alias === ref.source || r.source.name === ref.source);
    const owner = named ?? refs.find((r) => allColumns(r.source.schema).some((c) => c.name === ref.name));
    return owner ? owner.alias : ref.source;
  };
  const qualify = (e: Expr): Expr => {
    const visit = (n: Expr): Expr => (n.kind === 'ColumnRef' ? { ...n, source: qualifierOf(n) } : mapChildren(n, visit));
    return visit(e);
  };
  const ids = new ExprIds((ref) => JSON.stringify([qualifierOf(ref), ref.name]));
  const keyOf = (e: Expr) => String(ids.idOf(e));

  // The projection's expressions (qualified), with `*` and `alias.*` expanded to their columns.
  const projected = new Set<string>();
  const selectedColumns: { name: string; alias: string }[] = [];
  for (const item of query.select) {
    if (item.kind === 'SelectExpr') {
      projected.add(keyOf(item.expr));
      if (item.expr.kind === 'ColumnRef') selectedColumns.push({ name: item.expr.name, alias: item.alias ?? item.expr.name });
    } else if (item.kind === 'AllColumns') {
      for (const r of refs) {
        if (item.source !== null && item.source !== r.alias && item.source !== r.source.name) continue;
        for (const c of allColumns(r.source.schema)) projected.add(keyOf({ kind: 'ColumnRef', source: r.alias, name: c.name, span: item.span }));
      }
    }
  }

  const missingKey = (types: string, required: readonly string[], requireAll: boolean, synthetic = false): never => {
    const keyPostfix = requireAll && required.length > 1 ? 's' : '';
    const typeName = types + (required.length === 1 ? '' : 's');
    const eg = requireAll ? required.join(', ') : required[0];
    throw new SqlError(
      'INVALID',
      `Key${keyPostfix} missing from projection (ie, SELECT). ${synthetic ? `See ${SYNTHETIC_JOIN_KEY_DOC_URL}.` : ''}\n` +
        `The query used to build \`${sinkName}\` must include the ${typeName} ${joinGrammatically(required, requireAll ? 'and' : 'or')} in its projection (eg, SELECT ${eg}...).` +
        (synthetic
          ? `\n${required[0]} was added as a synthetic key column because the join criteria did not match any source column. This expression must be included in the projection and may be aliased. `
          : ''),
      query.span,
    );
  };

  if (query.groupBy && query.groupBy.length > 0) {
    const missing = query.groupBy.filter((g) => !projected.has(keyOf(g)));
    if (missing.length) missingKey('grouping expression', missing.map(formatExpression), true);
  } else if (query.partitionBy && !isPartitionByNull(query.partitionBy)) {
    // `SELECT *` after PARTITION BY includes the new key columns.
    if (!selectsAll(query) && query.partitionBy.some((p) => !projected.has(keyOf(p)))) {
      missingKey('partitioning expression', query.partitionBy.map((p) => formatExpression(qualify(p))), true);
    }
  } else if (joins.length > 0) {
    validateJoinKeyPresent(refs, joins, query, projected, keyOf, qualify, missingKey);
  } else if (refs.length === 1 && !query.groupBy) {
    const keys = refs[0].source.schema.key;
    const missing = keys.some((k) => !projected.has(keyOf({ kind: 'ColumnRef', source: null, name: k.name, span: query.span })));
    if (keys.length && missing && !keylessWhenKeyMissing) missingKey('key column', keys.map((k) => k.name), true);
    // A key column selected under two names: ksqlDB keeps one key column per source key.
    for (const k of keys) {
      const aliases = selectedColumns.filter((c) => c.name === k.name).map((c) => c.alias);
      if (aliases.length > 1) {
        throw new SqlError(
          'INVALID',
          `The projection contains a key column (\`${k.name}\`) more than once, aliased as: ${joinGrammatically([...aliases].sort(), 'and')}.\n` +
            'Each key column must only be in the projection once. If you intended to copy the key into the value, then consider using the AS_VALUE function to indicate which key reference should be copied.',
          query.span,
        );
      }
    }
  }
  if (schema.value.length === 0) throw new SqlError('INVALID', 'The projection contains no value columns.', query.span);
  const keyNames = new Set(schema.key.map((c) => c.name));
  const clash = schema.value.find((c) => keyNames.has(c.name));
  if (clash) throw new SqlError('INVALID', `Duplicate value columns found in schema: \`${clash.name}\` ${formatType(clash.type)}`, query.span);
}

function selectsAll(query: Query): boolean {
  return query.select.some((s) => s.kind === 'AllColumns' && s.source === null);
}


/**
 * The join's key must be selected: one of the viable keys (ksqlDB's JoinNode): the column
 * references among the last join's two expressions, and, while the previous join's key is what
 * the next one joins on, that join's too. When no expression is a column (or the join is FULL
 * OUTER) the key is the synthetic ROWKEY, which must be selected by that name.
 */
function validateJoinKeyPresent(
  refs: readonly FromRef[],
  joins: readonly JoinOn[],
  query: Query,
  projected: ReadonlySet<string>,
  keyOf: (e: Expr) => string,
  qualify: (e: Expr) => Expr,
  missingKey: (types: string, required: readonly string[], requireAll: boolean, synthetic?: boolean) => never,
): void {
  // Foreign-key table-table joins follow their own rule (the left table's primary key).
  const leftIsTable = refs[0].source.type === 'TABLE';
  if (leftIsTable && refs.every((r) => r.source.type === 'TABLE')) {
    const pk = refs[0].source.schema.key.map((c) => c.name);
    const sideOf = (e: Expr) => qualify(e);
    // Only the last join decides the result's key (ksqlDB checks the top JoinNode): after a
    // foreign-key join, a join on the left table's primary key makes the usual viable keys apply.
    const last = joins[joins.length - 1];
    const onPk = [last.left, last.right].some((e) => e.kind === 'ColumnRef' && pk.includes(e.name) && (sideOf(e) as { source: string }).source === refs[0].alias);
    if (!onPk) {
      // A foreign-key join's result is keyed by the left table's primary key: all of it selected.
      const left = refs[0];
      const missing = left.source.schema.key.filter((k) => !projected.has(keyOf({ kind: 'ColumnRef', source: left.alias, name: k.name, span: query.span })));
      if (missing.length) {
        const plural = missing.length > 1;
        throw new SqlError(
          'INVALID',
          `Primary key column${plural ? 's' : ''} missing in projection. For foreign-key table-table joins, the projection must include all primary key columns from the left input table (\`${left.alias}\`). Missing column${plural ? 's' : ''}: ${missing.map((k) => `\`${k.name}\``).join(', ')}.`,
          query.span,
        );
      }
      keySelectedOnce(refs, query, left.source.schema.key.map((k) => ({ kind: 'ColumnRef', source: left.alias, name: k.name, span: query.span }) as Expr), keyOf, qualify);
      return;
    }
  }
  const viable: Expr[] = [];
  let synthetic = false;
  for (let k = joins.length - 1; k >= 0; k--) {
    const j = joins[k];
    if (j.type === 'FULL') {
      if (k === joins.length - 1) synthetic = true;
      break;
    }
    const right = refs[k + 1].alias;
    const [l, r] = (qualify(j.left) as { source?: string }).source === right ? [j.right, j.left] : [j.left, j.right];
    const columns = [l, r].filter((e) => e.kind === 'ColumnRef');
    for (const c of columns.reverse()) if (!viable.some((v) => keyOf(v) === keyOf(c))) viable.unshift(c);
    const prev = joins[k - 1];
    if (!prev || ![prev.left, prev.right].some((e) => keyOf(e) === keyOf(l))) break;
  }
  if (viable.length === 0) synthetic = true;
  if (synthetic) {
    // `SELECT *` over a join includes its synthetic key column.
    const rowKey = syntheticJoinKeyName(refs.map((r) => r.source.schema));
    const rowKeySelected = selectsAll(query) || query.select.some((s) => s.kind === 'SelectExpr' && s.expr.kind === 'ColumnRef' && s.expr.name === rowKey);
    if (!rowKeySelected) missingKey('join expression', [rowKey], false, true);
    return;
  }
  if (viable.length && !viable.some((v) => projected.has(keyOf(v)))) {
    const order = new Map(refs.map((r, i) => [r.alias, i]));
    const sorted = viable.map(qualify).sort((a, b) => (order.get((a as { source: string }).source) ?? 0) - (order.get((b as { source: string }).source) ?? 0));
    missingKey('join expression', sorted.map(formatExpression), false);
  }
  keySelectedOnce(refs, query, viable, keyOf, qualify);
}

/**
 * A join's key selected under two names would be two key columns: ksqlDB names the key column
 * `<alias>_<column>` and lists the names it was selected as (an unaliased `s.col` is named
 * `S_COL` when another source has a column of that name, else `COL`).
 */
function keySelectedOnce(refs: readonly FromRef[], query: Query, keys: readonly Expr[], keyOf: (e: Expr) => string, qualify: (e: Expr) => Expr): void {
  const clashing = (name: string) => refs.filter((r) => allColumns(r.source.schema).some((c) => c.name === name)).length > 1;
  for (const key of keys) {
    const id = keyOf(key);
    const names: string[] = [];
    for (const item of query.select) {
      if (item.kind !== 'SelectExpr' || item.expr.kind !== 'ColumnRef' || keyOf(item.expr) !== id) continue;
      const q = qualify(item.expr) as ColumnRef;
      names.push(item.alias ?? (q.source !== null && clashing(q.name) ? `${q.source}_${q.name}` : q.name));
    }
    if (names.length < 2) continue;
    const k = qualify(key) as ColumnRef;
    throw new SqlError(
      'INVALID',
      `The projection contains a key column (\`${k.source}_${k.name}\`) more than once, aliased as: ${joinGrammatically([...names].sort(), 'and')}.\n` +
        'Each key column must only be in the projection once. If you intended to copy the key into the value, then consider using the AS_VALUE function to indicate which key reference should be copied.',
      query.span,
    );
  }
}
