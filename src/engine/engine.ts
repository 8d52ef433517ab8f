/**
 * The engine: executes statements against the catalog and the log, runs persistent queries, and
 * keeps the catalog durable through the command log. One exhaustive switch dispatches statements
 * to small handlers (ddl.ts, persistent.ts, metadata.ts, ...).
 */
import { exportModel } from './model-export.ts';
import type { Log, Producer } from '../log/log.ts';
import type { ParsedStatement, Statement } from '../sql/ast.ts';
import { parseStatements } from '../sql/parser.ts';
import { SqlError } from '../sql/errors.ts';
import { Catalog } from '../analyze/catalog.ts';
import { QueryTask } from '../exec/query-task.ts';
import { ProcessingLog } from '../exec/processing-log.ts';
import type { StatementResult } from './results.ts';
import type { EngineContext, EngineOptions, ExecutionContext, QuarantinedStatement } from './context.ts';
import { appendCommand, readCommands, type Command } from './command-log.ts';
import { TableView } from './table-view.ts';
import { quarantine, quarantineWarnings } from './quarantine.ts';
import { alterSource, createSource, dropSource, createTopic, dropTopic } from './ddl.ts';
import { assertTopic } from './assert-topic.ts';
import { nonNegativeIntegerProperty } from './properties.ts';
import { createAsSelect, insertInto, terminate, startPersistentQuery } from './persistent.ts';
import { describe, describeFunction, explain, show } from './metadata.ts';
import { insertValues } from './insert-values.ts';
import { pushQuery } from './push-query.ts';
import { printTopic } from './print.ts';
import { executeModelStatement } from './models.ts';
import { closeModels } from './model-registry.ts';
import { closePipelines, executePipelineStatement } from './pipelines.ts';
import { closeTrainedPromotions, setPromotionRule } from './model-shadow-trained.ts';
import { promoteModel } from './model-promotion.ts';
import { runUntilIdleOnKafka } from './idle.ts';
import { defaultHeapGrowingPercent, holdIdleMemoryRelease, setHeapGrowingPercent } from './memory-release.ts';
import type { OperatorServices } from '../exec/operator.ts';
import { StoreRegistry } from '../state/registry.ts';
import { join, resolve } from 'node:path';
import type { QueryPlan } from '../plan/steps.ts';
import { formatType, type SqlType } from '../types/sql-type.ts';

export type { EngineOptions, ExecutionContext } from './context.ts';

export class Engine implements EngineContext {
  readonly log: Log;
  readonly catalog = new Catalog();
  readonly producer: Producer;
  readonly serviceId: string;
  readonly options: EngineOptions;
  readonly tasks = new Map<string, QueryTask>();
  /** What pull queries read, per table (kept up to date incrementally, see ./table-view.ts). */
  readonly tableViews = new Map<string, TableView>();
  readonly properties = new Map<string, string>();
  readonly variables = new Map<string, string>();
  /** Custom types (CREATE TYPE): the parser expands them, so every AST type is a plain SqlType. */
  readonly types = new Map<string, SqlType>();
  readonly processingLog: ProcessingLog;
  readonly stores: StoreRegistry;
  /** What operators may use of the engine (the model registry); filled in by the subsystems that own them. */
  readonly services: { -readonly [K in keyof OperatorServices]: OperatorServices[K] } = {};
  /** False while Engine.open replays the command log (background loops wait for the replayed state). */
  opened = false;
  /** Command-log statements whose replay failed at start-up (see ./quarantine.ts). */
  readonly quarantined: QuarantinedStatement[] = [];
  /** Counter behind query ids (CSAS_S_0): advanced identically on replay, so ids are stable. */
  queryCounter = 0;
  /** Ends this engine's use of the process's idle memory release (./memory-release.ts). */
  private readonly releaseIdleMemory: () => void;

  private constructor(options: EngineOptions) {
    this.options = options;
    this.log = options.log;
    this.serviceId = options.serviceId ?? 'default';
    this.producer = options.log.producer();
    this.processingLog = new ProcessingLog(this.producer);
    for (const [k, v] of Object.entries(options.properties ?? {})) this.properties.set(k, v);
    const logDir = options.log.capabilities.localDirectory;
    this.stores = new StoreRegistry({
      dataDir: options.stateDir ?? (logDir ? join(logDir, 'state') : resolve('.riffle', 'state')),
      serviceId: this.serviceId,
      log: options.log,
      // Entries cached per store: enough for the hot keys of typical aggregations and join tables.
      cacheMaxEntries: options.stateCacheEntries ?? 100_000,
      // Bytes cached by all the stores together (Kafka Streams' statestore.cache.max.bytes).
      cacheMaxBytes: options.stateCacheBytes ?? stateCacheBytes(this.properties),
      // One line per damaged local state; the stores are rebuilt from their changelogs.
      onDamagedState: (d) => process.emitWarning(`Query ${d.queryId}: ${d.problem}; rebuilding its state from the changelog topics`),
    });
    this.services.stores = this.stores;
    setHeapGrowingPercent(nonNegativeIntegerProperty(this.properties, ['riffle.memory.heap.growing.percent'], 'percent', defaultHeapGrowingPercent()));
    const releaseMs = options.idleMemoryReleaseMs ?? nonNegativeIntegerProperty(this.properties, ['riffle.memory.idle.release.ms'], 'ms', 10_000);
    this.releaseIdleMemory = holdIdleMemoryRelease(options.background === false ? 0 : releaseMs, () => {
      let consumed = 0;
      for (const task of this.tasks.values()) consumed += task.consumed;
      return consumed;
    });
  }

