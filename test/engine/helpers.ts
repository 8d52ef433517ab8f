/** Test helpers: an engine on a fresh embedded log in a temp dir, and reading a topic back. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { Engine, type EngineOptions } from '../../src/engine/engine.ts';
import type { Log, ConsumedRecord } from '../../src/log/log.ts';

export interface TestEngine {
  readonly dir: string;
  readonly log: Log;
  readonly engine: Engine;
  close(): Promise<void>;
}

export async function testEngine(opts: Partial<EngineOptions> = {}, dir = mkdtempSync(join(tmpdir(), 'riffle-engine-'))): Promise<TestEngine> {
  const log = await openEmbeddedLog(dir);
  const engine = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest' }, ...opts });
  return {
    dir,
    log,
    engine,
    async close() {
      await engine.close();
      await log.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function readTopic(log: Log, topic: string): Promise<ConsumedRecord[]> {
  const offsets = await log.offsets(topic);
  const total = offsets.reduce((n, o) => n + o.end - o.start, 0);
  const consumer = log.consumer({ groupId: `reader-${Math.random()}`, topics: [topic], fromBeginning: true });
  const out: ConsumedRecord[] = [];
  while (out.length < total) {
    const batch = await consumer.poll(10_000, 200);
    if (!batch.length) break;
    out.push(...batch);
  }
  await consumer.close();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export const text = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('utf8'));
