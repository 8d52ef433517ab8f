/**
 * Model calls in expressions: `PREDICT(m, f1, f2)` anywhere an expression is, and Flink's
 * `ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(f1, f2))` in FROM. The analyzer hands each list of
 * expressions here before typing it; every PREDICT call is replaced by a reference to a new
 * column that a ModelCallStep computes (one batched request per batch of rows).
 *
 * `PREDICT(m[$version], f1, ..., fn [, MAP('timeout' := '1s', ...)])`: one argument per model
 * INPUT column, each converted to the column's type as INSERT VALUES would; a trailing map of
 * string literals overrides model options for this call. The result is a STRUCT of the model's
 * OUTPUT columns (plus ERROR_FIELDS under ON_ERROR = 'ERROR_COLUMNS').
 *
 * Invariants: identical calls (same model, version, options and argument expressions) within one
 * query are extracted once: within a list, and across WHERE and SELECT of the same query (keyed
 * on the analyzer's `newColumnName`, which is one function per query analysis), so
 * `WHERE PREDICT(m, a)->x = 1` with `SELECT PREDICT(m, a)->y` calls the model once per row.
 * Calls inside lambdas or inside another call's arguments are rejected (they could not be batched).
 */
import type { Expr, Query, SelectItem, Span, TableFunctionRelation } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { mapChildren, walkExprs } from '../sql/expr-visit.ts';
import { ExprIds } from './expr-key.ts';
import { formatType, isNumeric, numericRank, typesEqual } from '../types/sql-type.ts';
import type { TypedExpr } from '../types/typed-expr.ts';
import type { ExprScope } from './expr/analyze-expr.ts';
import { analyzeExpr, analyzeExprAs } from './expr/analyze-expr.ts';
import { suggest } from './expr/scope.ts';
import type { Catalog } from './catalog.ts';
import type { Column } from '../types/schema.ts';
import { allColumns } from '../types/schema.ts';
import type { ModelCallSpec } from './output.ts';
import { getFunction } from '../functions/registry.ts';
import type { ModelDefinition } from '../ml/sql-model.ts';
import { ERROR_FIELDS, definitionOf, effectiveSpec, errorFieldClash, normalizeCallOptions, outputStructType, splitModelRef } from '../ml/sql-model.ts';
import type { OnErrorPolicy } from '../ml/spec.ts';

export interface ModelCallContext {
  readonly catalog: Catalog;
  /** Scope in which the call arguments are typed. */
  readonly scope: ExprScope;
  /** A fresh, unique column name for a call's result. */
  readonly newColumnName: () => string;
}

export interface ExtractedModelCalls {
  /** The expressions with each model call replaced by a ColumnRef to its result column. */
  readonly exprs: Expr[];
  readonly calls: ModelCallSpec[];
  /** One result column per call, in `calls` order (appended to the input columns). */
  readonly columns: Column[];
}

type FnCall = Extract<Expr, { kind: 'FunctionCall' }>;

/** PREDICT, or ANOMALY_SCORE(m, ...) = PREDICT(m, ...)->SCORE (for anomaly models). */
const MODEL_CALLS = new Set(['PREDICT', 'ANOMALY_SCORE']);
const isPredict = (e: unknown): e is FnCall =>
  typeof e === 'object' && e !== null && (e as { kind?: unknown }).kind === 'FunctionCall' && MODEL_CALLS.has((e as FnCall).name.toUpperCase());
const isAnomalyScore = (c: FnCall): boolean => c.name.toUpperCase() === 'ANOMALY_SCORE';

/** A PREDICT call resolved against the catalog, before its arguments are typed. */
interface ResolvedCall {
  readonly def: ModelDefinition;
  readonly version: string | null;
  readonly options: Readonly<Record<string, string>>;
  readonly features: readonly Expr[];
  readonly policy: OnErrorPolicy;
}

/** Looks a model reference (`m`, `m$2`, quoted or not) up in the catalog. */
export function findModel(catalog: Catalog, ref: string, span: Span): { def: ModelDefinition; version: string | null } {
  const { name, version } = splitModelRef(ref);
  const info = catalog.models.get(name) ?? catalog.models.get(name.toUpperCase());
  if (!info) {
    const hint = suggest(name, [...catalog.models.keys()]);
    throw new SqlError('INVALID', `Model '${name}' does not exist.${hint ? ` Did you mean '${hint}'?` : ' Create it with CREATE MODEL.'}`, span);
  }
  return { def: definitionOf(info), version };
}

