/**
 * CREATE / ALTER / DROP / DESCRIBE MODEL and SHOW MODELS. The catalog keeps each model's
 * definition (ModelInfo: the SQL-facing INPUT/OUTPUT columns and the ModelSpec); the live
 * invokers are in the engine's ModelRegistry (`engine.services.models`), created with the first
 * model statement and shared by every query's model-call operators.
 *
 * Statements are recorded in the command log (CREATE MODEL with its discovered columns declared,
 * see model-sql.ts), so on replay no server is contacted: invokers open lazily when a query's
 * first batch, or DESCRIBE MODEL, needs them.
 */
import type { AlterModel, CreateModel, DescribeModel, DropModel } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import { typesEqual } from '../types/sql-type.ts';
import type { ModelInfo } from '../analyze/catalog.ts';
import type { EngineContext, ExecutionContext } from './context.ts';
import type { StatementResult } from './results.ts';
import { ModelCallError, ModelInvoker, alterModelSpec, modelSpecFromProperties } from '../ml/index.ts';
import type { ModelColumn, ModelSpec } from '../ml/index.ts';
import { modelRegistry } from './model-registry.ts';
import type { ModelDefinition } from '../ml/sql-model.ts';
import { definitionOf, errorFieldClash } from '../ml/sql-model.ts';
import { readModelProperties, recordedCreateModel, withPosition } from './model-sql.ts';
import { describeModel, showModels as showModelsTable } from './model-describe.ts';
import { alterTrained, createTrainedModel, describeTrained, dropTrained, isTrained } from './model-train.ts';
import { trainedPromotionOf, type TrainedPromotion } from './model-shadow-trained.ts';

type ModelStatement = CreateModel | AlterModel | DropModel | DescribeModel;

/** DESCRIBE MODEL of a trained model with its promotion rule and decisions, when it has one. */
function withPromotion(r: StatementResult, loop: TrainedPromotion | null): StatementResult {
  return loop && r.kind === 'text' ? { ...r, text: `${r.text}\n${loop.describe().join('\n')}` } : r;
}

export async function executeModelStatement(ctx: ExecutionContext, s: ModelStatement): Promise<StatementResult> {
  // Trained models (CREATE MODEL ... AS SELECT) live in model-train.ts.
  if (s.kind === 'CreateModel' && s.query) return createTrainedModel(ctx, s);
  if (s.kind !== 'CreateModel' && isTrained(ctx.engine, s.name)) {
    if (s.kind === 'DescribeModel') return withPromotion(describeTrained(ctx.engine, s), trainedPromotionOf(ctx.engine, s.name));
    return s.kind === 'DropModel' ? dropTrained(ctx, s) : alterTrained(ctx, s);
  }
  switch (s.kind) {
    case 'CreateModel':
      return createModel(ctx, s);
    case 'AlterModel':
      return alterModel(ctx, s);
    case 'DropModel':
      return dropModel(ctx, s);
    case 'DescribeModel':
      return describeModel(ctx.engine, modelRegistry(ctx.engine), requireModel(ctx.engine, s.name, s.span));
  }
}

export function showModels(ctx: ExecutionContext): StatementResult {
  return showModelsTable(ctx.engine);
}

function requireModel(engine: EngineContext, name: string, span: CreateModel['span']): ModelInfo {
  const info = engine.catalog.models.get(name);
  if (info) return info;
  const upper = [...engine.catalog.models.keys()].find((k) => k.toUpperCase() === name.toUpperCase());
  throw new SqlError('INVALID', `Model '${name}' does not exist.${upper ? ` Did you mean '${upper}'?` : ''}`, span);
}

const upperNames = (cols: readonly ModelColumn[]): ModelColumn[] => cols.map((c) => ({ name: c.name.toUpperCase(), type: c.type }));

const sameColumns = (a: readonly ModelColumn[], b: readonly ModelColumn[]): boolean =>
  a.length === b.length && a.every((c, i) => c.name === b[i].name && typesEqual(c.type, b[i].type));

function checkNames(what: string, cols: readonly ModelColumn[], span: CreateModel['span']): void {
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c.name)) throw new SqlError('INVALID', `model ${what} column ${c.name} appears twice (discovered tensor names differ only in case or punctuation): declare ${what} (...)`, span);
    seen.add(c.name);
  }
}

async function openForCreate(spec: ModelSpec, s: CreateModel): Promise<ModelInvoker> {
  try {
    return await ModelInvoker.open(spec);
  } catch (e) {
    if (e instanceof SqlError) withPosition(e, s.properties, s.span);
    if (e instanceof ModelCallError) {
      throw new SqlError('INVALID', `Cannot open model ${s.name} to discover its INPUT/OUTPUT: ${e.message}. Start the server, or declare INPUT (...) OUTPUT (...)`, s.span);
    }
    throw new SqlError('INVALID', `Cannot open model ${s.name}: ${(e as Error).message}`, s.span);
  }
}

