/** Small synchronous file helpers shared by the embedded log. */
import fs from 'node:fs';
import path from 'node:path';

/** Writes all of `buf[start, end)` at `position`, looping over short writes. */
export function writeFully(fd: number, buf: Uint8Array, start: number, end: number, position: number): void {
  let off = start;
  let pos = position;
  while (off < end) {
    const n = fs.writeSync(fd, buf, off, end - off, pos);
    off += n;
    pos += n;
  }
}

/** Reads exactly `length` bytes at `position` into `buf[offset..]`; throws on a short file. */
export function readFully(fd: number, buf: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) throw new Error(`Unexpected end of file: wanted ${length} bytes at ${position}, got ${done}`);
    done += n;
  }
}

/** fsyncs a directory so that created, renamed or removed entries survive a power loss. */
export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync directories; the data files themselves are still synced.
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/**
 * Replaces `file` atomically: writes a temporary file next to it, then renames it over. After a
 * crash the file holds either the old or the new content, never a mix.
 */
export function writeFileAtomic(file: string, data: string, fsync: boolean): void {
  fs.renameSync(writeTemp(file, data, fsync), file);
  if (fsync) fsyncDir(path.dirname(file));
}

/** Writes `data` to a temporary file next to `file` (to be renamed over it); returns its path. */
export function writeTemp(file: string, data: string | Uint8Array, fsync: boolean): string {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    if (fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return tmp;
}

export function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;
}

/** Reads and parses a JSON file, naming the file in the error when it is not valid JSON. */
export function readJsonFile(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`Cannot parse ${file}: ${(e as Error).message}`);
  }
}
