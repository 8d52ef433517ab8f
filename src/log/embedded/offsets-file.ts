/**
 * One consumer group's committed offsets on disk: an append-only file of fixed-size entries after
 * a snapshot header, so that a commit is one small write at the end of an open file (no temp file,
 * no rename: ext4 flushes a file renamed over another, which made every commit cost a writeback).
 *
 * File `<group>.offsets`:
 *   header:  8 B magic "RFLOFS02" | u32 bodyLength | u32 crc32(body) | body (JSON HeaderBody)
 *   entries: 32 B each, from the end of the header:
 *     u32 seq | u16 index | u16 count | u32 topic (index into header.topics) | u32 partition |
 *     f64 offset (a safe integer) | u32 reserved (0) | u32 crc32(bytes 0..28)
 *
 * Invariants:
 * - The header is only ever written whole into a temp file renamed over the current one (a
 *   "rewrite": at creation, when a topic is new to the group, after a repair, and every
 *   REWRITE_AFTER_ENTRIES entries, which bounds the file); the replaced file is kept as
 *   `<group>.offsets.prev`, whose final state equals the new header's snapshot.
 * - A commit of n partitions is n consecutive entries with the same seq (each commit a seq one
 *   higher than the one before) and index 0..n-1, written by one write at the end. It counts only
 *   when all n entries are there with a valid CRC: a commit cut by kill -9 (or a power loss with
 *   fsync off) is ignored whole, so a commit stays atomic as with the old replaced JSON file.
 * - One damaged byte loses its entry, and with it its commit (the partitions of that commit keep
 *   their offsets from the commits before it); the entries around it are read as usual. Every
 *   repair is reported, and the file is rewritten clean so that it is reported once.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fsyncDir, isErrno, writeFully, writeTemp } from './fsutil.ts';

/** topic -> partition -> next offset to consume. */
export type GroupOffsets = Map<string, Map<number, number>>;

interface HeaderBody {
  readonly version: 2;
  readonly group: string;
  /** Topics the entries name by index; every topic of the snapshot is among them. */
  readonly topics: string[];
  /** The state at the rewrite: topic -> partition -> offset. */
  readonly offsets: Record<string, Record<string, number>>;
}

export const OFFSETS_SUFFIX = '.offsets';
export const PREV_SUFFIX = '.prev';
const MAGIC = Buffer.from('RFLOFS02', 'latin1');
const HEADER_PREFIX_BYTES = 16;
export const ENTRY_BYTES = 32;
const E_SEQ = 0;
const E_INDEX = 4;
const E_COUNT = 6;
const E_TOPIC = 8;
const E_PARTITION = 12;
const E_OFFSET = 16;
const E_RESERVED = 24;
const E_CRC = 28;
const MAX_COMMIT_ENTRIES = 0xffff;
/** Entries appended before the file is rewritten as a snapshot (128 KiB of entries). */
export const REWRITE_AFTER_ENTRIES = 4096;

/** What reading a file found: the group's offsets, and what was wrong with its entries, if anything. */
export interface ReadOffsetsFile {
  readonly group: string;
  readonly offsets: GroupOffsets;
  /** Damage found among the entries (null: none); the header itself was fine. */
  readonly damage: string | null;
}

/**
 * Reads an offsets file: its header must be intact (else an Error saying why); entries are
 * applied commit by commit, skipping commits with a damaged or missing entry.
 */
export function readOffsetsFile(file: string): ReadOffsetsFile | Error {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    return e as Error;
  }
  if (data.length < HEADER_PREFIX_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    return new Error(`${file} is not a consumer-group offsets file (bad magic or too short)`);
  }
  const bodyLength = data.readUInt32LE(8);
  const headerEnd = HEADER_PREFIX_BYTES + bodyLength;
  if (headerEnd > data.length) return new Error(`${file}: header cut short (${data.length} of ${headerEnd} bytes)`);
  const body = data.subarray(HEADER_PREFIX_BYTES, headerEnd);
  if (zlib.crc32(body) !== data.readUInt32LE(12)) return new Error(`${file}: header checksum mismatch`);
  let header: HeaderBody;
  try {
    header = JSON.parse(body.toString('utf8')) as HeaderBody;
  } catch (e) {
    return new Error(`${file}: header is not JSON: ${(e as Error).message}`);
  }
  const invalid = checkHeader(header);
  if (invalid !== null) return new Error(`${file}: ${invalid}`);

  const offsets: GroupOffsets = new Map();
  for (const [topic, parts] of Object.entries(header.offsets)) {
    offsets.set(topic, new Map(Object.entries(parts).map(([p, o]) => [Number(p), o])));
  }
  const entries = data.subarray(headerEnd);
  const damage = applyEntries(entries, header.topics, offsets);
  return { group: header.group, offsets, damage };
}

