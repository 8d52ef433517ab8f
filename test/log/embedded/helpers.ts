/** Shared helpers for the embedded log tests: fresh temp dirs and byte helpers. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { ConsumedRecord, Consumer } from '../../../src/log/log.ts';

/** A fresh directory, removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riffle-log-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const bytes = (s: string): Uint8Array => encoder.encode(s);
export const text = (b: Uint8Array | null): string | null => (b === null ? null : decoder.decode(b));

/** Polls until `n` records arrived (or a poll times out), returning them all. */
export async function pollN(consumer: Consumer, n: number, timeoutMs = 1000): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  while (out.length < n) {
    const got = await consumer.poll(n - out.length, timeoutMs);
    if (got.length === 0) break;
    out.push(...got);
  }
  return out;
}

/** The segment files of a partition, oldest first. */
export function segmentFiles(dir: string, topic: string, partition: number): string[] {
  const pdir = path.join(dir, 'topics', topic, String(partition));
  return fs
    .readdirSync(pdir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(pdir, f));
}
