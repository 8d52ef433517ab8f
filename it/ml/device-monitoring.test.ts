/**
 * The device-monitoring example (examples/device-monitoring) end to end against the real KServe
 * server: its SQL files as written, readings from its generator, and the alerts compared with the
 * same model called directly on the same features.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelInvoker } from '../../src/ml/invoker.ts';
import { modelSpecFromProperties } from '../../src/ml/spec.ts';
import { DOUBLE } from '../../src/types/sql-type.ts';
import { SqlError } from '../../src/sql/errors.ts';
import { generateReadings, statelessFeatures } from '../../examples/device-monitoring/generate.ts';
import type { Reading } from '../../examples/device-monitoring/generate.ts';
import { mlEnv } from './servers.ts';
import { assertClose, mlEngine, produceJson, readJson, readRecords } from './engine-helpers.ts';

const env = mlEnv();
const dir = join(import.meta.dirname, '../../examples/device-monitoring');
const sql = (file: string): string => readFileSync(join(dir, file), 'utf8');
const script = (...files: string[]): string => [`DEFINE kserve_url = '${env.kserveUrl}';`, ...files.map(sql)].join('\n');
const THRESHOLD = 0.8;

const readings = generateReadings({ devices: 12, minutes: 5, failing: 3 });

/** The failure model called directly, outside the engine. */
async function score(features: readonly (readonly number[])[]): Promise<number[]> {
  const inv = await ModelInvoker.open(
    modelSpecFromProperties(
      { PROVIDER: 'kserve-v2', ENDPOINT: env.kserveUrl, MODEL_NAME: 'failure', BATCH_SIZE: 500 },
      ['temp_mean', 'temp_max', 'vibration', 'event_count'].map((name) => ({ name, type: DOUBLE })),
      [{ name: 'score', type: DOUBLE }],
    ),
  );
  try {
    return (await inv.invoke(features)).map((o) => {
      if (o.kind !== 'ok') assert.fail(o.reason);
      return o.outputs[0] as number;
    });
  } finally {
    await inv.close();
  }
}

async function produceReadings(log: Parameters<typeof produceJson>[0], rs: readonly Reading[]): Promise<void> {
  await produceJson(
    log,
    'sensor_readings',
    rs.map(({ device_id, ...value }) => ({ key: device_id, value, timestamp: value.reading_ts })),
  );
}

test('stateless variant: per-reading features, PREDICT, alerts = the readings the model scores above 0.8', async () => {
  const e = await mlEngine();
  try {
    await e.engine.execute(script('setup.sql', 'stateless.sql'));
    await produceReadings(e.log, readings);
    await e.engine.runUntilIdle();

    const features = readings.map(statelessFeatures);
    const p = await score(features);
    const want = readings.map((r, i) => ({ key: r.device_id, ts: r.reading_ts, f: features[i], p: p[i] })).filter((x) => x.p > THRESHOLD);
    assert.ok(want.length > 0 && want.length < readings.length / 4, `some alerts, not too many (${want.length} of ${readings.length})`);
    assert.ok(new Set(want.map((w) => w.key)).size <= 4, 'alerts come from the degrading devices');

    const alerts = await readJson(e.log, 'DEVICE_ALERTS');
    assert.deepEqual(alerts.map((a) => `${a.key}@${a.value.READING_TS}`), want.map((w) => `${w.key}@${w.ts}`));
    assertClose(alerts.map((a) => a.value.P_FAILURE), want.map((w) => w.p), 1e-12, 'P_FAILURE');
    for (const [i, a] of alerts.entries()) {
      assertClose([a.value.TEMP_MEAN, a.value.TEMP_MAX, a.value.VIBRATION, a.value.EVENT_COUNT], want[i].f, 1e-9, `features of ${a.key}`);
    }
    assert.equal((await readRecords(e.log, 'failure_model_dlq')).length, 0, 'nothing dead-lettered');
  } finally {
    await e.dispose();
  }
});