async function createModel(ctx: ExecutionContext, s: CreateModel): Promise<StatementResult> {
  const { engine } = ctx;
  const registry = modelRegistry(engine);
  if (s.name.includes('$')) throw new SqlError('INVALID', `A model name cannot contain '$' (it separates a model from its version: m$2)`, s.span);
  const existing = engine.catalog.models.get(s.name);
  if (existing && !s.orReplace && !ctx.replay) {
    if (s.ifNotExists) return { kind: 'message', message: `Model ${s.name} already exists.` };
    throw new SqlError('EXISTS', `Cannot create model '${s.name}': a model with the same name already exists (CREATE OR REPLACE MODEL replaces it)`, s.span);
  }
  const { values, discovered } = readModelProperties(s.properties, ctx.replay);
  const declaredIn = s.inputs?.map((c) => ({ name: c.name, type: c.type })) ?? null;
  const declaredOut = s.outputs?.map((c) => ({ name: c.name, type: c.type })) ?? null;
  let spec: ModelSpec;
  try {
    spec = modelSpecFromProperties(values, discovered.has('INPUT') ? null : declaredIn, discovered.has('OUTPUT') ? null : declaredOut);
  } catch (e) {
    withPosition(e, s.properties, s.span);
  }

  let inputs: readonly ModelColumn[];
  let outputs: readonly ModelColumn[];
  let opened: ModelInvoker | null = null;
  if (ctx.replay) {
    if (!declaredIn || !declaredOut) throw new SqlError('INVALID', `recorded CREATE MODEL ${s.name} lacks its INPUT/OUTPUT`, s.span);
    inputs = declaredIn;
    outputs = declaredOut;
  } else {
    opened = await openForCreate(spec, s);
    inputs = declaredIn ?? upperNames(opened.schema.inputs);
    outputs = declaredOut ?? upperNames(opened.schema.outputs);
  }
  try {
    checkNames('INPUT', inputs, s.span);
    checkNames('OUTPUT', outputs, s.span);
    const clash = errorFieldClash(outputs);
    if (spec.onError === 'ERROR_COLUMNS' && clash) {
      throw new SqlError('INVALID', `model ${s.name} has an output named ${clash}, which ON_ERROR = 'ERROR_COLUMNS' needs for its error columns`, s.span);
    }
  } catch (e) {
    await opened?.close();
    throw e;
  }

  const found = new Set<'INPUT' | 'OUTPUT'>();
  if (!declaredIn) found.add('INPUT');
  if (!declaredOut) found.add('OUTPUT');
  const sql = ctx.replay ? ctx.statement.text : recordedCreateModel(s, ctx.statement.text, inputs, outputs, found);
  const info: ModelInfo = { name: s.name, sql, inputs, outputs, spec };
  const def: ModelDefinition = definitionOf(info);

  if (existing) {
    const users = ctx.replay ? [] : registry.usersOf(s.name);
    if (users.length > 0) {
      if (!sameColumns(existing.inputs, inputs) || !sameColumns(existing.outputs, outputs)) {
        await opened?.close();
        throw new SqlError('INVALID', `Cannot replace model ${s.name}: queries ${users.join(', ')} use it and the new INPUT/OUTPUT differ. Terminate them first.`, s.span);
      }
      // Running queries switch to the new spec on their next batch, like ALTER MODEL.
      try {
        await registry.reconfigure(def);
      } catch (e) {
        await opened?.close();
        throw new SqlError('INVALID', `Cannot replace model ${s.name}: ${(e as Error).message}`, s.span);
      }
      await opened?.close();
      opened = null;
    } else {
      await registry.forget(s.name);
    }
  }
  engine.catalog.models.set(s.name, info);
  if (opened) registry.adopt(s.name, opened);
  await engine.record({ ...ctx, statement: { ...ctx.statement, text: sql } });
  return { kind: 'message', message: `Created model ${s.name}${existing ? ' (replaced)' : ''}.` };
}

async function alterModel(ctx: ExecutionContext, s: AlterModel): Promise<StatementResult> {
  const { engine } = ctx;
  const registry = modelRegistry(engine);
  const info = requireModel(engine, s.name, s.span);
  const { values } = readModelProperties(s.properties, false);
  let spec: ModelSpec;
  try {
    spec = alterModelSpec(info.spec as ModelSpec, values);
  } catch (e) {
    withPosition(e, s.properties, s.span);
  }
  const clash = errorFieldClash(info.outputs);
  if (spec.onError === 'ERROR_COLUMNS' && clash) {
    throw new SqlError('INVALID', `model ${s.name} has an output named ${clash}, which ON_ERROR = 'ERROR_COLUMNS' needs for its error columns`, s.span);
  }
  const next: ModelInfo = { ...info, spec };
  if (!ctx.replay) {
    try {
      await registry.reconfigure(definitionOf(next));
    } catch (e) {
      if (e instanceof SqlError) withPosition(e, s.properties, s.span);
      throw new SqlError('INVALID', `Cannot alter model ${s.name}: ${(e as Error).message}`, s.span);
    }
  }
  engine.catalog.models.set(s.name, next);
  await engine.record(ctx);
  const users = registry.usersOf(s.name);
  return { kind: 'message', message: `Altered model ${s.name}.${users.length ? ` Running queries (${users.join(', ')}) use the new options from their next batch.` : ''}` };
}

async function dropModel(ctx: ExecutionContext, s: DropModel): Promise<StatementResult> {
  const { engine } = ctx;
  const registry = modelRegistry(engine);
  if (!engine.catalog.models.has(s.name)) {
    if (s.ifExists || ctx.replay) return { kind: 'message', message: `Model ${s.name} does not exist.` };
    requireModel(engine, s.name, s.span);
  }
  const users = ctx.replay ? [] : registry.usersOf(s.name);
  if (users.length > 0) {
    throw new SqlError('INVALID', `Cannot drop model ${s.name}: it is used by running ${users.length === 1 ? 'query' : 'queries'} ${users.join(', ')}. Terminate ${users.length === 1 ? 'it' : 'them'} first (TERMINATE ${users[0]};).`, s.span);
  }
  await registry.forget(s.name);
  engine.catalog.models.delete(s.name);
  await engine.record(ctx);
  return { kind: 'message', message: `Dropped model ${s.name}.` };
}
