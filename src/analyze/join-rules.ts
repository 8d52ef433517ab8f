/**
 * ksqlDB's join validity rules (its Analyzer's visitJoin and JoinNode), checked on the statement
 * before it is typed so ksqlDB's messages win:
 * - ON is one equality whose sides each reference exactly one source, not the same one, and one
 *   of them the source being joined;
 * - stream-table joins have the stream on the left and are INNER or LEFT;
 * - a join to a table uses the table's whole primary key on its side; a table-table join on
 *   another left expression is a foreign-key join: not RIGHT OUTER, not in an n-way join;
 * - the two join columns have the same type.
 * `Got ...` repeats the condition as written, with columns qualified by their source.
 */
import type { Expr, JoinRelation, Query, Relation, Span } from '../sql/ast.ts';
import { mapChildren, walkExpr } from '../sql/expr-visit.ts';
import { SqlError } from '../sql/errors.ts';
import { ambiguousColumn, ksqlLocation, unknownQualifier } from './clause-errors.ts';
import { formatExpression } from '../sql/format-expr.ts';
import { formatType, typesEqual, type SqlType } from '../types/sql-type.ts';
import type { Catalog, DataSource } from './catalog.ts';
import { allColumns } from '../types/schema.ts';
import { SYSTEM_COLUMNS } from '../types/typed-expr.ts';
import { syntheticJoinKeyName } from './synthetic-key.ts';
import type { WindowInfo } from '../types/window.ts';
import { analyzeExpr, columnsScope } from './expr/analyze-expr.ts';
import { getFunction } from '../functions/registry.ts';

interface Aliased {
  readonly alias: string;
  readonly source: DataSource;
}

const containsMap = (t: SqlType): boolean =>
  t.kind === 'MAP' || (t.kind === 'ARRAY' && containsMap(t.element)) || (t.kind === 'STRUCT' && t.fields.some((f) => containsMap(f.type)));

/** The window size ksqlDB's WindowInfo keeps (none for session windows). */
const windowSize = (w: WindowInfo): number | null => (w.kind === 'SESSION' ? null : w.sizeMs);

// ksqlDB's JoinNode.JoinType#toString, as its join errors print it.
const JOIN_TYPE_TEXT: Record<JoinRelation['type'], string> = { INNER: '[INNER] JOIN', LEFT: 'LEFT [OUTER] JOIN', RIGHT: 'RIGHT [OUTER] JOIN', FULL: '[FULL] OUTER JOIN' };

