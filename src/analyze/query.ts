/**
 * Analysis of a SELECT: resolves sources, types every expression, works out the output schema
 * (which columns form the key, their names), and extracts table functions. Joins, windows and
 * aggregations are rejected here until their analyzers exist.
 *
 * Key columns follow ksqlDB: the key expressions are the PARTITION BY expressions, or else the
 * source's key columns; a select item equal to a key expression becomes a key column (in select
 * order, under its alias); every other item is a value column.
 */
import type { Expr, Query, SelectItem, Span } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { Catalog, DataSource } from './catalog.ts';
import type { Column, LogicalSchema } from '../types/schema.ts';
import type { TypedExpr } from '../types/typed-expr.ts';
import { analyzeExpr, columnsScope, type ExprScope } from './expr/analyze-expr.ts';
import { getFunction } from '../functions/registry.ts';
import { ExprIds } from './expr-key.ts';
import { extractTableFunctions, replaceCalls, replaceRowKey } from './query-rewrites.ts';
import { analyzeFrom, type FromAnalysis } from './from.ts';
import { analyzeAggregation, durationMs, isAggregateQuery, resolveAggregate, type AggregationAnalysis } from './aggregate.ts';
import type { ModelCallSpec, OverCall } from './output.ts';
import type { Duration } from '../sql/ast.ts';
import type { WindowInfo } from '../types/window.ts';
import { extractModelCalls, findModelCall, rewriteTableFunctionQuery } from './model-calls.ts';
import { inClause, joinedColumnText } from './clause-errors.ts';
import { validateWindowFunctionCalls } from './window-calls.ts';
import { formatTypedExpr } from '../types/typed-expr.ts';
import { isPartitionByNull } from './partition-by.ts';

export interface TableFunctionCall {
  readonly name: string;
  readonly args: readonly TypedExpr[];
  readonly column: Column;
}

export interface AnalyzedQuery {
  /** The (first) source: formats of CREATE ... AS SELECT are inherited from it. */
  readonly source: DataSource;
  /** All sources and joins of the FROM clause. */
  readonly from: FromAnalysis;
  readonly where: TypedExpr | null;
  /** Running aggregates (OVER), evaluated after WHERE; their results follow the source (and WHERE model) columns. */
  readonly overCalls: readonly OverCall[];
  readonly overColumns: readonly Column[];
  /** Table functions, evaluated after WHERE; their results are appended to the source columns. */
  readonly tableFunctions: readonly TableFunctionCall[];
  /** Model calls in WHERE, evaluated before the filter; their results follow the source columns. */
  readonly whereModelCalls: readonly ModelCallSpec[];
  readonly whereModelColumns: readonly Column[];
  /** Model calls in SELECT, evaluated after table functions; results follow the table function columns. */
  readonly modelCalls: readonly ModelCallSpec[];
  readonly modelColumns: readonly Column[];
  /** Output expressions over (source columns + table function columns), key columns first. */
  readonly projection: readonly TypedExpr[];
  readonly schema: LogicalSchema;
  /**
   * The select items' output names in SELECT order. A persistent query writes key columns then
   * value columns (schema); a transient (push or pull) query answers in this order, as ksqlDB,
   * without key columns the SELECT leaves out.
   */
  readonly selectNames: readonly string[];
  /** The output key differs from the source key (PARTITION BY). */
  readonly rekeyed: boolean;
  readonly emit: 'CHANGES' | 'FINAL' | null;
  readonly limit: number | null;
  /** GROUP BY / aggregates: the aggregate step, HAVING, and the projection over its output. */
  readonly aggregation: AggregationAnalysis | null;
  /** What the query produces: a TABLE for aggregations and queries over tables. */
  readonly resultType: 'STREAM' | 'TABLE';
  /** The output's key is windowed (windowed aggregation, or a windowed source). */
  readonly window: WindowInfo | null;
}