  /** Opens an engine on a log and restores the catalog and queries from the command log. */
  static async open(options: EngineOptions): Promise<Engine> {
    const engine = new Engine(options);
    await ProcessingLog.ensureTopic(engine.log);
    const commands = await readCommands(engine.log);
    for (const command of commands) await engine.replay(command);
    engine.opened = true;
    const warn = options.onWarning ?? ((m: string) => void process.stderr.write(`${m}\n`));
    for (const warning of quarantineWarnings(engine)) warn(warning);
    return engine;
  }

  /** Replays one command; a statement that fails is quarantined, never fatal (see ./quarantine.ts). */
  private async replay(command: Command): Promise<void> {
    const saved = new Map(this.properties);
    this.properties.clear();
    for (const [k, v] of Object.entries(command.properties)) this.properties.set(k, v);
    try {
      if (command.unreadable) {
        quarantine(this, command, null, new Error(command.unreadable));
        return;
      }
      let statements: ParsedStatement[];
      try {
        statements = parseStatements(command.sql, undefined, { types: this.types, maxExprDepth: Infinity });
      } catch (err) {
        quarantine(this, command, null, err);
        if (command.plan) this.queryCounter++;
        return;
      }
      for (const statement of statements) {
        const counter = this.queryCounter;
        try {
          await this.dispatch({ engine: this, statement, replay: true, plan: command.plan });
        } catch (err) {
          quarantine(this, command, statement, err);
          // Query ids stay what they were when the statement first ran.
          if (command.plan && this.queryCounter === counter) this.queryCounter++;
        }
      }
    } finally {
      this.properties.clear();
      for (const [k, v] of saved) this.properties.set(k, v);
    }
  }