/** The expected one-minute features of the raw samples, per device and window start. */
function minuteFeatures(rs: readonly Reading[]): Map<string, { device: string; start: number; f: number[]; samples: number }> {
  const acc = new Map<string, { device: string; start: number; temps: number[]; vib: number[]; events: number }>();
  for (const r of rs) {
    const start = Math.floor(r.reading_ts / 60_000) * 60_000;
    const k = `${r.device_id}@${start}`;
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { device: r.device_id, start, temps: [], vib: [], events: 0 }));
    a.temps.push(r.unit === 'F' ? (r.temp - 32) / 1.8 : r.temp);
    a.vib.push(r.vibration);
    a.events += r.error_events;
  }
  const out = new Map<string, { device: string; start: number; f: number[]; samples: number }>();
  for (const [k, a] of acc) {
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    out.set(k, { device: a.device, start: a.start, f: [mean(a.temps), Math.max(...a.temps), mean(a.vib), a.events], samples: a.temps.length });
  }
  return out;
}

for (const [feed, chunkMs] of [['as a live feed, 15 s of readings at a time', 15_000], ['all readings in one batch', Infinity]] as const) {
  test(`windowed variant (${feed}): one-minute tumbling features, PREDICT per closed window, alerts above 0.8`, async (t) => {
    const e = await mlEngine();
    try {
      try {
        await e.engine.execute(script('setup.sql', 'windowed.sql'));
      } catch (err) {
        if (err instanceof SqlError && err.code === 'UNSUPPORTED') {
          t.skip(`needs windowed aggregation: ${err.message}`);
          return;
        }
        throw err;
      }
      // Each chunk is processed before the next arrives.
      for (let t0 = readings[0].reading_ts; t0 <= readings.at(-1)!.reading_ts; t0 += chunkMs) {
        await produceReadings(e.log, readings.filter((r) => r.reading_ts >= t0 && r.reading_ts < t0 + chunkMs));
        await e.engine.runUntilIdle();
      }

      // Windows close (EMIT FINAL) once stream time passes their end plus the 10 s grace period.
      const streamTime = Math.max(...readings.map((r) => r.reading_ts));
      const closed = [...minuteFeatures(readings).values()].filter((w) => w.start + 60_000 + 10_000 <= streamTime);
      const p = await score(closed.map((w) => w.f));
      const want = closed.map((w, i) => ({ ...w, p: p[i] })).filter((w) => w.p > THRESHOLD);
      assert.ok(want.length > 0, 'some device-minutes are alerts');

      // The table's changelog: alerts, and tombstones for the closed minutes that are no alert.
      const records = (await readRecords(e.log, 'DEVICE_MINUTE_ALERTS')).filter((r) => r.value !== null);
      const got = records.map((r) => {
        const key = Buffer.from(r.key!);
        const value = JSON.parse(Buffer.from(r.value!).toString('utf8'));
        return { device: key.subarray(0, key.length - 8).toString('utf8'), start: Number(key.readBigInt64BE(key.length - 8)), value };
      });
      const order = (a: { device: string; start: number }, b: { device: string; start: number }) => a.start - b.start || a.device.localeCompare(b.device);
      got.sort(order);
      want.sort(order);
      assert.deepEqual(got.map((g) => `${g.device}@${g.start}`), want.map((w) => `${w.device}@${w.start}`));
      assertClose(got.map((g) => g.value.P_FAILURE), want.map((w) => w.p), 1e-9, 'P_FAILURE');
      for (const [i, g] of got.entries()) {
        assertClose([g.value.TEMP_MEAN, g.value.TEMP_MAX, g.value.VIBRATION, g.value.EVENT_COUNT], want[i].f, 1e-9, `features of ${g.device}@${g.start}`);
        assert.equal(g.value.SAMPLES, want[i].samples);
      }
    } finally {
      await e.dispose();
    }
  });
}
