/**
 * What the suite compares between engines: a summary of one output topic that does not depend
 * on the order of partitions (engines interleave them differently) nor on number formatting
 * (Java and JavaScript print doubles differently; both parse back to the same double).
 *
 * - stream outputs: the record count and an order-insensitive digest of the values (sums mod
 *   2^32 of two 32-bit FNV-1a-style hashes of each value's canonical JSON);
 * - windowed outputs: the count of updates, and the final value (last by offset within its
 *   partition) per (key, window start), the key being the windowed key's bytes.
 *
 * Riffle and Kafka Streams emit every update of a window (`emits: 'updates'`) under ksqlDB's
 * windowed key (key bytes + 8-byte big-endian window start); Flink SQL emits each window once,
 * when it closes (`emits: 'final'`), keyed by the group key alone with `window_start` /
 * `window_end` in the value (layout 'flink'): the window start is moved into the same
 * (key, window) identity and both window columns leave the value, so the final values compare
 * byte for byte. Update counts are compared only between engines that emit the same way.
 */
export interface OutputRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
}

/** How an engine lays out a windowed output: ksqlDB's windowed key, or Flink's window columns in the value. */
export type OutputLayout = 'ksql' | 'flink';

export interface OutputSummary {
  /** Every update of a window, or each window once with its final value (windowed outputs). */
  emits: 'updates' | 'final';
  records: number;
  /** stream: hex digest of the values; windowed: digest of the final (key, value) pairs. */
  digest: string;
  /** windowed: distinct (key, window) entries. */
  keys: number;
  /** A few final values, for the report when two engines differ. */
  sample: string[];
}

/** JSON with sorted keys, upper-cased names and numbers as JavaScript prints them. */
export function canonicalJson(value: Uint8Array | null): string {
  if (value === null) return 'null';
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `!${text}`;
  }
  return JSON.stringify(canonical(parsed));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).map((k) => [k.toUpperCase(), k] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      out[k[0]] = canonical((v as Record<string, unknown>)[k[1]]);
    }
    return out;
  }
  return v;
}

/** Two 32-bit FNV-1a hashes (different offsets) of the text: 64 bits without BigInt per character. */
export function hash64(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return [a >>> 0, b >>> 0];
}

/** An order-insensitive digest: two sums mod 2^32 of the hashes. */
class Digest {
  private a = 0;
  private b = 0;
  add(text: string): void {
    const [x, y] = hash64(text);
    this.a = (this.a + x) >>> 0;
    this.b = (this.b + y) >>> 0;
  }
  toString(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0');
  }
}

/** Accumulates records (any order across partitions, offset order within one). */
export class SummaryBuilder {
  private records = 0;
  private readonly values = new Digest();
  private readonly sample: string[] = [];
  private readonly finals = new Map<string, { offset: number; value: string }>();

  private readonly shape: 'stream' | 'windowed';
  private readonly layout: OutputLayout;

  private readonly emits: 'updates' | 'final';

  /** `emits`: Flink's window aggregation emits final values; its updating form (flink-updates) every update. */
  constructor(shape: 'stream' | 'windowed', layout: OutputLayout = 'ksql', emits: 'updates' | 'final' = layout === 'flink' && shape === 'windowed' ? 'final' : 'updates') {
    this.shape = shape;
    this.layout = layout;
    this.emits = emits;
  }

  add(r: OutputRecord): void {
    this.records++;
    if (this.shape === 'stream') {
      const value = canonicalJson(r.value);
      this.values.add(value);
      if (this.sample.length < 3) this.sample.push(value);
      return;
    }
    let key: string;
    let value: string;
    if (this.layout === 'flink') {
      const window = flinkWindow(r.key, r.value);
      key = window.key;
      value = window.value;
    } else {
      key = r.key === null ? 'null' : Buffer.from(r.key).toString('hex');
      value = canonicalJson(r.value);
    }
    const seen = this.finals.get(key);
    if (!seen || seen.offset < r.offset) this.finals.set(key, { offset: r.offset, value });
  }

