/** What executing a statement gives back to the CLI, the server and the test runner. */
import type { Row } from '../exec/expr/row.ts';
import type { LogicalSchema } from '../types/schema.ts';

export type StatementResult =
  | { readonly kind: 'message'; readonly message: string; readonly queryId?: string }
  | {
      readonly kind: 'table';
      readonly title: string;
      readonly columns: readonly string[];
      readonly rows: readonly (readonly unknown[])[];
      /** SQL types of the columns, where known (pull queries): what the server's row headers report. */
      readonly columnTypes?: readonly string[];
    }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'push'; readonly query: PushQuery }
  | { readonly kind: 'print'; readonly print: PrintHandle };

/** A running push query (SELECT ... EMIT CHANGES): rows arrive through `onRows` until `stop()` or LIMIT. */
export interface PushQuery {
  readonly id: string;
  readonly schema: LogicalSchema;
  /** Set the consumer of output rows before `start()`. */
  onRows: (rows: Row[]) => void;
  /** Called once when the query ends (LIMIT reached, stop(), or failure). */
  onEnd: (error: Error | null) => void;
  /**
   * Asked after every batch: a promise means the consumer of the rows is full and the query reads
   * no more input until it resolves (or the query stops). This bounds what a slow reader can make
   * the process buffer to one batch. See ./push-delivery.ts, the one path output goes through.
   */
  backpressure: () => Promise<void> | null;
  start(): void;
  stop(): Promise<void>;
  /** Resolves when the query has ended. */
  readonly done: Promise<void>;
}

export interface PrintHandle {
  onLine: (line: string) => void;
  onEnd: (error: Error | null) => void;
  start(): void;
  stop(): Promise<void>;
  readonly done: Promise<void>;
}