export function validateJoinRules(query: Query, catalog: Catalog): void {
  const sources: Aliased[] = [];
  const joins: { join: JoinRelation; right: Aliased; index: number }[] = [];
  const flatten = (r: Relation): boolean => {
    if (r.kind === 'SourceRef') {
      const source = catalog.getSource(r.name);
      if (!source) return false;
      sources.push({ alias: r.alias ?? source.name, source });
      return true;
    }
    if (r.kind !== 'Join' || r.right.kind !== 'SourceRef') return false;
    if (!flatten(r.left) || !flatten(r.right)) return false;
    joins.push({ join: r, right: sources[sources.length - 1], index: sources.length - 1 });
    return true;
  };
  if (!flatten(query.from) || joins.length === 0) return;

  const byQualifier = (q: string) => sources.find((s) => s.alias === q || s.source.name === q);
  const rowKey = syntheticJoinKeyName(sources.map((s) => s.source.schema));
  const pseudo = (name: string) => (SYSTEM_COLUMNS as readonly string[]).includes(name) || name === rowKey;
  const ownerOf = (ref: { source: string | null; name: string; span: Span }): Aliased | null => {
    if (ref.source !== null) {
      const s = byQualifier(ref.source);
      if (!s) throw unknownQualifier(ref.source, ref.span);
      if (!pseudo(ref.name) && !allColumns(s.source.schema).some((c) => c.name === ref.name)) {
        throw new SqlError('UNKNOWN_COLUMN', `${ksqlLocation(ref.span)}JOIN ON column '${ref.source}.${ref.name}' cannot be resolved.`, ref.span);
      }
      return s;
    }
    if (pseudo(ref.name)) return null;
    const found = sources.filter((s) => allColumns(s.source.schema).some((c) => c.name === ref.name));
    if (found.length === 0) throw new SqlError('UNKNOWN_COLUMN', `${ksqlLocation(ref.span)}JOIN ON column '${ref.name}' cannot be resolved.`, ref.span);
    if (found.length > 1) throw ambiguousColumn(ref.name, found.map((s) => s.alias), ref.span);
    return found[0] ?? null;
  };
  const qualify = (e: Expr): Expr => {
    const visit = (n: Expr): Expr => {
      if (n.kind !== 'ColumnRef') return mapChildren(n, visit);
      const owner = ownerOf(n);
      return owner ? { ...n, source: owner.alias } : n;
    };
    return visit(e);
  };
  const sourcesOf = (e: Expr): Set<string> => {
    const out = new Set<string>();
    walkExpr(e, (n) => {
      if (n.kind !== 'ColumnRef') return;
      const owner = ownerOf(n);
      if (owner) out.add(owner.alias);
    });
    return out;
  };
  // Any join expression's type (CAST(l.x AS STRING) too), over the columns of all sources; an
  // expression that does not type is reported where the query is analysed.
  const scope = columnsScope(sources.flatMap((s) => allColumns(s.source.schema).map((c) => ({ name: c.name, type: c.type, source: s.alias }))), []);
  const typeOf = (e: Expr): SqlType | null => {
    if (e.kind !== 'ColumnRef') {
      try {
        return analyzeExpr(qualify(e), scope, getFunction).type;
      } catch {
        return null;
      }
    }
    const owner = ownerOf(e);
    return owner ? (allColumns(owner.source.schema).find((c) => c.name === e.name)?.type ?? null) : null;
  };

  // ksqlDB's analyzer checks every join's criteria (sources, sides) before its planner checks
  // join order, keys and types: a later join's bad criteria is reported before an earlier join's key.
  const criteria: { join: JoinRelation; right: Aliased; index: number; on: Expr & { kind: 'Comparison' }; got: string; l: string; r: string }[] = [];
  for (const { join, right, index } of joins) {
    const on = join.on;
    if (on.kind === 'Logical') {
      throw new SqlError('INVALID', `Invalid join condition: joins on multiple conditions are not yet supported. Got ${formatExpression(qualify(on))}.`, on.span);
    }
    if (on.kind !== 'Comparison' || on.op !== '=') continue;
    // Unknown qualifiers first, wherever they are in the condition (ksqlDB resolves sources first).
    walkExpr(on, (n) => {
      if (n.kind === 'ColumnRef' && n.source !== null && !byQualifier(n.source)) {
        throw unknownQualifier(n.source, n.span);
      }
    });
    const onText = formatExpression(qualify(on));
    const got = onText.replace(/^\((.*)\)$/s, '$1');
    const sides = [on.left, on.right].map((e) => ({ expr: e, refs: sourcesOf(e) }));
    for (const side of sides) {
      if (side.refs.size !== 1) {
        throw new SqlError(
          'INVALID',
          `Invalid comparison expression '${formatExpression(qualify(side.expr))}' in join '${onText}'. Each side of the join comparision must contain references from exactly one source.`,
          on.span,
        );
      }
    }
    const [l, r] = sides.map((s) => [...s.refs][0]);
    if (l === r) {
      throw new SqlError('INVALID', `Each side of the join must reference exactly one source and not the same source. Left side references \`${l}\` and right references \`${r}\``, on.span);
    }
    if (l !== right.alias && r !== right.alias) {
      throw new SqlError(
        'INVALID',
        `A join criteria is expected to reference the source (\`${right.alias}\`) in the FROM clause, instead the right source references \`${r}\` and the left source references \`${l}\``,
        on.span,
      );
    }
    criteria.push({ join, right, index, on, got, l, r });
  }
  let leftIsTable = sources[0].source.type === 'TABLE';
  for (const { join, right, index, on, got, l, r } of criteria) {
    const rightExpr = r === right.alias ? on.right : on.left;
    const leftExpr = r === right.alias ? on.left : on.right;
    const left = sources.find((s) => s.alias === (r === right.alias ? l : r))!;
    const rightIsTable = right.source.type === 'TABLE';
    const joinText = (a: Aliased, b: Aliased) => `${a.source.name} ${JOIN_TYPE_TEXT[join.type]} ${b.source.name}`;
    if (leftIsTable && !rightIsTable) {
      throw new SqlError('INVALID', `Invalid join order: table-stream joins are not supported; only stream-table joins. Got ${joinText(sources[0], right)}.`, join.right.span);
    }
    if (!leftIsTable && rightIsTable && (join.type === 'FULL' || join.type === 'RIGHT')) {
      const kind = join.type === 'FULL' ? 'full-outer' : 'right-outer';
      throw new SqlError('INVALID', `Invalid join type: ${kind} join not supported for stream-table join. Got ${joinText(sources[0], right)}.`, join.right.span);
    }
    const isPk = (s: Aliased, e: Expr) => e.kind === 'ColumnRef' && s.source.schema.key.length === 1 && s.source.schema.key[0].name === e.name;
    if (rightIsTable && !isPk(right, rightExpr)) {
      const kind = leftIsTable ? 'table-table joins require to join on the primary key of the right input table' : "stream-table joins require to join on the table's primary key";
      throw new SqlError('INVALID', `Invalid join condition: ${kind}. Got ${got}.`, on.span);
    }
    // A table-table join not on the left's primary key is a foreign-key join: only as the first join.
    const foreignKey = leftIsTable && rightIsTable && !isPk(left, leftExpr);
    if (foreignKey && index > 1) {
      throw new SqlError('INVALID', `Invalid join condition: foreign-key table-table joins are not supported as part of n-way joins. Got ${got}.`, on.span);
    }
    if (foreignKey && join.type === 'RIGHT') throw new SqlError('INVALID', 'RIGHT OUTER JOIN on a foreign key is not supported', join.right.span);
    // A windowed side joined on anything but its key would need a repartition (not supported by ksqlDB).
    for (const [side, e] of [[left, leftExpr], [right, rightExpr]] as const) {
      if (side.source.window && !isPk(side, e)) {
        throw new SqlError('INVALID', 'Implicit repartitioning of windowed sources is not supported. See https://github.com/confluentinc/ksql/issues/4385.', on.span);
      }
    }
    // Two windowed sides must already share the key format, windows included (ksqlDB's KeyFormat:
    // format, window type and size); otherwise one side would be re-keyed, which windowed sources cannot.
    const lw = left.source.window;
    const rw = right.source.window;
    if (lw && rw && (lw.kind !== rw.kind || windowSize(lw) !== windowSize(rw) || left.source.formats.keyFormat !== right.source.formats.keyFormat)) {
      throw new SqlError('INVALID', 'Implicit repartitioning of windowed sources is not supported. See https://github.com/confluentinc/ksql/issues/4385.', on.span);
    }
    const lt = typeOf(leftExpr);
    const rt = typeOf(rightExpr);
    if (lt && rt && !typesEqual(lt, rt)) {
      const side = (e: Expr, t: SqlType) => `${formatExpression(qualify(e))}{${formatType(t)}}`;
      throw new SqlError('INVALID', `Invalid join condition: types don't match. Got ${side(on.left, typeOf(on.left)!)} = ${side(on.right, typeOf(on.right)!)}.`, on.span);
    }
    // Joining on a map re-keys the left side by it, which ksqlDB refuses for any key holding a
    // map; it names the repartition key <alias>_<column> (KSQL_COL_0 for an expression).
    if (lt && containsMap(lt)) {
      const name = leftExpr.kind === 'ColumnRef' ? `${left.alias}_${leftExpr.name}` : 'KSQL_COL_0';
      throw new SqlError(
        'INVALID',
        `Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: \`${name}\`. Column type: ${formatType(lt)}. See https://github.com/confluentinc/ksql/issues/6621 for more.`,
        on.span,
      );
    }
    if (!(leftIsTable && rightIsTable)) leftIsTable = false;
  }
}
