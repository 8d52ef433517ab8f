/** What a QueryTask is built from (./query-task.ts). */
import type { Consumer, Log, Producer } from '../log/log.ts';
import type { Step } from '../plan/steps.ts';
import type { Row } from './expr/row.ts';
import type { OperatorServices } from './operator.ts';
import type { ProcessingLog } from './processing-log.ts';
import type { Delivery } from './delivery.ts';

export interface QueryTaskOptions {
  readonly queryId: string;
  readonly root: Step;
  readonly log: Log;
  readonly producer: Producer;
  /** Consumer group; null for a transient push query (nothing committed). */
  readonly groupId: string | null;
  readonly fromBeginning: boolean;
  /** Receives the output rows of a push query (a root that is not a sink). */
  readonly onRows?: (rows: Row[]) => void;
  /** Records per poll (default 2000); a function is asked before every poll. */
  readonly maxBatch?: number | (() => number);
  readonly processingLog?: ProcessingLog;
  readonly services?: OperatorServices;
  /** Builds the delivery (exactly-once); default at-least-once through `producer`. */
  readonly delivery?: (consumer: Consumer) => Delivery;
  /**
   * At-least-once, stateful queries: flush state and commit offsets at most this often (ksqlDB's
   * commit.interval.ms); outputs are still written every batch. 0 = after every batch.
   * Stateless queries and exactly-once always commit every batch.
   */
  readonly commitIntervalMs?: number;
  /**
   * Queries whose sub-topology reads several topics (joins): how long a task waits for a source that has
   * no buffered records before it processes the others (Kafka Streams' max.task.idle.ms; a lag the
   * consumer reports is waited for regardless, see ./partition-group.ts). Default 0.
   */
  readonly maxTaskIdleMs?: number;
}