  /** Parses and executes a script; stops at the first failing statement (its error says which). */
  async execute(sql: string): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    // Parse statement by statement so DEFINE takes effect for the statements after it.
    for (const statement of parseStatements(sql, this.variables, { lazy: true, types: this.types })) {
      results.push(await this.executeStatement(statement));
    }
    return results;
  }

  async executeStatement(statement: ParsedStatement): Promise<StatementResult> {
    return this.dispatch({ engine: this, statement, replay: false });
  }

  /** Writes a catalog-changing statement to the command log (not during replay). */
  async record(ctx: ExecutionContext, plan?: QueryPlan): Promise<void> {
    if (ctx.replay) return;
    const command: Command = { version: 1, sql: ctx.statement.text, properties: Object.fromEntries(this.properties), ...(plan ? { plan } : {}) };
    await appendCommand(this.producer, command);
  }

  private async dispatch(ctx: ExecutionContext): Promise<StatementResult> {
    const s: Statement = ctx.statement.statement;
    switch (s.kind) {
      case 'CreateSource':
        return createSource(ctx, s);
      case 'CreateAsSelect':
        return createAsSelect(ctx, s);
      case 'AlterSource':
        return alterSource(ctx, s);
      case 'AssertTopic':
        return assertTopic(ctx, s);
      case 'AssertSchema':
        throw new SqlError('UNSUPPORTED', 'ASSERT SCHEMA needs a schema registry, which Riffle does not support yet', s.span);
      case 'InsertInto':
        return insertInto(ctx, s);
      case 'InsertValues':
        return insertValues(ctx, s);
      case 'QueryStatement':
        return pushQuery(ctx, s);
      case 'DropSource':
        return dropSource(ctx, s);
      case 'CreateTopic':
        return createTopic(ctx, s);
      case 'DropTopic':
        return dropTopic(ctx, s);
      case 'Print':
        return printTopic(ctx, s);
      case 'Show':
        return show(ctx, s);
      case 'Describe':
        return describe(ctx, s);
      case 'DescribeFunction':
        return describeFunction(ctx, s);
      case 'Explain':
        return explain(ctx, s);
      case 'Terminate':
        return terminate(ctx, s);
      case 'SetProperty':
        this.properties.set(s.name, s.value);
        return { kind: 'message', message: `Successfully changed local property '${s.name}' to '${s.value}'.` };
      case 'UnsetProperty':
        this.properties.delete(s.name);
        return { kind: 'message', message: `Successfully unset local property '${s.name}'.` };
      case 'DefineVariable':
        this.variables.set(s.name, s.value);
        return { kind: 'message', message: `Defined variable ${s.name}.` };
      case 'UndefineVariable':
        if (!this.variables.delete(s.name)) throw new SqlError('INVALID', `Variable '${s.name}' is undefined`, s.span);
        return { kind: 'message', message: `Undefined variable ${s.name}.` };
      case 'CreateType':
        if (this.types.has(s.name) && !ctx.replay) throw new SqlError('EXISTS', `Cannot register custom type '${s.name}' since it is already registered`, s.span);
        this.types.set(s.name, s.type);
        await this.record(ctx);
        return { kind: 'message', message: `Registered custom type with name '${s.name}' and SQL type ${formatType(s.type)}` };
      case 'DropType':
        if (!this.types.delete(s.name) && !s.ifExists) throw new SqlError('INVALID', `Type ${s.name} does not exist`, s.span);
        await this.record(ctx);
        return { kind: 'message', message: `Dropped type '${s.name}'` };
      case 'CreateModel':
      case 'AlterModel':
      case 'DropModel':
      case 'DescribeModel':
        return executeModelStatement(ctx, s);
      case 'ExportModel':
        return exportModel(ctx, s);
      case 'CreatePipeline':
      case 'DropPipeline':
      case 'DescribePipeline':
        return executePipelineStatement(ctx, s);
      case 'PromoteModel':
        return promoteModel(ctx, s);
      case 'SetPromotionRule':
        return setPromotionRule(ctx, s);
    }
  }

  /**
   * Builds the task of a persistent query (decoders, operators, compiled expressions, encoder)
   * without running it: a statement is recorded only after this succeeded.
   */
  buildTask(queryId: string, plan: QueryPlan): QueryTask {
    return startPersistentQuery(this, queryId, plan);
  }

  /** Starts (or, on replay, resumes) a built persistent query task. */
  runTask(queryId: string, task: QueryTask): QueryTask {
    this.tasks.set(queryId, task);
    if (this.options.background !== false) task.start();
    return task;
  }

  /** Runs all persistent queries until none has input left (test driver, `background: false`). */
  async runUntilIdle(): Promise<void> {
    if (this.log.capabilities.consumerProgress !== null) return runUntilIdleOnKafka(this);
    for (;;) {
      let progressed = 0;
      for (const task of this.tasks.values()) {
        if (task.state === 'ERROR' || task.state === 'STOPPED') continue;
        for (;;) {
          const n = await task.step(0);
          if (n === 0) break;
          progressed += n;
        }
      }
      if (progressed === 0) break;
    }
    for (const task of this.tasks.values()) if (task.state !== 'ERROR') await task.commitPending();
  }

  /** `auto.offset.reset`: where new queries start when they have no committed offsets. */
  get fromBeginning(): boolean {
    return (this.properties.get('auto.offset.reset') ?? 'latest').toLowerCase() === 'earliest';
  }

  /** The pull-query view of a table's topic (created on first use). */
  tableView(name: string, topic: string): TableView {
    let view = this.tableViews.get(name);
    if (view && view.topic !== topic) {
      void view.close();
      view = undefined;
    }
    if (!view) this.tableViews.set(name, (view = new TableView(this.log, topic)));
    return view;
  }

  async close(): Promise<void> {
    this.releaseIdleMemory();
    for (const task of this.tasks.values()) await task.stop();
    this.tasks.clear();
    for (const view of this.tableViews.values()) await view.close();
    this.tableViews.clear();
    await closePipelines(this);
    await closeTrainedPromotions(this);
    await closeModels(this);
    await this.stores.closeAll();
    await this.producer.close();
  }
}

/** Kafka Streams' record cache defaults to 10 MiB, but its stores read through RocksDB's own block caches; ours serves the reads too (a table of 10^5 rows of a join fits). */
export const DEFAULT_STATE_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * `statestore.cache.max.bytes` (also with the `ksql.streams.` prefix, and the older name
 * `cache.max.bytes.buffering`): the byte budget of all state caches; invalid values are refused.
 */
function stateCacheBytes(properties: ReadonlyMap<string, string>): number {
  const names = ['statestore.cache.max.bytes', 'ksql.streams.statestore.cache.max.bytes', 'cache.max.bytes.buffering', 'ksql.streams.cache.max.bytes.buffering'];
  return nonNegativeIntegerProperty(properties, names, 'bytes', DEFAULT_STATE_CACHE_BYTES);
}
