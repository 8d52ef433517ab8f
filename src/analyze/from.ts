/**
 * The FROM clause: one source, or a left-deep chain of joins. Gives the statement analyzer what
 * differs between the two: the columns in scope (a joined row holds every source's columns, in
 * FROM order), how `*` expands and selected columns are named (in joins `ALIAS_COL`, or `COL`
 * when unambiguous, as ksqlDB), the default key expressions, and the join specifications.
 */
import type { Expr, JoinRelation, Relation, Span } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { Catalog, DataSource } from './catalog.ts';
import { allColumns } from '../types/schema.ts';
import { analyzeExpr, columnsScope, type ScopeColumn } from './expr/analyze-expr.ts';
import type { PseudoColumn, TypedExpr } from '../types/typed-expr.ts';
import { getFunction } from '../functions/registry.ts';
import { durationMs } from './aggregate.ts';
import { ExprIds } from './expr-key.ts';
import { ambiguousColumn, unknownColumn, unknownQualifier } from './clause-errors.ts';
import { walkExpr } from '../sql/expr-visit.ts';
import type { JoinSpec } from './output.ts';
import { syntheticJoinKeyName } from './synthetic-key.ts';

export interface FromSource {
  readonly source: DataSource;
  readonly alias: string;
  /** Index of its first column in the joined row. */
  readonly offset: number;
}

export interface FromAnalysis {
  readonly sources: readonly FromSource[];
  readonly primary: DataSource;
  readonly scopeColumns: readonly ScopeColumn[];
  readonly pseudo: readonly PseudoColumn[];
  readonly resultType: 'STREAM' | 'TABLE';
  readonly joins: readonly JoinSpec[];
  /** Expressions whose select items become key columns (without PARTITION BY). */
  readonly keyExprs: readonly Expr[];
  /** What `ROWKEY` means in a join: the join key (either side's for a FULL join). */
  readonly rowKey: Expr | null;
  /** The synthetic key column's name: `ROWKEY` unless a source uses it (see ./synthetic-key.ts). */
  readonly rowKeyName: string;
  /** A single foreign-key join: every key expression (the left table's primary key) is a key column. */
  readonly allKeyExprs: boolean;
  /** A FULL OUTER join: its key is the synthetic ROWKEY, never a column that `*` expands to. */
  readonly fullOuter: boolean;
  /** `*` or `alias.*`: column references and their output names. */
  star(source: string | null, span: Span): { expr: Expr; name: string | null }[];
  /**
   * `*` over a join after PARTITION BY: ksqlDB's repartition node expands to its value columns,
   * which are the join's — for each source its value columns, its system columns ROWTIME,
   * ROWPARTITION and ROWOFFSET, then its key columns, all named `ALIAS_COL`.
   */
  repartitionedStar(span: Span): { expr: Expr; name: string }[];
  /** Output name of a selected column reference (null: not a plain column). */
  columnName(expr: Expr): string | null;
  /** A structural identity of an expression with column references resolved to their source. */
  keyOf(expr: Expr): string;
}

const STREAM_PSEUDO: PseudoColumn[] = ['ROWTIME', 'ROWPARTITION', 'ROWOFFSET'];
const PSEUDO_NAMES = new Set(['ROWTIME', 'ROWPARTITION', 'ROWOFFSET', 'WINDOWSTART', 'WINDOWEND']);

