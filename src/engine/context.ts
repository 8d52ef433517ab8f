/**
 * What statement handlers (ddl.ts, persistent.ts, models.ts, ...) see of the engine: the
 * catalog, the log, the running queries and the few operations that change engine state. The
 * Engine class implements it; handlers never get the class, so they cannot replace its maps,
 * add a task other than through runTask, or change session properties behind the dispatcher.
 */
import type { Log, Producer } from '../log/log.ts';
import type { ParsedStatement } from '../sql/ast.ts';
import type { Catalog } from '../analyze/catalog.ts';
import type { QueryTask } from '../exec/query-task.ts';
import type { ProcessingLog } from '../exec/processing-log.ts';
import type { OperatorServices } from '../exec/operator.ts';
import type { StoreRegistry } from '../state/registry.ts';
import type { QueryPlan } from '../plan/steps.ts';
import type { StatementResult } from './results.ts';
import type { TableView } from './table-view.ts';

export interface EngineOptions {
  readonly log: Log;
  /** Names consumer groups (`riffle_<serviceId>_query_<id>`); instances with the same id share work. */
  readonly serviceId?: string;
  /** Create missing topics for CREATE STREAM/TABLE instead of failing (the test runner). */
  readonly autoCreateTopics?: boolean;
  /** false: queries are not run in the background; the caller drives them with runUntilIdle(). */
  readonly background?: boolean;
  readonly properties?: Readonly<Record<string, string>>;
  /** Partitions for topics the engine creates when neither statement nor source says. */
  readonly defaultPartitions?: number;
  /** Where state stores live (default: `state/` in the embedded log's directory, else `.riffle/state`). */
  readonly stateDir?: string;
  /** Entries each state store caches in memory (default 100,000). */
  readonly stateCacheEntries?: number;
  /**
   * Approximate bytes all the state caches of the engine hold together (default: the property
   * `statestore.cache.max.bytes`, else 64 MiB); see docs/state.md.
   */
  readonly stateCacheBytes?: number;
  /**
   * Once the process has been idle this long, V8's unused heap is given back to the OS
   * (./memory-release.ts). Default: the `riffle.memory.idle.release.ms` property, else 10 s;
   * 0 turns it off. Only engines that run queries in the background start it.
   */
  readonly idleMemoryReleaseMs?: number;
  /** Where start-up warnings go (quarantined statements; default: standard error). */
  readonly onWarning?: (message: string) => void;
}

/** A command-log statement whose replay failed at start-up (./quarantine.ts): kept, reported, droppable. */
export interface QuarantinedStatement {
  /** The statement text as logged. */
  readonly sql: string;
  /** Why its replay failed (a SqlError keeps its line:column). */
  readonly error: string;
  /** The persistent query it created, kept in the catalog without a task; null when the statement had no effect. */
  readonly queryId: string | null;
}

/** A map handlers may read and remove from, but add to only through the owner's methods. */
export type ForgettingMap<K, V> = ReadonlyMap<K, V> & Pick<Map<K, V>, 'delete'>;

export interface EngineContext {
  readonly log: Log;
  readonly catalog: Catalog;
  /** The engine's own producer (command log, processing log, INSERT VALUES). */
  readonly producer: Producer;
  readonly serviceId: string;
  readonly options: EngineOptions;
  /** Running persistent queries by id; added by runTask, removed by the handler that stops one. */
  readonly tasks: ForgettingMap<string, QueryTask>;
  /** Pull-query views by table; added by tableView(), removed when the table is dropped. */
  readonly tableViews: ForgettingMap<string, TableView>;
  /** Session properties in force (SET / UNSET change them in the dispatcher only). */
  readonly properties: ReadonlyMap<string, string>;
  readonly variables: ReadonlyMap<string, string>;
  readonly processingLog: ProcessingLog;
  readonly stores: StoreRegistry;
  /** What operators may use of the engine; the model and training subsystems fill in theirs. */
  readonly services: { -readonly [K in keyof OperatorServices]: OperatorServices[K] };
  /** Command-log statements whose replay failed at start-up (see ./quarantine.ts). */
  readonly quarantined: QuarantinedStatement[];
  /** Counter behind query ids (CSAS_S_0): advanced identically on replay, so ids are stable. */
  queryCounter: number;
  /** False while the engine replays its command log at start-up (background loops wait for it). */
  readonly opened: boolean;
  /** `auto.offset.reset`: whether new queries start from the beginning of their topics. */
  readonly fromBeginning: boolean;

  /** Parses and executes a script (statements a handler runs on the user's behalf). */
  execute(sql: string): Promise<StatementResult[]>;
  /** Writes a catalog-changing statement to the command log (not during replay). */
  record(ctx: ExecutionContext, plan?: QueryPlan): Promise<void>;
  /** Builds a persistent query's task without running it. */
  buildTask(queryId: string, plan: QueryPlan): QueryTask;
  /** Starts (or, on replay, resumes) a built persistent query task. */
  runTask(queryId: string, task: QueryTask): QueryTask;
  /** The pull-query view of a table's topic (created on first use). */
  tableView(name: string, topic: string): TableView;
}

export interface ExecutionContext {
  readonly engine: EngineContext;
  readonly statement: ParsedStatement;
  /** True while replaying the command log: no topics created, no commands written. */
  readonly replay: boolean;
  readonly plan?: QueryPlan;
}
