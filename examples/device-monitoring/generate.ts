/**
 * Sensor readings for the device-monitoring example: every device samples every 3 seconds its
 * temperature, vibration (mm/s RMS) and the error events since the previous sample, and also
 * reports the rolling one-minute summary its firmware computes (what the stateless variant uses).
 * Some sites report Fahrenheit. A few devices start to degrade after a while: hotter, shakier,
 * more errors. Deterministic for a seed.
 *
 *   node examples/device-monitoring/generate.ts [--devices 12] [--minutes 5] [--failing 2] [--seed 42]
 *
 * prints one record per line, `device_id<TAB>json`, in time order, for
 * `riffle topic produce sensor_readings --tab-key`.
 */
import { parseArgs } from 'node:util';

export interface Reading {
  readonly device_id: string;
  readonly site: string;
  /** 'C' or 'F': the unit of every temperature in the reading. */
  readonly unit: 'C' | 'F';
  /** Event time, epoch milliseconds. */
  readonly reading_ts: number;
  readonly temp: number;
  readonly vibration: number;
  readonly error_events: number;
  /** The firmware's summary of its last minute of samples (this one included). */
  readonly temp_avg_1m: number;
  readonly temp_max_1m: number;
  readonly vibration_avg_1m: number;
  readonly error_events_1m: number;
}

export interface GeneratorOptions {
  readonly devices?: number;
  readonly minutes?: number;
  /** How many devices degrade (the last ones), from the second minute on. */
  readonly failing?: number;
  readonly seed?: number;
  readonly start?: number;
  readonly intervalMs?: number;
}

/** mulberry32 (as test/helpers/random.ts; repeated here so this example runs on its own): two runs give the same readings. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

export function generateReadings(o: GeneratorOptions = {}): Reading[] {
  const devices = o.devices ?? 12;
  const minutes = o.minutes ?? 5;
  const failing = Math.min(o.failing ?? 2, devices);
  const start = o.start ?? Date.UTC(2026, 0, 1, 8, 0, 0);
  const interval = o.intervalMs ?? 3000;
  const rnd = prng(o.seed ?? 42);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const poisson = (lambda: number): number => {
    let k = 0;
    for (let p = rnd(), l = Math.exp(-lambda); p > l; p *= rnd()) k++;
    return k;
  };
  const sites = ['lyon', 'osaka', 'austin'];
  const units: Record<string, 'C' | 'F'> = { lyon: 'C', osaka: 'C', austin: 'F' };
  const profiles = Array.from({ length: devices }, (_, d) => ({
    id: `dev-${String(d + 1).padStart(2, '0')}`,
    site: sites[d % sites.length],
    baseTemp: 55 + 8 * rnd(),
    baseVibration: 0.6 + 0.5 * rnd(),
    failing: d >= devices - failing,
    history: [] as { temp: number; vibration: number; events: number }[],
  }));
  const perMinute = Math.round(60_000 / interval);
  const out: Reading[] = [];
  for (let t = 0; t < minutes * 60_000; t += interval) {
    const minute = t / 60_000;
    for (const p of profiles) {
      const degrade = p.failing ? Math.max(0, minute - 1) : 0;
      const temp = p.baseTemp + 6 * degrade + 4 * normal();
      const vibration = Math.max(0.05, p.baseVibration * (1 + 0.6 * degrade) + 0.25 * normal());
      const events = poisson(1 + 0.6 * degrade);
      p.history.push({ temp, vibration, events });
      if (p.history.length > perMinute) p.history.shift();
      const h = p.history;
      const toUnit = (c: number): number => (units[p.site] === 'F' ? c * 1.8 + 32 : c);
      out.push({
        device_id: p.id,
        site: p.site,
        unit: units[p.site],
        reading_ts: start + t,
        temp: round(toUnit(temp)),
        vibration: round(vibration, 3),
        error_events: events,
        temp_avg_1m: round(toUnit(h.reduce((s, x) => s + x.temp, 0) / h.length)),
        temp_max_1m: round(toUnit(Math.max(...h.map((x) => x.temp)))),
        vibration_avg_1m: round(h.reduce((s, x) => s + x.vibration, 0) / h.length, 3),
        error_events_1m: h.reduce((s, x) => s + x.events, 0),
      });
    }
  }
  return out;
}

/** The stateless variant's features of one reading, as reading_features in stateless.sql computes them. */
export function statelessFeatures(r: Reading): [number, number, number, number] {
  const c = (x: number): number => (r.unit === 'F' ? (x - 32) / 1.8 : x);
  return [c(r.temp_avg_1m), c(r.temp_max_1m), r.vibration_avg_1m, r.error_events_1m];
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { devices: { type: 'string' }, minutes: { type: 'string' }, failing: { type: 'string' }, seed: { type: 'string' } },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const readings = generateReadings({ devices: num(values.devices), minutes: num(values.minutes), failing: num(values.failing), seed: num(values.seed) });
  const lines = readings.map((r) => {
    const { device_id, ...value } = r;
    return `${device_id}\t${JSON.stringify(value)}`;
  });
  process.stdout.write(lines.join('\n') + '\n');
}