/** A map of string literals (`MAP('k' := 'v')`, Flink's `MAP['k', 'v']`) as options; null when `e` is not one. */
function optionsMap(e: Expr): Record<string, string> | null {
  if (e.kind !== 'CreateMap') return null;
  const out: Record<string, string> = {};
  for (const { key, value } of e.entries) {
    if (key.kind !== 'Literal' || key.type !== 'STRING') return null;
    if (value.kind !== 'Literal' || (value.type !== 'STRING' && value.type !== 'INTEGER' && value.type !== 'BIGINT' && value.type !== 'BOOLEAN')) return null;
    out[key.raw] = value.raw;
  }
  return out;
}

function withSpan(e: unknown, span: Span): never {
  if (e instanceof SqlError && e.span === null) throw new SqlError(e.code, e.message, span);
  throw e;
}

function resolveCall(call: FnCall, catalog: Catalog): ResolvedCall {
  if (call.distinct || call.over) throw new SqlError('INVALID', 'PREDICT takes neither DISTINCT nor OVER', call.span);
  const [first, ...rest] = call.args;
  if (!first) throw new SqlError('TYPE', 'PREDICT needs a model: PREDICT(model, feature, ...)', call.span);
  let ref: string;
  if (first.kind === 'ColumnRef' && first.source === null) ref = first.name;
  else if (first.kind === 'Literal' && first.type === 'STRING') ref = first.raw;
  else throw new SqlError('TYPE', "PREDICT's first argument must be a model name: PREDICT(model, feature, ...)", first.span);
  const { def, version } = findModel(catalog, ref, first.span);
  const last = rest.length > 0 ? rest[rest.length - 1] : null;
  const rawOptions = last ? optionsMap(last) : null;
  const features = rawOptions ? rest.slice(0, -1) : rest;
  let options: Record<string, string> = {};
  let policy: OnErrorPolicy;
  try {
    if (rawOptions) options = normalizeCallOptions(rawOptions);
    policy = effectiveSpec(def, version, options).onError;
  } catch (e) {
    return withSpan(e, last && rawOptions ? last.span : first.span);
  }
  const name = `${def.name}${version === null ? '' : `$${version}`}`;
  if (features.length !== def.inputs.length) {
    const want = def.inputs.map((c) => `${c.name} ${formatType(c.type)}`).join(', ');
    throw new SqlError('TYPE', `PREDICT(${name}) takes ${def.inputs.length} feature argument${def.inputs.length === 1 ? '' : 's'} (${want}), got ${features.length}`, call.span);
  }
  if (policy === 'ERROR_COLUMNS') {
    const clash = errorFieldClash(def.outputs);
    if (clash) throw new SqlError('INVALID', `model ${def.name} has an output named ${clash}, which ON_ERROR = 'ERROR_COLUMNS' needs for its error columns`, call.span);
  }
  return { def, version, options, features, policy };
}

/**
 * Types a feature argument as the model's input column: the same type, NULL, a literal that
 * converts (as in INSERT VALUES), or a number that widens (INTEGER -> DOUBLE); anything else
 * (a STRING column for a DOUBLE input) is an error naming both, never a silent CAST.
 */
function typeFeature(arg: Expr, i: number, r: ResolvedCall, scope: ExprScope): TypedExpr {
  const input = r.def.inputs[i];
  if (arg.kind === 'Literal') return analyzeExprAs(arg, input.type, scope, getFunction);
  const typed = analyzeExpr(arg, scope, getFunction);
  const t = typed.type;
  if (typesEqual(t, input.type)) return typed;
  const widens = isNumeric(t) && isNumeric(input.type) && (numericRank(t) < numericRank(input.type) || (t.kind === 'DECIMAL' && input.type.kind === 'DECIMAL'));
  if (widens) return analyzeExprAs(arg, input.type, scope, getFunction);
  throw new SqlError('TYPE', `PREDICT(${r.def.name}): argument ${i + 1} is ${formatType(t)}, but model input ${input.name} is ${formatType(input.type)}; CAST it if that is meant`, arg.span);
}

/**
 * Calls already extracted in this query analysis (keyed on its newColumnName), for reuse across
 * WHERE and SELECT: result column by call key, and the structural ids the keys are made of.
 */
const extractedByQuery = new WeakMap<() => string, { readonly columns: Map<string, string>; readonly ids: ExprIds }>();

/** Replaces every outermost PREDICT call under `node` with `f(call, inside a lambda?)`. */
function mapExpr(node: Expr, f: (call: FnCall, inLambda: boolean) => Expr): Expr {
  const visit = (n: Expr, inLambda: boolean): Expr => {
    if (isPredict(n)) return f(n, inLambda);
    const inner = inLambda || n.kind === 'Lambda';
    return mapChildren(n, (c) => visit(c, inner));
  };
  return visit(node, false);
}

