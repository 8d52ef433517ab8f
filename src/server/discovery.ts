/**
 * How the CLI finds the server that owns a data directory: the server writes
 * `<dataDir>/server.json` ({pid, url}) once it listens and removes it when it stops. A file
 * whose process is gone is stale and ignored.
 */
import { readFileSync, writeFileSync, rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerAdvert {
  readonly pid: number;
  readonly url: string;
  readonly startedAt: number;
}

export const advertFile = (dataDir: string): string => join(dataDir, 'server.json');
export const pidFile = (dataDir: string): string => join(dataDir, 'server.pid');

export function writeAdvert(dataDir: string, advert: ServerAdvert): void {
  const file = advertFile(dataDir);
  writeFileSync(file + '.tmp', JSON.stringify(advert) + '\n');
  renameSync(file + '.tmp', file);
}

export function removeAdvert(dataDir: string): void {
  rmSync(advertFile(dataDir), { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live server owning `dataDir`, or null. */
export function findServer(dataDir: string): ServerAdvert | null {
  let advert: ServerAdvert;
  try {
    advert = JSON.parse(readFileSync(advertFile(dataDir), 'utf8'));
  } catch {
    return null;
  }
  if (typeof advert?.pid !== 'number' || typeof advert.url !== 'string') return null;
  if (advert.pid === process.pid || !processAlive(advert.pid)) return null;
  return advert;
}
