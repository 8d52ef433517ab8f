/** Shared helpers of the state tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Producer, ProducerRecord, SendResult } from '../../src/log/log.ts';
import type { KeyValue } from '../../src/state/store.ts';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(label = 'state'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `riffle-${label}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const k = (s: string): Buffer => Buffer.from(s, 'utf8');
export const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** Entries as [latin1 key, value] pairs, for deepEqual against a model. */
export function pairs<V>(it: Iterable<KeyValue<V>>): [string, V][] {
  return [...it].map((e) => [Buffer.from(e.key.buffer, e.key.byteOffset, e.key.length).toString('latin1'), e.value]);
}

/** Wraps a producer and records every send call (to assert "one send per flush"). */
export class RecordingProducer implements Producer {
  readonly calls: { topic: string; records: ProducerRecord[] }[] = [];
  private readonly inner: Producer;
  failNext = false;

  constructor(inner: Producer) {
    this.inner = inner;
  }

  async send(topic: string, records: readonly ProducerRecord[]): Promise<SendResult[]> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('injected send failure');
    }
    this.calls.push({ topic, records: [...records] });
    return this.inner.send(topic, records);
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}

/** Deterministic PRNG, so randomized tests are reproducible. */
export { mulberry32 as rng } from '../helpers/random.ts';