/** The first PREDICT call in `exprs` (for statements that cannot take one yet, to say so with its position). */
export function findModelCall(exprs: readonly Expr[]): FnCall | null {
  let found: FnCall | null = null;
  walkExprs(exprs, (n) => {
    if (found) return false;
    if (!isPredict(n)) return true;
    found = n;
    return false;
  });
  return found;
}

export function extractModelCalls(exprs: readonly Expr[], ctx: ModelCallContext): ExtractedModelCalls {
  let seen = extractedByQuery.get(ctx.newColumnName);
  // Source qualifiers are kept (unlike GROUP BY matching): in a join, PREDICT(m, l.x) and PREDICT(m, r.x) differ.
  if (!seen) extractedByQuery.set(ctx.newColumnName, (seen = { columns: new Map(), ids: new ExprIds((ref) => JSON.stringify([ref.source, ref.name])) }));
  const { columns: previous, ids } = seen;
  const calls: ModelCallSpec[] = [];
  const columns: Column[] = [];
  const mine = new Set<string>();
  const replace = (call: FnCall, inLambda: boolean): Expr => {
    if (inLambda) throw new SqlError('INVALID', 'PREDICT cannot be called inside a lambda: call it outside and pass the result in', call.span);
    const r = resolveCall(call, ctx.catalog);
    const nested = findModelCall(r.features);
    if (nested) throw new SqlError('INVALID', 'PREDICT calls cannot be nested: compute the inner prediction in a query of its own', nested.span);
    const key = JSON.stringify([r.def.name, r.version, Object.entries(r.options).sort(), r.features.map((f) => ids.idOf(f))]);
    const column = (name: string): Expr => ({ kind: 'ColumnRef', source: null, name, span: call.span });
    const ref = (name: string): Expr => (isAnomalyScore(call) ? { kind: 'Dereference', base: column(name), field: 'SCORE', span: call.span } : column(name));
    if (isAnomalyScore(call) && !r.def.outputs.some((c) => c.name === 'SCORE')) {
      throw new SqlError('INVALID', `ANOMALY_SCORE needs an anomaly model (an output named SCORE); ${r.def.name} has ${r.def.outputs.map((c) => c.name).join(', ')}: use PREDICT`, call.span);
    }
    const prior = previous.get(key);
    if (prior !== undefined && mine.has(prior)) return ref(prior);
    if (prior !== undefined) {
      try {
        ctx.scope.resolveColumn(null, prior, call.span);
        return ref(prior);
      } catch {
        // Not visible in this scope (another stage): extract it again.
      }
    }
    const args = r.features.map((a, i) => typeFeature(a, i, r, ctx.scope));
    const outputType = outputStructType(r.def, r.policy);
    const name = ctx.newColumnName();
    calls.push({ model: r.def.name, version: r.version, args, outputType, options: r.options });
    columns.push({ name, type: outputType });
    previous.set(key, name);
    mine.add(name);
    return ref(name);
  };
  return { exprs: exprs.map((e) => mapExpr(e, replace)), calls, columns };
}

/**
 * Rewrites `SELECT ... FROM ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(...))` into a query over `s`
 * (`*` = the input columns then one column per model output, `PREDICT(m, ...)->out`; other
 * references to an output column become that expression), and `PREDICT(...)->*` into one select
 * item per output field; other queries unchanged.
 */
export function rewriteTableFunctionQuery(query: Query, catalog: Catalog): Query {
  const q = query.from.kind === 'TableFunction' ? rewriteMlPredict(query, query.from, catalog) : query;
  if (!q.select.some((s) => s.kind === 'StructAll' && isPredict(s.base))) return q;
  const select = q.select.flatMap((item): SelectItem[] => {
    if (item.kind !== 'StructAll' || !isPredict(item.base)) return [item];
    const r = resolveCall(item.base, catalog);
    const t = outputStructType(r.def, r.policy);
    const fields = t.kind === 'STRUCT' ? t.fields : [];
    return fields.map((f) => ({ kind: 'SelectExpr', expr: { kind: 'Dereference', base: item.base, field: f.name, span: item.span }, alias: null, span: item.span }));
  });
  return { ...q, select };
}

