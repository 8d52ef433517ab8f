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
 * A test (test/state/lmdb-file-check.test.ts) checks real files pass, so an lmdb upgrade that
 * changes the layout shows up as a failing test rather than as needless rebuilds.
 */
import fs from 'node:fs';

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
