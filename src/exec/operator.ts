/**
 * The operator contract. A query runs as a chain of operators fed whole batches of rows; an
 * operator returns the rows it emits for that batch. Synchronous operators return an array;
 * operators that wait for something (a model server) return a promise — one per batch, never
 * per row — and the task does not poll more input until it resolves, which is the backpressure.
 *
 * Invariants: an operator never mutates the rows it was given after returning them (downstream
 * may hold them); it reports bad rows to `ctx.errors` and drops or nulls them, never throws for
 * data (a throw fails the query: only for bugs or unrecoverable setup).
 */
import type { Row } from './expr/row.ts';
import type { ProcessingLog } from './processing-log.ts';
import type { Log, ProducerRecord } from '../log/log.ts';
import type { ModelRegistry } from '../ml/registry.ts';
import type { TrainedModels } from '../ml/learn/live.ts';
import type { StoreRegistry } from '../state/registry.ts';

export interface OperatorContext {
  readonly queryId: string;
  readonly errors: ProcessingLog;
  /** The log the query runs on, for operators that need topics of their own (dead letters). */
  readonly log: Log;
  /**
   * Records an operator wants written besides the query's output (a dead-letter topic). They are
   * written with the batch's outputs, before its input offsets are committed.
   */
  readonly sideOutput: (topic: string, records: readonly ProducerRecord[]) => void;
  /** Engine-wide services (the model registry) for operators that need them. */
  readonly services: OperatorServices;
}

/** Services an engine lends its operators; each optional so tests can build operators without an engine. */
export interface OperatorServices {
  /** Model invokers for PREDICT / ML_PREDICT; created by the engine with the first CREATE MODEL. */
  readonly models?: ModelRegistry;
  /** State stores (aggregations, tables, joins); required by stateful operators. */
  readonly stores?: StoreRegistry;
  /** Live trained models, filled in by training operators. */
  trained?: TrainedModels;
  /** Told about every completed batch of every query (the server's metrics); must be cheap. */
  readonly batchObserver?: BatchObserver;
}

/** A completed batch: `rows` are its output rows (their `ts` is the output record time). */
export type BatchObserver = (queryId: string, batch: { readonly records: number; readonly rows: readonly Row[]; readonly seconds: number }) => void;

export interface Operator {
  readonly name: string;
  /**
   * Opens (restoring from changelogs) the state of input partitions met for the first time; the
   * task awaits it before a batch with rows of those partitions. Idempotent for open partitions.
   */
  openPartitions?(partitions: readonly number[]): Promise<void>;
  /** Flushes and forgets the state of partitions this instance gave away (a Kafka rebalance). */
  closePartitions?(partitions: readonly number[]): Promise<void>;
  process(rows: Row[]): Row[] | Promise<Row[]>;
  /** Rows that time alone releases (EMIT FINAL windows closing), asked after each batch. */
  drain?(): Row[];
  close?(): void | Promise<void>;
}
