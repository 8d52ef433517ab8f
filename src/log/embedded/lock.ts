/**
 * `<dir>/LOCK` holds the pid of the process that has the log open, so a second process cannot
 * open (and corrupt) the same directory. A lock left by a dead process (kill -9) is taken over.
 * Within one process, open directories are tracked in memory: a lock file with our own pid that
 * we do not hold is stale (a previous incarnation with the same pid, e.g. pid 1 in a container).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isErrno, writeFileAtomic } from './fsutil.ts';

export class LogLockedError extends Error {
  readonly dir: string;
  readonly pid: number | null;
  constructor(dir: string, pid: number | null, why: string) {
    super(`Cannot open the embedded log in ${dir}: ${why}`);
    this.dir = dir;
    this.pid = pid;
  }
}

const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isErrno(e, 'EPERM'); // exists, owned by someone else
  }
}

/** Takes the lock on `dir` (an absolute, real path); returns the function that releases it. */
export function acquireLock(dir: string): () => void {
  if (heldHere.has(dir)) throw new LogLockedError(dir, process.pid, 'it is already open in this process');
  const file = path.join(dir, 'LOCK');
  try {
    const fd = fs.openSync(file, 'wx');
    try {
      fs.writeFileSync(fd, `${process.pid}\n`);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    if (!isErrno(e, 'EEXIST')) throw e;
    const text = fs.readFileSync(file, 'utf8').trim();
    const pid = /^\d+$/.test(text) ? Number(text) : null;
    if (pid !== null && pid !== process.pid && alive(pid)) {
      throw new LogLockedError(dir, pid, `it is locked by process ${pid} (${file})`);
    }
    writeFileAtomic(file, `${process.pid}\n`, false);
  }
  heldHere.add(dir);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(dir);
    try {
      if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
