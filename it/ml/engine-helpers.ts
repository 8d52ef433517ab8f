/** An engine on a fresh embedded log for SQL tests against the real model servers, and JSON in/out of topics. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineOptions } from '../../src/engine/engine.ts';
import { closeModels } from '../../src/engine/model-registry.ts';
import type { ConsumedRecord, Log } from '../../src/log/log.ts';

export interface MlEngine {
  readonly dir: string;
  readonly log: Log;
  readonly engine: Engine;
  /** Closes the engine, its models and the log; keeps the directory (reopen with mlEngine(dir)). */
  close(): Promise<void>;
  /** close() and remove the directory. */
  dispose(): Promise<void>;
}

export async function mlEngine(dir = mkdtempSync(join(tmpdir(), 'riffle-it-ml-')), opts: Partial<EngineOptions> = {}): Promise<MlEngine> {
  const log = await openEmbeddedLog(dir);
  const engine = await Engine.open({ log, background: false, properties: { 'auto.offset.reset': 'earliest' }, ...opts });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await engine.close();
    await closeModels(engine);
    await log.close();
  };
  return {
    dir,
    log,
    engine,
    close,
    async dispose() {
      await close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes JSON values (with string keys) to partition 0 of a topic, in order. */
export async function produceJson(log: Log, topic: string, rows: readonly { key: string; value: unknown; timestamp?: number }[]): Promise<void> {
  const p = log.producer();
  try {
    await p.send(
      topic,
      rows.map((r, i) => ({ key: Buffer.from(r.key), value: Buffer.from(JSON.stringify(r.value)), timestamp: r.timestamp ?? 1_700_000_000_000 + i, partition: 0 })),
    );
  } finally {
    await p.close();
  }
}

export async function readRecords(log: Log, topic: string): Promise<ConsumedRecord[]> {
  if (!(await log.describeTopic(topic))) return [];
  const offsets = await log.offsets(topic);
  const total = offsets.reduce((n, o) => n + o.end - o.start, 0);
  const consumer = log.consumer({ groupId: `it-reader-${Math.random()}`, topics: [topic], fromBeginning: true });
  const out: ConsumedRecord[] = [];
  try {
    while (out.length < total) {
      const batch = await consumer.poll(10_000, 500);
      if (!batch.length) break;
      out.push(...batch);
    }
  } finally {
    await consumer.close();
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export const keyOf = (r: ConsumedRecord): string | null => (r.key === null ? null : Buffer.from(r.key).toString('utf8'));

/** JSON values of a topic with their keys, in offset order. */
export async function readJson(log: Log, topic: string): Promise<{ key: string | null; value: any }[]> {
  return (await readRecords(log, topic)).map((r) => ({ key: keyOf(r), value: r.value === null ? null : JSON.parse(Buffer.from(r.value).toString('utf8')) }));
}

export function assertClose(actual: readonly unknown[], expected: readonly number[], tol: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  actual.forEach((a, i) => {
    if (typeof a !== 'number' || Math.abs(a - expected[i]) > tol) throw new Error(`${what} row ${i}: ${a} vs ${expected[i]} (tolerance ${tol})`);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));
