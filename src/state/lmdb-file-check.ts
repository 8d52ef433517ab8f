/**
 * A pre-flight check of an LMDB data file before lmdb-js opens it.
 *
 * Why: lmdb-js 3.x crashes the whole process (SIGSEGV/SIGBUS, no exception) on a file that is not
 * a valid LMDB file (garbage, zeros, a few bytes) or that was truncated below the pages its meta
 * page references — exactly the "corrupt local store" cases the state layer must survive by
 * rebuilding from the changelog. LMDB itself is crash-safe (copy-on-write, two meta pages), so
 * these come from outside damage: a disk filling up during a copy, a truncated restore, a user.
 * Damage inside data pages is not detected (LMDB has no page checksums).
 *
 * Layout read here (liblmdb as built by lmdb-js: 24-byte page header, see MDB_meta in
 * node_modules/lmdb/dependencies/lmdb/libraries/liblmdb/mdb.c), little-endian:
 *   meta at page header end:  +0 magic u32 (0xBEEFC0DE), +4 version u32 (low 16 bits = 2),
 *   +24 mm_dbs[0].md_pad u32 = page size, +120 mm_last_pg u64, +128 mm_txnid u64.
 * Meta pages sit at offsets 0 and psize (and psize/2 steps with overlapping sync); every one
 * whose magic matches must have its last page inside the file.
 *
 * Damage inside data pages (a flipped byte) is caught by a checksum of the whole file written
 * when the environment is closed cleanly (`state.mdb.sum`, ./lmdb-store.ts) and checked, then
 * removed, before the next open: LMDB changes the file while it is open, so a sum only vouches
 * for a file nobody opened since. After a crash (no sum) only the structural check runs.
 *
 * A test (test/state/lmdb-file-check.test.ts) checks real files pass, so an lmdb upgrade that
 * changes the layout shows up as a failing test rather than as needless rebuilds.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';

const PAGE_HEADER = 24;
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;

/** null when `file` is absent or looks like a sound LMDB file; otherwise what is wrong. */
export function checkLmdbFile(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `cannot open ${file}: ${(e as Error).message}`;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return null; // created but never written: LMDB initialises it
    const head = Buffer.alloc(PAGE_HEADER + 136);
    if (fs.readSync(fd, head, 0, head.length, 0) < head.length) return `file is too short (${size} bytes)`;
    const meta0 = readMeta(head);
    if (meta0 === null) return 'not an LMDB file (bad magic or version in the first meta page)';
    const psize = meta0.psize;
    if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0) return `implausible page size ${psize}`;
    if (size < 2 * psize) return `file is too short (${size} bytes) for two meta pages of ${psize}`;
    for (let off = 0; off <= 2 * psize; off += psize >> 1) {
      if (fs.readSync(fd, head, 0, head.length, off) < head.length) break;
      const m = readMeta(head);
      if (m === null) continue;
      const needed = (m.lastPage + 1) * psize;
      if (needed > size) return `truncated: meta (txn ${m.txnid}) needs ${needed} bytes, file has ${size}`;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

interface Meta {
  psize: number;
  lastPage: number;
  txnid: number;
}

function readMeta(page: Buffer): Meta | null {
  const m = PAGE_HEADER;
  if (page.readUInt32LE(m) !== MAGIC) return null;
  if ((page.readUInt32LE(m + 4) & 0xffff) !== DATA_VERSION) return null;
  return {
    psize: page.readUInt32LE(m + 24),
    lastPage: Number(page.readBigUInt64LE(m + 120)),
    txnid: Number(page.readBigUInt64LE(m + 128)),
  };
}

const SUM_SUFFIX = '.sum';

/** CRC32 and size of a whole file, read in chunks. */
function fileCrc(file: string): { size: number; crc: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let crc = 0;
    let size = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, size);
      if (n === 0) break;
      crc = zlib.crc32(buf.subarray(0, n), crc);
      size += n;
    }
    return { size, crc };
  } finally {
    fs.closeSync(fd);
  }
}

/** Records the checksum of a closed environment file (after a clean close). */
export function writeLmdbSum(file: string): void {
  if (!fs.existsSync(file)) return;
  const sum = fileCrc(file);
  const tmp = `${file}${SUM_SUFFIX}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ version: 1, ...sum }));
  fs.renameSync(tmp, file + SUM_SUFFIX);
}

/**
 * Checks `file` against the checksum written when it was last closed, and removes that
 * checksum (the file is about to be opened and changed). null: no checksum, or it matches.
 */
export function consumeLmdbSum(file: string): string | null {
  const sumFile = file + SUM_SUFFIX;
  let expected: { size: number; crc: number } | null = null;
  try {
    const parsed = JSON.parse(fs.readFileSync(sumFile, 'utf8')) as { size?: unknown; crc?: unknown };
    if (typeof parsed.size === 'number' && typeof parsed.crc === 'number') expected = { size: parsed.size, crc: parsed.crc };
  } catch {
    // absent (first open, or the last run did not close cleanly) or unreadable: nothing to check
  }
  if (expected === null) {
    fs.rmSync(sumFile, { force: true });
    return null;
  }
  const problem = (() => {
    if (!fs.existsSync(file)) return null;
    const actual = fileCrc(file);
    if (actual.size !== expected.size) return `changed size since it was closed (${expected.size} -> ${actual.size} bytes)`;
    if (actual.crc !== expected.crc) return 'content changed since it was closed (checksum mismatch): damaged';
    return null;
  })();
  if (problem === null) fs.rmSync(sumFile, { force: true });
  return problem;
}

/** The checksum file of an environment file (deleted with it). */
export function lmdbSumFile(file: string): string {
  return file + SUM_SUFFIX;
}