function rewriteMlPredict(q: Query, tf: TableFunctionRelation, catalog: Catalog): Query {
  if (tf.name.toUpperCase() !== 'ML_PREDICT') {
    throw new SqlError('UNSUPPORTED', `Table function ${tf.name} in FROM is not supported (ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(col, ...)) is)`, tf.span);
  }
  const usage = 'ML_PREDICT(TABLE s, MODEL m, DESCRIPTOR(col, ...) [, MAP[\'option\', \'value\', ...]])';
  const [table, model, descriptor, extra, ...more] = tf.args;
  if (!table || table.kind !== 'TableArg') throw new SqlError('INVALID', `ML_PREDICT's first argument must be TABLE <stream>: ${usage}`, table?.span ?? tf.span);
  if (!model || model.kind !== 'ModelArg') throw new SqlError('INVALID', `ML_PREDICT's second argument must be MODEL <model>: ${usage}`, model?.span ?? tf.span);
  if (!descriptor || descriptor.kind !== 'DescriptorArg') {
    throw new SqlError('INVALID', `ML_PREDICT's third argument must be DESCRIPTOR(<feature columns>): ${usage}`, descriptor?.span ?? tf.span);
  }
  if (more.length > 0) throw new SqlError('INVALID', `ML_PREDICT takes at most four arguments: ${usage}`, more[0].span);
  if (extra && (extra.kind !== 'ExprArg' || optionsMap(extra.expr) === null)) {
    throw new SqlError('INVALID', `ML_PREDICT's fourth argument must be a map of string options, e.g. MAP['timeout', '5s']`, extra.span);
  }
  const features: Expr[] = descriptor.columns.map((name) => ({ kind: 'ColumnRef', source: null, name, span: descriptor.span }));
  const args: Expr[] = [{ kind: 'ColumnRef', source: null, name: model.name, span: model.span }, ...features];
  if (extra && extra.kind === 'ExprArg') args.push(extra.expr);
  const call: FnCall = { kind: 'FunctionCall', name: 'PREDICT', args, distinct: false, over: null, span: tf.span };
  const r = resolveCall(call, catalog);
  const outputs = [...r.def.outputs.map((c) => c.name), ...(r.policy === 'ERROR_COLUMNS' ? ERROR_FIELDS.map((f) => f.name) : [])];
  const alias = tf.alias;
  const source = catalog.getSource(table.name);
  if (source) {
    const inputNames = new Set(allColumns(source.schema).map((c) => c.name));
    const clash = outputs.find((o) => inputNames.has(o));
    if (clash) {
      throw new SqlError('INVALID', `ML_PREDICT: model ${r.def.name}'s output column ${clash} has the name of a column of ${table.name}; rename one, or call PREDICT(...) with an alias`, tf.span);
    }
  }
  const outSet = new Set(outputs);
  const deref = (field: string, span: Span): Expr => ({ kind: 'Dereference', base: call, field, span });
  const isOutputRef = (e: Expr): e is Extract<Expr, { kind: 'ColumnRef' }> =>
    e.kind === 'ColumnRef' && outSet.has(e.name) && (e.source === null || e.source === alias || e.source === table.name);
  const rewrite = (e: Expr): Expr => {
    // Lambda parameters shadow output columns of the same name in the lambda's body.
    const visit = (n: Expr, shadowed: ReadonlySet<string>): Expr => {
      if (isOutputRef(n) && !shadowed.has(n.name)) return deref(n.name, n.span);
      const inner = n.kind === 'Lambda' ? new Set([...shadowed, ...n.params]) : shadowed;
      return mapChildren(n, (c) => visit(c, inner));
    };
    return visit(e, new Set());
  };
  const select = q.select.flatMap((item): SelectItem[] => {
    switch (item.kind) {
      case 'AllColumns':
        if (item.source !== null && item.source !== alias && item.source !== table.name) return [item];
        return [item, ...outputs.map((o): SelectItem => ({ kind: 'SelectExpr', expr: deref(o, item.span), alias: o, span: item.span }))];
      case 'SelectExpr':
        return [{ ...item, expr: rewrite(item.expr), alias: item.alias ?? (isOutputRef(item.expr) ? item.expr.name : null) }];
      case 'StructAll':
        return [{ ...item, base: rewrite(item.base) }];
    }
  });
  const list = (xs: readonly Expr[] | null) => (xs ? xs.map(rewrite) : null);
  return {
    ...q,
    select,
    from: { kind: 'SourceRef', name: table.name, alias, span: table.span },
    where: q.where ? rewrite(q.where) : null,
    groupBy: list(q.groupBy),
    partitionBy: list(q.partitionBy),
    having: q.having ? rewrite(q.having) : null,
  };
}