function checkHeader(h: HeaderBody): string | null {
  if (h === null || typeof h !== 'object' || h.version !== 2 || typeof h.group !== 'string') return 'header is not a version 2 offsets header';
  if (!Array.isArray(h.topics) || h.topics.some((t) => typeof t !== 'string')) return 'header topics are not a list of names';
  if (typeof h.offsets !== 'object' || h.offsets === null) return 'header has no offsets';
  for (const parts of Object.values(h.offsets)) {
    if (typeof parts !== 'object' || parts === null) return 'header offsets are not per partition';
    for (const [p, o] of Object.entries(parts)) {
      if (!Number.isSafeInteger(Number(p)) || Number(p) < 0) return `header holds an invalid partition ${p}`;
      if (!Number.isSafeInteger(o) || o < 0) return `header holds an invalid offset ${o}`;
    }
  }
  return null;
}

/**
 * Applies the complete commits among `entries` in file order; returns a description of what was
 * skipped (damaged entries, incomplete commits, a partial last entry), or null when nothing was.
 */
function applyEntries(entries: Buffer, topics: readonly string[], offsets: GroupOffsets): string | null {
  const slots = Math.floor(entries.length / ENTRY_BYTES);
  const partialBytes = entries.length - slots * ENTRY_BYTES;
  let damagedEntries = 0;
  let lostCommits = 0;
  // The commit being gathered: its seq, its entries by index (undefined until seen).
  let seq = -1;
  let count = 0;
  let seen = 0;
  let pending: { topic: string; partition: number; offset: number }[] = [];
  const finish = (): void => {
    if (seq < 0) return;
    if (seen === count) {
      for (const e of pending) {
        let parts = offsets.get(e.topic);
        if (parts === undefined) offsets.set(e.topic, (parts = new Map()));
        parts.set(e.partition, e.offset);
      }
    } else {
      lostCommits++;
    }
    seq = -1;
    pending = [];
  };
  for (let s = 0; s < slots; s++) {
    const at = s * ENTRY_BYTES;
    const e = entries.subarray(at, at + ENTRY_BYTES);
    const entrySeq = e.readUInt32LE(E_SEQ);
    const index = e.readUInt16LE(E_INDEX);
    const entryCount = e.readUInt16LE(E_COUNT);
    const topic = e.readUInt32LE(E_TOPIC);
    const offset = e.readDoubleLE(E_OFFSET);
    const valid =
      zlib.crc32(e.subarray(0, E_CRC)) === e.readUInt32LE(E_CRC) &&
      e.readUInt32LE(E_RESERVED) === 0 &&
      entryCount > 0 &&
      index < entryCount &&
      topic < topics.length &&
      Number.isSafeInteger(offset) &&
      offset >= 0;
    if (!valid) {
      damagedEntries++;
      continue;
    }
    if (entrySeq !== seq) {
      finish();
      seq = entrySeq;
      count = entryCount;
      seen = 0;
      pending = new Array(entryCount);
    }
    if (entryCount !== count || pending[index] !== undefined) {
      // Entries of one seq that disagree: the commit cannot be trusted.
      damagedEntries++;
      seen = -1;
      continue;
    }
    pending[index] = { topic: topics[topic], partition: e.readUInt32LE(E_PARTITION), offset };
    if (seen >= 0) seen++;
  }
  finish();
  if (damagedEntries === 0 && lostCommits === 0 && partialBytes === 0) return null;
  const parts: string[] = [];
  if (damagedEntries > 0) parts.push(`${damagedEntries} damaged entr${damagedEntries === 1 ? 'y' : 'ies'}`);
  if (partialBytes > 0) parts.push(`a partial entry of ${partialBytes} bytes at the end`);
  if (lostCommits > 0) parts.push(`${lostCommits} incomplete commit${lostCommits === 1 ? '' : 's'} ignored`);
  return parts.join(', ');
}