  build(): OutputSummary {
    const emits = this.emits;
    if (this.shape === 'stream') return { emits, records: this.records, digest: this.values.toString(), keys: 0, sample: this.sample };
    const finals = new Digest();
    const sample = this.sample;
    for (const [k, { value }] of [...this.finals].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      finals.add(`${k}=${value}`);
      if (sample.length < 3) sample.push(`${k}=${value}`);
    }
    return { emits, records: this.records, digest: finals.toString(), keys: this.finals.size, sample };
  }
}

/**
 * A Flink window row as ksqlDB's windowed key (the group key's bytes + the window start, 8 bytes
 * big-endian, in hex) and the rest of its value, canonical. The group key is the record key,
 * either `raw` (the auction's 8 bytes) or, from the upsert sink of flink-updates, a JSON object
 * of the auction and window_start. window_start (in the key or the value) is a TIMESTAMP in UTC
 * ('yyyy-MM-dd HH:mm:ss[.fff]', the JSON format's SQL layout, or ISO-8601), or epoch milliseconds;
 * window_start and window_end leave the value.
 */
export function flinkWindow(key: Uint8Array | null, value: Uint8Array | null): { key: string; value: string } {
  const row = value === null ? null : (JSON.parse(Buffer.from(value).toString('utf8')) as Record<string, unknown>);
  if (row === null || typeof row !== 'object') throw new Error('a Flink window row without a value');
  let groupKey = key === null ? 'null' : Buffer.from(key).toString('hex');
  let start: unknown = undefined;
  const jsonKey = key !== null && key[0] === 0x7b ? (JSON.parse(Buffer.from(key).toString('utf8')) as Record<string, unknown>) : null;
  if (jsonKey !== null) {
    const fields = Object.keys(jsonKey).filter((k) => !isWindowColumn(k));
    const only = fields.length === 1 ? jsonKey[fields[0]] : undefined;
    if (typeof only !== 'number' || !Number.isSafeInteger(only)) throw new Error(`a Flink window key without one BIGINT group key: ${JSON.stringify(jsonKey)}`);
    groupKey = BigInt.asUintN(64, BigInt(only)).toString(16).padStart(16, '0');
    start = jsonKey[Object.keys(jsonKey).find((k) => k.toLowerCase() === 'window_start') ?? ''];
  }
  const startName = Object.keys(row).find((k) => k.toLowerCase() === 'window_start');
  if (startName !== undefined) start = row[startName];
  if (start === undefined) throw new Error(`a Flink window row without window_start: ${JSON.stringify(row)}`);
  const ms = typeof start === 'number' ? start : Date.parse(String(start).replace(' ', 'T').replace(/Z?$/, 'Z'));
  if (!Number.isFinite(ms)) throw new Error(`window_start '${String(start)}' is not a time`);
  for (const k of Object.keys(row)) if (isWindowColumn(k)) delete row[k];
  return { key: groupKey + BigInt(ms).toString(16).padStart(16, '0'), value: JSON.stringify(canonical(row)) };
}

const isWindowColumn = (name: string) => name.toLowerCase() === 'window_start' || name.toLowerCase() === 'window_end';

/** Differences between two summaries of the same query ([] = the same output). */
export function compareSummaries(a: OutputSummary, b: OutputSummary): string[] {
  const diffs: string[] = [];
  // An engine that emits final values only has fewer records than one emitting every update.
  if (a.records !== b.records && a.emits === b.emits) diffs.push(`records ${a.records} vs ${b.records}`);
  if (a.keys !== b.keys) diffs.push(`windowed keys ${a.keys} vs ${b.keys}`);
  if (a.digest !== b.digest) diffs.push(`digest ${a.digest} vs ${b.digest} (e.g. ${a.sample[0] ?? '-'} vs ${b.sample[0] ?? '-'})`);
  return diffs;
}