export interface AnalyzeOptions {
  /**
   * A transient (push or pull) query: `*` over a windowed source also returns WINDOWSTART and
   * WINDOWEND after the key columns, as ksqlDB (a persistent query's sink keeps them in its key).
   */
  readonly transient?: boolean;
}

export function analyzeQuery(input: Query, catalog: Catalog, options: AnalyzeOptions = {}): AnalyzedQuery {
  validateWindowFunctionCalls(input);
  let query = rewriteTableFunctionQuery(input, catalog);
  const aggregate = isAggregateQuery(query);
  if (query.window && !aggregate) throw new SqlError('INVALID', 'WINDOW clause requires a GROUP BY clause.', query.span);
  if (query.having && !aggregate) throw new SqlError('INVALID', 'HAVING requires GROUP BY', query.having.span);

  const from = analyzeFrom(query.from, catalog, (name, span) => resolveSource(catalog, name, span));
  if (from.rowKey) query = replaceRowKey(query, from.rowKey, from.rowKeyName);
  const source = from.primary;
  const isJoin = from.joins.length > 0;
  if (query.window && from.resultType === 'TABLE') throw new SqlError('INVALID', 'WINDOW clause is not supported on tables: windows apply to streams', query.span);
  if (aggregate && query.partitionBy) throw new SqlError('INVALID', 'PARTITION BY and GROUP BY cannot be used together', query.span);
  // PARTITION BY NULL: no key at all; the source's key columns move into the value (as `*` shows).
  const partitionBy = query.partitionBy && isPartitionByNull(query.partitionBy) ? [] : query.partitionBy;
  const alias = from.sources[0].alias;
  const scopeCols = [...from.scopeColumns];
  const pseudo = [...from.pseudo];
  const baseScope = columnsScope(scopeCols, pseudo);
  const joinText = isJoin ? joinedColumnText(scopeCols) : undefined;

  let modelColumnCount = 0;
  const newColumnName = () => `$MODEL${modelColumnCount++}`;
  let scopeCols0 = scopeCols;
  let whereScope = baseScope;
  let whereExpr = query.where;
  const whereModels = query.where
    ? extractModelCalls([query.where], { catalog, scope: baseScope, newColumnName })
    : { exprs: [], calls: [], columns: [] };
  if (whereModels.calls.length) {
    whereExpr = whereModels.exprs[0];
    scopeCols0 = [...scopeCols, ...whereModels.columns.map((c) => ({ name: c.name, type: c.type, source: alias }))];
    whereScope = columnsScope(scopeCols0, pseudo);
  }
  let where: TypedExpr | null = null;
  if (query.where && whereExpr) {
    where = inClause('WHERE', () => analyzeExpr(whereExpr, whereScope, getFunction), joinText);
    if (where.type.kind !== 'BOOLEAN') {
      throw new SqlError('TYPE', `Type error in WHERE expression: Should evaluate to boolean but is ${formatTypedExpr(where)} (${where.type.kind}) instead.`, query.where.span);
    }
  }

  // Select items, with `*` expanded to column references.
  const items = inClause('SELECT', () =>
    expandSelect(query.select, from, partitionBy, (e) => analyzeExpr(e, baseScope, getFunction), options.transient === true),
  );

  const common = { source, from, where, whereModelCalls: whereModels.calls, whereModelColumns: whereModels.columns, emit: query.emit, limit: query.limit };
  if (aggregate) {
    const predict = findModelCall([...items.map((i) => i.expr), ...(query.having ? [query.having] : [])]);
    if (predict) {
      throw new SqlError('UNSUPPORTED', 'PREDICT over aggregates is not supported yet: aggregate in one query, then PREDICT over its table', predict.span);
    }
    const aggregation = inClause('SELECT', () => analyzeAggregation(query, items, whereScope, query.window !== null, joinText));
    return {
      ...common,
      tableFunctions: [],
      overCalls: [],
      overColumns: [],
      modelCalls: [],
      modelColumns: [],
      projection: aggregation.projection,
      schema: aggregation.schema,
      rekeyed: true,
      aggregation,
      resultType: 'TABLE',
      window: aggregation.window?.info ?? null,
      selectNames: aggregation.selectNames,
    };
  }

  // Running aggregates (OVER): each call becomes a reference to a column the step appends.
  const overCalls: OverCall[] = [];
  const overCols: Column[] = [];
  const overItems = items.map((item) => ({
    ...item,
    expr: replaceCalls(item.expr, (c) => c.over !== null, (call) => {
      const name = `$OVER${overCalls.length}`;
      const aggregate = resolveAggregate({ ...call, over: null }, whereScope);
      const over = call.over!;
      const frame = over.frame;
      overCalls.push({
        aggregate,
        partitionBy: over.partitionBy.map((p) => analyzeExpr(p, whereScope, getFunction)),
        frame:
          frame === null || frame.preceding === 'UNBOUNDED'
            ? null
            : frame.kind === 'ROWS'
              ? { kind: 'ROWS', preceding: frame.preceding as number }
              : { kind: 'RANGE', precedingMs: durationMs(frame.preceding as Duration) },
      });
      overCols.push({ name, type: aggregate.returnType });
      return { kind: 'ColumnRef', source: null, name, span: call.span };
    }),
  }));
  if (overCalls.length) scopeCols0 = [...scopeCols0, ...overCols.map((c) => ({ name: c.name, type: c.type, source: alias }))];

  // Table functions: replace each call in a select item by a reference to a synthetic column.
  const tableFunctions: TableFunctionCall[] = [];
  const tfScopeCols = [...scopeCols0];
  const rewritten = overItems.map((item) => ({
    ...item,
    expr: extractTableFunctions(item.expr, (call) => {
      const fn = getFunction(call.name);
      const args = call.args.map((a) => analyzeExpr(a, baseScope, getFunction));
      if (!fn || fn.kind !== 'table') throw new SqlError('UNKNOWN_FUNCTION', `Unknown table function ${call.name}`, call.span);
      const resolved = fn.resolve(args.map((a) => a.type), { literalArg: () => undefined });
      if (typeof resolved === 'string') throw new SqlError('TYPE', resolved, call.span);
      const name = `$TF${tableFunctions.length}`;
      tableFunctions.push({ name: fn.name, args, column: { name, type: resolved.returnType } });
      tfScopeCols.push({ name, type: resolved.returnType, source: alias });
      return { kind: 'ColumnRef', source: null, name, span: call.span };
    }),
  }));
  const tfScope = tableFunctions.length || whereModels.calls.length || overCalls.length ? columnsScope(tfScopeCols, pseudo) : baseScope;
  const selectModels = extractModelCalls(
    rewritten.map((r) => r.expr),
    { catalog, scope: tfScope, newColumnName },
  );
  selectModels.exprs.forEach((e, i) => (rewritten[i] = { ...rewritten[i], expr: e }));
  const scope = selectModels.calls.length
    ? columnsScope([...tfScopeCols, ...selectModels.columns.map((c) => ({ name: c.name, type: c.type, source: alias }))], pseudo)
    : tfScope;

  // Key expressions and output naming.
  const keyExprs: Expr[] = partitionBy ? [...partitionBy] : [...from.keyExprs];
  const keyExprKeys = keyExprs.map((e) => from.keyOf(e));
  const rekeyed = partitionBy !== null || isJoin;

  const names = inClause('SELECT', () => nameColumns(rewritten, scopeCols.map((c) => c.name), from));
  const keyCols: { col: Column; expr: TypedExpr }[] = [];
  const valueCols: { col: Column; expr: TypedExpr }[] = [];
  const seen = new Set<string>();
  const keyTaken = new Set<number>();
  // In a join the key is the first selected join column, explicit selections before `*` ones.
  const keyCandidate = (i: number) =>
    keyExprKeys.indexOf(from.keyOf(items[i].original)) >= 0 && !(items[i].fromStar && from.fullOuter);
  // ksqlDB takes the first candidate (in viable-key order) that the projection selects.
  const itemFor = (k: number): number => {
    const matches = (i: number) => keyExprKeys[k] === from.keyOf(items[i].original) && keyCandidate(i);
    const explicit = items.findIndex((it, i) => !it.fromStar && matches(i));
    return explicit >= 0 ? explicit : items.findIndex((_it, i) => matches(i));
  };
  const selectedKeys = isJoin ? keyExprKeys.map((_k, k) => itemFor(k)).filter((i) => i >= 0) : [];
  const joinKeyItems = from.allKeyExprs ? selectedKeys : selectedKeys.slice(0, 1);
  rewritten.forEach((item, i) => {
    let typed = inClause('SELECT', () => analyzeExpr(item.expr, scope, getFunction));
    const name = names[i];
    if (seen.has(name)) throw new SqlError('INVALID', `Duplicate column name '${name}' in the projection`, item.span);
    seen.add(name);
    const ki = keyExprKeys.indexOf(from.keyOf(item.original));
    // In a join, one select item per key: the first that repeats a join expression.
    const isKey = isJoin ? joinKeyItems.includes(i) : ki >= 0;
    if (isKey) keyTaken.add(ki);
    if (isKey && isJoin && !partitionBy && !from.allKeyExprs) typed = joinKeyExpr(item.original, keyExprs.filter((e) => from.keyOf(e) !== from.keyOf(item.original)), scope, typed);
    (isKey ? keyCols : valueCols).push({ col: { name, type: typed.type }, expr: typed });
  });
  if (isJoin && keyCols.length === 0 && keyExprs.length) {
    // The join key is not selected (a FULL join's synthetic key, or `SELECT *`): keep it as the key.
    const typed = analyzeExpr(keyExprs[0], scope, getFunction);
    let name = from.rowKeyName;
    for (let n = 1; seen.has(name); n++) name = `${from.rowKeyName}_${n}`;
    keyCols.push({ col: { name, type: typed.type }, expr: typed });
  }

  return {
    ...common,
    overCalls,
    overColumns: overCols,
    tableFunctions,
    modelCalls: selectModels.calls,
    modelColumns: selectModels.columns,
    projection: [...keyCols, ...valueCols].map((e) => e.expr),
    schema: { key: keyCols.map((e) => e.col), value: valueCols.map((e) => e.col) },
    selectNames: names,
    rekeyed,
    aggregation: null,
    resultType: from.resultType,
    // A join of windowed sources is windowed as they are (the analyzer requires equal windows).
    window: isJoin ? (from.sources.every((s) => s.source.window) ? source.window : null) : source.window,
  };
}