/** The snapshot header of `offsets`, with `topics` first (their indexes stay what the caller assigned). */
function encodeHeader(group: string, topics: readonly string[], offsets: GroupOffsets): Buffer {
  const snapshot: Record<string, Record<string, number>> = {};
  for (const [topic, parts] of offsets) {
    const o: Record<string, number> = {};
    for (const [p, off] of parts) o[String(p)] = off;
    snapshot[topic] = o;
  }
  const header: HeaderBody = { version: 2, group, topics: [...topics], offsets: snapshot };
  const body = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(HEADER_PREFIX_BYTES + body.length);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(body.length, 8);
  out.writeUInt32LE(zlib.crc32(body), 12);
  body.copy(out, HEADER_PREFIX_BYTES);
  return out;
}

/**
 * The open, appendable offsets file of one group. Not safe to use after a failed rewrite (the
 * caller drops it and rewrites again on the next commit).
 */
export class OffsetsFile {
  readonly file: string;
  private readonly group: string;
  private readonly fsync: boolean;
  private topicIndex = new Map<string, number>();
  private fd = -1;
  private size = 0;
  private entries = 0;
  private seq = 0;
  private scratch = Buffer.alloc(ENTRY_BYTES * 16);

  /** Writes a fresh file holding `offsets` (a rewrite) and opens it for appending. */
  constructor(file: string, group: string, fsync: boolean, offsets: GroupOffsets) {
    this.file = file;
    this.group = group;
    this.fsync = fsync;
    this.rewrite(offsets);
  }

  /**
   * Appends one commit (the group's offsets after it are `after`): one write of its entries, or a
   * rewrite when a topic is new to the file, the commit is too large for one seq, or the file is
   * due for compaction. On a failed append the file is cut back to where it was, so a half
   * written commit never stays behind a later one.
   */
  append(commit: readonly { topic: string; partition: number; offset: number }[], after: GroupOffsets): void {
    const n = commit.length;
    if (n === 0) return;
    if (this.fd < 0 || n > MAX_COMMIT_ENTRIES || this.entries + n > REWRITE_AFTER_ENTRIES || commit.some((c) => !this.topicIndex.has(c.topic))) {
      this.rewrite(after);
      return;
    }
    const bytes = n * ENTRY_BYTES;
    if (this.scratch.length < bytes) this.scratch = Buffer.alloc(Math.max(bytes, this.scratch.length * 2));
    const buf = this.scratch;
    const seq = (this.seq + 1) >>> 0;
    for (let i = 0; i < n; i++) {
      const at = i * ENTRY_BYTES;
      const c = commit[i];
      buf.writeUInt32LE(seq, at + E_SEQ);
      buf.writeUInt16LE(i, at + E_INDEX);
      buf.writeUInt16LE(n, at + E_COUNT);
      buf.writeUInt32LE(this.topicIndex.get(c.topic)!, at + E_TOPIC);
      buf.writeUInt32LE(c.partition, at + E_PARTITION);
      buf.writeDoubleLE(c.offset, at + E_OFFSET);
      buf.writeUInt32LE(0, at + E_RESERVED);
      buf.writeUInt32LE(zlib.crc32(buf.subarray(at, at + E_CRC)), at + E_CRC);
    }
    try {
      writeFully(this.fd, buf, 0, bytes, this.size);
      if (this.fsync) fs.fdatasyncSync(this.fd);
    } catch (e) {
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        // The torn commit is ignored on open anyway (its entries are incomplete); the next
        // append rewrites the file.
        this.close();
      }
      throw e;
    }
    this.size += bytes;
    this.entries += n;
    this.seq = seq;
  }

  /**
   * Replaces the file with a snapshot of `offsets` (temp file, then the current file becomes
   * `.prev`, then the temp file is renamed in), and reopens it for appending.
   */
  rewrite(offsets: GroupOffsets): void {
    this.close();
    const topics = [...offsets.keys()];
    const header = encodeHeader(this.group, topics, offsets);
    const tmp = writeTemp(this.file, header, this.fsync);
    try {
      fs.renameSync(this.file, this.file + PREV_SUFFIX);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
    }
    fs.renameSync(tmp, this.file);
    if (this.fsync) fsyncDir(path.dirname(this.file));
    this.topicIndex = new Map(topics.map((t, i) => [t, i]));
    this.fd = fs.openSync(this.file, 'r+');
    this.size = header.length;
    this.entries = 0;
    this.seq = 0;
  }

  close(): void {
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      fs.closeSync(fd);
    }
  }
}
