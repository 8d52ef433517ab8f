/**
 * What the suite compares between engines: a summary of one output topic that does not depend
 * on the order of partitions (engines interleave them differently) nor on number formatting
 * (Java and JavaScript print doubles differently; both parse back to the same double).
 *
 * - stream outputs: the record count and an order-insensitive digest of the values (sums mod
 *   2^32 of two 32-bit FNV-1a-style hashes of each value's canonical JSON);
 * - windowed outputs: the count of updates, and the final value (last by offset within its
 *   partition) per (key, window start), the key being the windowed key's bytes.
 */
export interface OutputRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
}

export interface OutputSummary {
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

  constructor(shape: 'stream' | 'windowed') {
    this.shape = shape;
  }

  add(r: OutputRecord): void {
    this.records++;
    const value = canonicalJson(r.value);
    if (this.shape === 'stream') {
      this.values.add(value);
      if (this.sample.length < 3) this.sample.push(value);
      return;
    }
    const key = r.key === null ? 'null' : Buffer.from(r.key).toString('hex');
    const seen = this.finals.get(key);
    if (!seen || seen.offset < r.offset) this.finals.set(key, { offset: r.offset, value });
  }

  build(): OutputSummary {
    if (this.shape === 'stream') return { records: this.records, digest: this.values.toString(), keys: 0, sample: this.sample };
    const finals = new Digest();
    const sample = this.sample;
    for (const [k, { value }] of [...this.finals].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      finals.add(`${k}=${value}`);
      if (sample.length < 3) sample.push(`${k}=${value}`);
    }
    return { records: this.records, digest: finals.toString(), keys: this.finals.size, sample };
  }
}

/** Differences between two summaries of the same query ([] = the same output). */
export function compareSummaries(a: OutputSummary, b: OutputSummary): string[] {
  const diffs: string[] = [];
  if (a.records !== b.records) diffs.push(`records ${a.records} vs ${b.records}`);
  if (a.keys !== b.keys) diffs.push(`windowed keys ${a.keys} vs ${b.keys}`);
  if (a.digest !== b.digest) diffs.push(`digest ${a.digest} vs ${b.digest} (e.g. ${a.sample[0] ?? '-'} vs ${b.sample[0] ?? '-'})`);
  return diffs;
}