export function resolveSource(catalog: Catalog, name: string, span: Span): DataSource {
  const source = catalog.getSource(name);
  if (source) return source;
  throw new SqlError('UNKNOWN_SOURCE', `${name} does not exist.${catalog.alternatives(name)}`, span);
}

interface Item {
  readonly expr: Expr;
  /** The expression as written (before table-function rewriting), to match key expressions. */
  readonly original: Expr;
  /** Expanded from `*` / `alias.*`. */
  readonly fromStar?: boolean;
  readonly alias: string | null;
  readonly span: Span;
}

function expandSelect(
  select: readonly SelectItem[],
  from: FromAnalysis,
  partitionBy: readonly Expr[] | null,
  typeOf: (e: Expr) => TypedExpr,
  transient: boolean,
): Item[] {
  const out: Item[] = [];
  for (const item of select) {
    switch (item.kind) {
      case 'AllColumns':
        if (from.joins.length === 0) {
          from.star(item.source, item.span); // validates the qualifier
          for (const expr of starColumns(from.primary, partitionBy, item.span, transient)) out.push({ expr, original: expr, alias: null, span: item.span });
        } else {
          const columns = partitionBy && item.source === null ? from.repartitionedStar(item.span) : from.star(item.source, item.span);
          for (const c of columns) out.push({ expr: c.expr, original: c.expr, alias: c.name, span: item.span, fromStar: true });
        }
        break;
      case 'SelectExpr':
        out.push({ expr: item.expr, original: item.expr, alias: item.alias, span: item.span });
        break;
      case 'StructAll': {
        // `s->*`: one column per field of the struct, named after the field.
        const t = typeOf(item.base).type;
        if (t.kind !== 'STRUCT') throw new SqlError('TYPE', `'->*' needs a STRUCT, not ${t.kind}`, item.span);
        for (const f of t.fields) {
          const expr: Expr = { kind: 'Dereference', base: item.base, field: f.name, span: item.span };
          out.push({ expr, original: expr, alias: null, span: item.span });
        }
        break;
      }
    }
  }
  return out;
}

