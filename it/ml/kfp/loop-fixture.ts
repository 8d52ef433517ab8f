/**
 * What the KFP tests share: waiting for a condition, and for the two loop tests (loop.test.ts,
 * loop-kill.test.ts) the planted concept change, a producer of readings with labels arriving
 * later, version inference against MLServer and the accuracy of a model trained directly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../../../src/log/log.ts';
import { kfpPython } from './standin.ts';

export const mlserver = process.env.RIFFLE_MLSERVER_URL;
/** MLServer's model repository (scripts/ml/with-servers.sh), where the runs write versions. */
export const modelRepo = process.env.RIFFLE_ML_WORK ? join(process.env.RIFFLE_ML_WORK, 'mlserver') : '';

/** Polls `f` every 100 ms until it gives a truthy value (returned) or `ms` pass (throws naming `what`). */
export async function until<T>(what: string, f: () => T | Promise<T>, ms = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A kept RIFFLE_ML_WORK may hold versions of `model` from an earlier run: start from none. */
export async function forgetServedModel(model: string): Promise<void> {
  if (!mlserver) return;
  await fetch(`${mlserver}/v2/repository/models/${model}/unload`, { method: 'POST' }).catch(() => undefined);
  rmSync(join(modelRepo, model), { recursive: true, force: true });
}

export interface Reading {
  readonly x1: number;
  readonly x2: number;
  readonly label: number;
}

/** Deterministic uniform(-1, 1) pairs; old concept x1 + x2 > 0, new concept x1 - x2 > 0. */
export function conceptRows(seed: number, n: number, concept: 'old' | 'new'): Reading[] {
  let state = seed >>> 0;
  const rnd = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  };
  return Array.from({ length: n }, () => {
    const x1 = rnd();
    const x2 = rnd();
    return { x1, x2, label: (concept === 'old' ? x1 + x2 : x1 - x2) > 0 ? 1 : 0 };
  });
}

/**
 * Writes readings (ids r0, r1, ... 100 ms apart from T0) to `readings`; each call returns the
 * sender of that batch's labels (to `labels`, 50 ms after each reading), so a test can let
 * labels arrive a batch late. The id counter lives across producers: `using(log)` switches the
 * log after a restart and continues the sequence.
 */
export function readingsWriter(log: Log) {
  const T0 = Date.UTC(2026, 11, 1);
  let seq = 0;
  let producer = log.producer();
  return {
    using(next: Log): void {
      producer = next.producer();
    },
    close: () => producer.close(),
    async send(batch: readonly Reading[], withLabels: boolean): Promise<() => Promise<void>> {
      const recs = batch.map((r) => ({ id: `r${seq}`, ts: T0 + seq++ * 100, r }));
      await producer.send('readings', recs.map(({ id, ts, r }) => ({ key: Buffer.from(id), value: Buffer.from(JSON.stringify({ X1: r.x1, X2: r.x2, LABEL: r.label })), timestamp: ts })));
      const target = producer;
      return async () => {
        if (withLabels) await target.send('labels', recs.map(({ id, ts, r }) => ({ key: Buffer.from(id), value: Buffer.from(JSON.stringify({ LABEL: r.label })), timestamp: ts + 50 })));
      };
    },
  };
}

/** The PREDICT column of version `version` of an MLServer model for the given rows. */
export async function inferVersion(model: string, version: string, xs: readonly { x1: number; x2: number }[]): Promise<number[]> {
  const body = { inputs: [{ name: 'input-0', shape: [xs.length, 2], datatype: 'FP64', data: xs.flatMap((r) => [r.x1, r.x2]) }] };
  const res = await fetch(`${mlserver}/v2/models/${model}/versions/${version}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data;
}

/** Accuracy on `test` of a scikit-learn LogisticRegression trained directly on `train` (the loop's yardstick). */
export function directAccuracy(workDir: string, train: readonly Reading[], test: readonly Reading[]): number {
  const xfile = join(workDir, 'direct.json');
  writeFileSync(xfile, JSON.stringify({ train: train.map((r) => [r.x1, r.x2]), trainLabels: train.map((r) => r.label), test: test.map((r) => [r.x1, r.x2]), labels: test.map((r) => r.label) }));
  return Number(execFileSync(kfpPython, ['-c', DIRECT], { input: xfile, encoding: 'utf8' }).trim());
}

const DIRECT = `
import json, sys
from sklearn.linear_model import LogisticRegression
d = json.load(open(sys.stdin.read().strip()))
model = LogisticRegression(max_iter=1000).fit(d["train"], d["trainLabels"])
p = model.predict(d["test"])
print(sum(int(a == b) for a, b in zip(p, d["labels"])) / len(d["labels"]))
`;
