/**
 * Keys longer than LMDB's key limit (MAX_KEY_BYTES), up to the record size limit: a GROUP BY or
 * join key of 1 MB must not stop a query. They live in one database per environment, shared by its
 * stores, under a bounded key — an 8-byte tag of the store, the key's first PREFIX_BYTES bytes, the
 * SHA-256 of the whole key — with the
 * whole key stored in front of the value. A lookup recomputes that key and checks the whole key;
 * a range scan reads the long keys whose prefix can lie in the range, filters them by their whole
 * key and sorts them, so the store's order stays the byte order of the real keys (the caller merges
 * them with the short keys). Long keys are expected to be rare: their costs are per long key only,
 * and a store with none pays one flag check per range.
 *
 * Record layout: 4-byte big-endian key length, the key, the encoded value.
 */
import { createHash } from 'node:crypto';
import type { Database } from 'lmdb';
import { keyToString, prefixEnd } from './keys.ts';

/** LMDB's limit (lmdb-js build). */
export const MAX_KEY_BYTES = 1978;
/** Bytes of a long key kept between the store tag and the hash: ≤ MAX_KEY_BYTES - 8 - 32. */
const PREFIX_BYTES = 1900;
const TAG_BYTES = 8;

/** The tag of a store in the shared table: the first bytes of the SHA-256 of its database name. */
export function storeTag(dbName: string): Buffer {
  return createHash('sha256').update(dbName).digest().subarray(0, TAG_BYTES);
}

function tagged(tag: Buffer, bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(TAG_BYTES + bytes.length);
  tag.copy(out, 0);
  out.set(bytes, TAG_BYTES);
  return out;
}

function record(key: Uint8Array, value: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + key.length + value.length);
  out.writeUInt32BE(key.length, 0);
  out.set(key, 4);
  out.set(value, 4 + key.length);
  return out;
}

function split(raw: Uint8Array): { key: Uint8Array; value: Uint8Array } {
  const n = ((raw[0] << 24) >>> 0) + (raw[1] << 16) + (raw[2] << 8) + raw[3];
  return { key: raw.subarray(4, 4 + n), value: raw.subarray(4 + n) };
}

export class LongKeyTable {
  private readonly db: Database<Buffer, Buffer>;
  private readonly tag: Buffer;
  /** Whether the store may have entries here (false: ranges skip the table). */
  private used: boolean;

  constructor(db: Database<Buffer, Buffer>, tag: Buffer) {
    this.db = db;
    this.tag = tag;
    this.used = false;
    for (const _ of db.getKeys({ start: tag, end: this.tagEnd(), limit: 1 })) this.used = true;
  }

  private tagEnd(): Buffer | undefined {
    const e = prefixEnd(this.tag);
    return e === null ? undefined : Buffer.from(e);
  }

  private boundedKey(key: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(TAG_BYTES + PREFIX_BYTES + 32);
    this.tag.copy(out, 0);
    out.set(key.subarray(0, PREFIX_BYTES), TAG_BYTES);
    createHash('sha256').update(key).digest().copy(out, TAG_BYTES + PREFIX_BYTES);
    return out;
  }

  count(): number {
    if (!this.used) return 0;
    let n = 0;
    for (const _ of this.db.getKeys({ start: this.tag, end: this.tagEnd() })) n++;
    return n;
  }

  /** The encoded value of a long key, undefined if absent. */
  get(key: Uint8Array): Uint8Array | undefined {
    if (!this.used) return undefined;
    const raw = this.db.getBinary(this.boundedKey(key));
    if (raw === undefined) return undefined;
    const r = split(raw);
    return Buffer.compare(r.key, key) === 0 ? Buffer.from(r.value) : undefined;
  }

  /** Inside a write transaction. */
  putSync(key: Uint8Array, value: Uint8Array): void {
    this.used = true;
    this.db.putSync(this.boundedKey(key), record(key, value));
  }

  /** Inside a write transaction. */
  removeSync(key: Uint8Array): void {
    if (this.used) this.db.removeSync(this.boundedKey(key));
  }

  /** Inside a write transaction. */
  clearSync(): void {
    this.removeRangeSync(null, null);
  }

  /** Inside a write transaction: removes the long keys in [from, to). */
  removeRangeSync(from: Uint8Array | null, to: Uint8Array | null): void {
    for (const [, , stored] of this.scan(from, to)) this.db.removeSync(stored);
  }

  /** The long keys in [from, to) in key order (latin1 image, encoded value). */
  range(from: Uint8Array | null, to: Uint8Array | null, reverse: boolean): [string, Uint8Array][] {
    const out = this.scan(from, to).map(([ks, value]) => [ks, value] as [string, Uint8Array]);
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (reverse) out.reverse();
    return out;
  }

  private scan(from: Uint8Array | null, to: Uint8Array | null): [string, Uint8Array, Buffer][] {
    if (!this.used) return [];
    // A long key k >= from has k[0, PREFIX) >= from[0, PREFIX); k < to needs k[0, PREFIX) <= to[0, PREFIX).
    const start = from === null ? this.tag : tagged(this.tag, from.subarray(0, PREFIX_BYTES));
    const endKey = to === null ? null : prefixEnd(tagged(this.tag, to.subarray(0, PREFIX_BYTES)));
    const out: [string, Uint8Array, Buffer][] = [];
    for (const e of this.db.getRange({ start, end: endKey === null ? this.tagEnd() : Buffer.from(endKey) })) {
      const r = split(e.value as Buffer);
      if (from !== null && Buffer.compare(r.key, from) < 0) continue;
      if (to !== null && Buffer.compare(r.key, to) >= 0) continue;
      out.push([keyToString(r.key), Buffer.from(r.value), Buffer.from(e.key as Buffer)]);
    }
    return out;
  }
}