export function analyzeFrom(from: Relation, catalog: Catalog, resolve: (name: string, span: Span) => DataSource): FromAnalysis {
  const refs: { name: string; alias: string | null; span: Span }[] = [];
  const joins: JoinRelation[] = [];
  const flatten = (r: Relation): void => {
    if (r.kind === 'SourceRef') refs.push({ name: r.name, alias: r.alias, span: r.span });
    else if (r.kind === 'Join') {
      flatten(r.left);
      if (r.right.kind !== 'SourceRef') throw new SqlError('UNSUPPORTED', 'The right side of a JOIN must be a stream or table', r.right.span);
      flatten(r.right);
      joins.push(r);
    } else throw new SqlError('UNSUPPORTED', `Table function ${r.name} is not supported in FROM`, r.span);
  };
  flatten(from);
  void catalog;
  const sources: FromSource[] = [];
  let offset = 0;
  for (const ref of refs) {
    const source = resolve(ref.name, ref.span);
    const alias = ref.alias ?? source.name;
    if (sources.some((s) => s.alias === alias)) throw new SqlError('INVALID', `Each source in a join needs its own alias: '${alias}' is used twice`, ref.span);
    sources.push({ source, alias, offset });
    offset += allColumns(source.schema).length;
  }
  const single = sources.length === 1;
  const scopeColumns: ScopeColumn[] = sources.flatMap((s) => allColumns(s.source.schema).map((c) => ({ name: c.name, type: c.type, source: s.alias })));
  const primary = sources[0].source;
  // Window bounds: of a windowed source, or of a join of windowed sources (they join window by window).
  const pseudo: PseudoColumn[] = sources.every((s) => s.source.window) ? [...STREAM_PSEUDO, 'WINDOWSTART', 'WINDOWEND'] : STREAM_PSEUDO;
  const owner = (name: string, qualifier: string | null, span: Span): FromSource => {
    if (PSEUDO_NAMES.has(name) && !sources.some((s) => allColumns(s.source.schema).some((c) => c.name === name))) {
      // A pseudo column belongs to the row it is read from: the named source, or the first.
      const q = qualifier === null ? sources[0] : sources.find((s) => s.alias === qualifier || s.source.name === qualifier);
      if (!q) throw unknownQualifier(qualifier, span);
      return q;
    }
    const found = sources.filter((s) => (qualifier === null || s.alias === qualifier || s.source.name === qualifier) && allColumns(s.source.schema).some((c) => c.name === name));
    if (found.length === 0) throw unknownColumn(`${qualifier ? `${qualifier}.` : ''}${name}`, span);
    if (found.length > 1) throw ambiguousColumn(name, found.map((s) => s.alias), span);
    return found[0];
  };
  const columnCount = (name: string) => sources.filter((s) => allColumns(s.source.schema).some((c) => c.name === name)).length;

  // Structural identity; in a join a column is identified with the source it resolves to.
  const ids = new ExprIds((ref) => {
    if (single || ref.name.startsWith('$')) return JSON.stringify([ref.name]);
    let source = ref.source;
    try {
      source = owner(ref.name, ref.source, ref.span).alias;
    } catch {
      // unresolvable here: reported where the expression is typed
    }
    return JSON.stringify([source, ref.name]);
  });
  const keyOf = (expr: Expr): string => String(ids.idOf(expr));

  // Joins: each ON must be `left expression = right expression`, one side per input.
  const specs: JoinSpec[] = [];
  const firstKeys: Expr[] = [];
  let synthetic: Expr | null = null;
  let leftIsTable = primary.type === 'TABLE';
  let equivalent: string[] = [];
  let viable: Expr[] = [];
  let foreignKeyChain = false;
  joins.forEach((j, k) => {
    const right = sources[k + 1];
    const leftSources = sources.slice(0, k + 1);
    const on = j.on;
    if (on.kind !== 'Comparison' || on.op !== '=') {
      throw new SqlError('UNSUPPORTED', 'A join condition must be an equality between an expression of each side (a = b)', on.span);
    }
    const sidesOf = (e: Expr): Set<string> => {
      const out = new Set<string>();
      walkExpr(e, (n) => void (n.kind === 'ColumnRef' && out.add(owner(n.name, n.source, n.span).alias)));
      return out;
    };
    let [le, re] = [on.left, on.right];
    const isRight = (e: Expr) => [...sidesOf(e)].every((a) => a === right.alias) && sidesOf(e).size > 0;
    const isLeft = (e: Expr) => [...sidesOf(e)].every((a) => leftSources.some((s) => s.alias === a)) && sidesOf(e).size > 0;
    if (isRight(le) && isLeft(re)) [le, re] = [re, le];
    if (!isLeft(le) || !isRight(re)) {
      throw new SqlError('INVALID', `Invalid join condition: each side of '=' must reference exactly one side of the join (${leftSources.map((s) => s.alias).join(', ')} on one side, ${right.alias} on the other)`, on.span);
    }
    const leftScope = columnsScope(scopeColumns.slice(0, right.offset), STREAM_PSEUDO);
    const rightScope = columnsScope(allColumns(right.source.schema).map((c) => ({ name: c.name, type: c.type, source: right.alias })), STREAM_PSEUDO);
    const leftKey: TypedExpr = analyzeExpr(le, leftScope, getFunction);
    const rightKey: TypedExpr = analyzeExpr(re, rightScope, getFunction);
    const rightIsTable = right.source.type === 'TABLE';
    if (rightIsTable && j.within) throw new SqlError('INVALID', 'WITHIN is only allowed on stream-stream joins', j.right.span);
    if (!leftIsTable && !rightIsTable && !j.within) {
      throw new SqlError('INVALID', `Stream-stream joins must have a WITHIN clause specified. None was provided.`, j.right.span);
    }
    if (leftIsTable && !rightIsTable) {
      throw new SqlError('INVALID', `Invalid join order: table-stream joins are not supported; put the stream on the left (FROM stream JOIN table).`, j.right.span);
    }
    if (!leftIsTable && rightIsTable && (j.type === 'RIGHT' || j.type === 'FULL')) {
      throw new SqlError('INVALID', `Invalid join type: ${j.type} OUTER joins between a stream and a table are not supported; use INNER or LEFT.`, j.right.span);
    }
    const rightKeyIsPk = rightIsTable && re.kind === 'ColumnRef' && right.source.schema.key.length === 1 && right.source.schema.key[0].name === (re as { name: string }).name;
    if (rightIsTable && !rightKeyIsPk) {
      throw new SqlError('INVALID', `Invalid join condition: table joins require the right table's PRIMARY KEY on the right side of '=' (${right.alias}.${right.source.schema.key.map((c) => c.name).join(', ')})`, re.span);
    }
    const leftPk = leftIsTable && le.kind === 'ColumnRef' && primary.schema.key.length === 1 && primary.schema.key[0].name === (le as { name: string }).name;
    specs.push({
      type: j.type,
      kind: leftIsTable ? 'TABLE_TABLE' : rightIsTable ? 'STREAM_TABLE' : 'STREAM_STREAM',
      leftKey,
      rightKey,
      leftWidth: right.offset,
      rightWidth: allColumns(right.source.schema).length,
      rightKeyCount: right.source.schema.key.length,
      leftKeyCount: leftIsTable ? primary.schema.key.length : 0,
      foreignKey: leftIsTable && !leftPk,
      beforeMs: j.within ? durationMs(j.within.before) : 0,
      afterMs: j.within ? durationMs(j.within.after) : 0,
      graceMs: j.within?.grace ? durationMs(j.within.grace) : null,
    });
    foreignKeyChain ||= leftIsTable && rightIsTable && !leftPk;
    if (!(leftIsTable && rightIsTable)) leftIsTable = false;
    // Key candidates: a selected column equal to either side of a join condition becomes the key
    // (the first one in select order); a foreign-key join keeps the left table's primary key.
    if (k === 0) {
      synthetic =
        j.type === 'FULL' ? { kind: 'FunctionCall', name: 'COALESCE', args: [le, re], distinct: false, over: null, span: on.span } : le;
      if (leftIsTable && rightIsTable) {
        // A foreign-key join's result is keyed by the left table's whole primary key.
        for (const pk of leftPk ? primary.schema.key.slice(0, 1) : primary.schema.key) firstKeys.push({ kind: 'ColumnRef', source: sources[0].alias, name: pk.name, span: on.span });
        if (!leftPk) return;
      }
      if (j.type === 'FULL') firstKeys.push(synthetic);
    }
    if (!(leftIsTable && rightIsTable && !leftPk)) firstKeys.push(le, re);
    // ksqlDB's JoinTree: the join's equivalence set (both ON expressions, plus the left subtree's
    // set when this join is on one of them; empty for FULL) and its viable key columns (the
    // subtree's, then this join's left and right ON columns, kept while in the set).
    if (j.type === 'FULL') {
      equivalent = [];
      viable = [];
    } else {
      const keys = [keyOf(le), keyOf(re)];
      const inherited = equivalent.some((e) => keys.includes(e)) ? equivalent : [];
      equivalent = [...new Set([...keys, ...inherited])];
      const next: Expr[] = [];
      for (const e of [...viable, le, re]) {
        if (e.kind === 'ColumnRef' && equivalent.includes(keyOf(e)) && !next.some((n) => keyOf(n) === keyOf(e))) next.push(e);
      }
      viable = next;
    }
  });
  // The key is the first viable column the projection selects (ksqlDB's buildJoinKey), so the
  // candidates are in viable order; a FULL join's synthetic key, or a foreign-key join's left
  // primary key, keep their own rules.
  const fullKey: Expr | null = synthetic;
  const keyCandidates = foreignKeyChain ? firstKeys : viable.length ? viable : fullKey ? [fullKey, ...firstKeys.filter((e) => e !== fullKey)] : firstKeys;
  return {
    sources,
    primary,
    scopeColumns,
    pseudo,
    resultType: leftIsTable ? 'TABLE' : 'STREAM',
    joins: specs,
    rowKey: synthetic,
    rowKeyName: syntheticJoinKeyName(sources.map((s) => s.source.schema)),
    fullOuter: joins[joins.length - 1]?.type === 'FULL',
    allKeyExprs: joins.length === 1 && foreignKeyChain,
    keyExprs: single ? primary.schema.key.map((c) => ({ kind: 'ColumnRef', source: null, name: c.name, span: from.span }) as Expr) : keyCandidates,
    star(qualifier, span) {
      const chosen = qualifier === null ? sources : sources.filter((s) => s.alias === qualifier || s.source.name === qualifier);
      if (chosen.length === 0) throw unknownQualifier(qualifier, span);
      return chosen.flatMap((s) =>
        allColumns(s.source.schema).map((c) => ({
          expr: { kind: 'ColumnRef', source: single ? null : s.alias, name: c.name, span } as Expr,
          name: single ? null : `${s.alias}_${c.name}`,
        })),
      );
    },
    repartitionedStar(span) {
      return sources.flatMap((s) => {
        const ref = (name: string) => ({ expr: { kind: 'ColumnRef', source: s.alias, name, span } as Expr, name: `${s.alias}_${name}` });
        return [
          ...s.source.schema.value.map((c) => ref(c.name)),
          ...STREAM_PSEUDO.map(ref),
          ...s.source.schema.key.map((c) => ref(c.name)),
        ];
      });
    },
    columnName(expr) {
      if (expr.kind !== 'ColumnRef') return null;
      if (single || expr.name.startsWith('$')) return expr.name;
      const s = owner(expr.name, expr.source, expr.span);
      if (PSEUDO_NAMES.has(expr.name) && expr.source) return `${s.alias}_${expr.name}`;
      return columnCount(expr.name) > 1 ? `${s.alias}_${expr.name}` : expr.name;
    },
    keyOf,
  };
}
