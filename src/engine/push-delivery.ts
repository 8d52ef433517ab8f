/**
 * The one path push-query output takes to a byte stream: a pipe (`riffle run`, the shell), an
 * HTTP/1.1 response, an HTTP/2 stream, a WebSocket. Rows are encoded by the caller and written;
 * when the stream says it is full (`write` returned false) the query stops reading input until
 * the stream drains, so a reader that stops reading costs at most one batch of buffered output
 * (the query's poll size) plus the stream's own high-water mark, never an unbounded queue.
 * A stream that reports `writableLength` may hold up to BUFFER_BYTES before the query pauses,
 * so encoding the next batch overlaps with sending the last one (a socket's own high-water mark
 * of 16 KB is smaller than one batch and would stall the query after every batch).
 * When the stream closes (client disconnect, broken pipe) the query is stopped, and with it its
 * consumer, state and internal topics (see ./push-query.ts).
 */
import type { Row } from '../exec/expr/row.ts';
import type { PushQuery } from './results.ts';

/** What a Node Writable (socket, pipe, http response, http2 compat response) offers. */
export interface ByteSink {
  write(chunk: string | Uint8Array): boolean;
  on(event: 'drain' | 'close' | 'error', listener: (...args: unknown[]) => void): unknown;
  off(event: 'drain' | 'close' | 'error', listener: (...args: unknown[]) => void): unknown;
  readonly destroyed?: boolean;
  /** Bytes queued and not yet handed to the OS (Node Writables have it). */
  readonly writableLength?: number;
}

/** Output a stream may hold before its query pauses (plus at most one batch written past it). */
export const BUFFER_BYTES = 1 << 20;

/** Encodes a batch of rows and hands the chunks to `put` (one chunk per row or one per batch). */
export type RowEncoder = (rows: Row[], put: (chunk: string | Uint8Array) => void) => void;

export interface Delivery {
  /** Resolves with the query's failure (null when it ended normally, by LIMIT, stop or disconnect). */
  readonly ended: Promise<Error | null>;
  /** True when the sink closed before the query ended (the reader went away). */
  readonly disconnected: boolean;
}

/** Starts `query` with its rows written to `sink`; call once, before anything else starts it. */
export function deliverPushQuery(query: PushQuery, sink: ByteSink, encode: RowEncoder): Delivery {
  let full = false;
  let wake: (() => void) | null = null;
  let disconnected = false;
  const put = (chunk: string | Uint8Array): void => {
    if (disconnected) return;
    const accepted = sink.write(chunk);
    if (sink.writableLength === undefined ? !accepted : sink.writableLength > BUFFER_BYTES) full = true;
  };
  const onDrain = (): void => {
    if (sink.writableLength !== undefined && sink.writableLength > BUFFER_BYTES) return;
    full = false;
    const w = wake;
    wake = null;
    w?.();
  };
  const onClose = (): void => {
    if (!disconnected) disconnected = true;
    onDrain();
    void query.stop();
  };
  sink.on('drain', onDrain);
  sink.on('close', onClose);
  sink.on('error', onClose);
  query.onRows = (rows) => encode(rows, put);
  query.backpressure = () => (full && !disconnected ? new Promise<void>((r) => (wake = r)) : null);
  const ended = new Promise<Error | null>((resolve) => {
    query.onEnd = (error) => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      sink.off('error', onClose);
      resolve(error);
    };
  });
  if (sink.destroyed) onClose();
  query.start();
  return {
    ended,
    get disconnected() {
      return disconnected;
    },
  };
}