/**
 * `*`: the source's key then value columns (for a transient query over a windowed source, the
 * window bounds between them). After PARTITION BY (as ksqlDB): the partition
 * expressions first (they become the key), then the value columns, then the old key columns,
 * each column once.
 */
function starColumns(source: DataSource, partitionBy: readonly Expr[] | null, span: Span, transient: boolean): Expr[] {
  const ref = (name: string): Expr => ({ kind: 'ColumnRef', source: null, name, span });
  if (!partitionBy) {
    const bounds = transient && source.window ? [ref('WINDOWSTART'), ref('WINDOWEND')] : [];
    return [...source.schema.key.map((c) => ref(c.name)), ...bounds, ...source.schema.value.map((c) => ref(c.name))];
  }
  const ids = new ExprIds();
  const keys = new Set(partitionBy.map((e) => ids.idOf(e)));
  const rest = [...source.schema.value, ...source.schema.key].map((c) => ref(c.name)).filter((e) => !keys.has(ids.idOf(e)));
  return [...partitionBy, ...rest];
}

/** ksqlDB's output names: the alias, a column's name, a struct field's name, else KSQL_COL_<n>. */
function nameColumns(items: readonly Item[], sourceColumns: readonly string[], from: FromAnalysis): string[] {
  const explicit = items.map((it) => it.alias ?? from.columnName(it.original));
  const taken = new Set(explicit.filter((n): n is string => n !== null));
  // A struct field's name is used unless it clashes with a selected or source column: then `_1`, `_2`...
  const fieldTaken = new Set([...taken, ...sourceColumns]);
  const named = items.map((it, i) => {
    if (explicit[i] !== null || it.original.kind !== 'Dereference') return explicit[i];
    let name = it.original.field;
    for (let n = 1; fieldTaken.has(name); n++) name = `${it.original.field}_${n}`;
    fieldTaken.add(name);
    taken.add(name);
    return name;
  });
  // Generated names skip every name of the sources too, selected or not (ksqlDB's ColumnNames.columnAliasGenerator).
  for (const c of sourceColumns) taken.add(c);
  let n = 0;
  return named.map((name) => {
    if (name !== null) return name;
    while (taken.has(`KSQL_COL_${n}`)) n++;
    const generated = `KSQL_COL_${n++}`;
    taken.add(generated);
    return generated;
  });
}

/**
 * The key column of a join is the join key itself: after an outer join the selected side may be
 * missing, and the key is then the other side's (COALESCE over the equivalent join expressions).
 */
function joinKeyExpr(selected: Expr, candidates: readonly Expr[], scope: ExprScope, typed: TypedExpr): TypedExpr {
  const others = candidates.filter((c) => c.kind === 'ColumnRef' && c !== selected);
  if (others.length === 0) return typed;
  try {
    const coalesced = analyzeExpr({ kind: 'FunctionCall', name: 'COALESCE', args: [selected, ...others], distinct: false, over: null, span: selected.span }, scope, getFunction);
    return coalesced.type.kind === typed.type.kind ? coalesced : typed;
  } catch {
    return typed;
  }
}
