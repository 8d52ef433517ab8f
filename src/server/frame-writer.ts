/**
 * Writes each chunk to an HTTP/2 response as its own DATA frame. Node's HTTP/2 stream merges the
 * writes queued while one is in flight into a single frame, and ksqlDB's clients (the npm
 * `ksqldb-client` among them) parse every frame of `/query-stream` as one JSON row, as Vert.x
 * sends them. So chunks are queued here and written one at a time, each after the previous one
 * was handed to the session. The queue is bounded like any Writable: `write` returns false when
 * HIGH_WATER chunks wait, and 'drain' follows when they are written — the push-query delivery
 * then pauses its query (see engine/push-delivery.ts).
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ByteSink } from '../engine/push-delivery.ts';

const HIGH_WATER = 256;

export class FrameWriter extends EventEmitter implements ByteSink {
  private readonly res: ServerResponse;
  private readonly queue: (string | Uint8Array)[] = [];
  private head = 0;
  private writing = false;
  private full = false;
  private ended = false;
  private endChunk: string | undefined;

  constructor(res: ServerResponse) {
    super();
    this.res = res;
    res.on('close', () => this.emit('close'));
    res.on('error', (e) => this.emit('error', e));
  }

  get destroyed(): boolean {
    return this.res.destroyed;
  }

  write(chunk: string | Uint8Array): boolean {
    this.queue.push(chunk);
    this.pump();
    if (this.queue.length - this.head >= HIGH_WATER) this.full = true;
    return !this.full;
  }

  /** Ends the response after everything queued is written. */
  end(last?: string): void {
    this.ended = true;
    this.endChunk = last;
    this.pump();
  }

  private pump(): void {
    if (this.writing || this.res.destroyed) return;
    if (this.head < this.queue.length) {
      const chunk = this.queue[this.head];
      this.queue[this.head++] = '';
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.writing = true;
      this.res.write(chunk, () => {
        this.writing = false;
        if (this.full && this.queue.length - this.head < HIGH_WATER / 2) {
          this.full = false;
          this.emit('drain');
        }
        this.pump();
      });
      return;
    }
    if (this.ended) {
      this.ended = false;
      if (this.endChunk) this.res.end(this.endChunk);
      else this.res.end();
    }
  }
}
