/**
 * Checkpoint files: per store, the changelog offset that the local (LMDB) store reflects, so a
 * restart with an intact local store replays only the changelog after it.
 *
 * A checkpoint is written only after the local store's commit is on disk (LmdbEnv.durable), so it
 * never claims more than the store holds; an older one only means replaying more (restoration is
 * idempotent). It names the LMDB environment incarnation and the codec it was taken with: a
 * checkpoint that does not match the local store (re-created file, other codec), or whose offset
 * lies outside the changelog (topic re-created or truncated), is void and the store is rebuilt
 * from the changelog's start.
 *
 * File: `<stateDir>/<store file name>.checkpoint`, JSON with a CRC-32 of its fields, replaced
 * atomically (temporary file + rename), so a torn write reads as corrupt (= void), never as a
 * wrong offset.
 */
import fs from 'node:fs';
import { crc32 } from 'node:zlib';

export interface Checkpoint {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  /** Next changelog offset to apply: everything before it is in the local store. */
  readonly offset: number;
  readonly incarnation: string;
  readonly codec: string;
}

interface CheckpointFile extends Checkpoint {
  readonly version: 1;
  readonly crc: number;
}

function checksum(c: Checkpoint): number {
  return crc32(JSON.stringify([c.store, c.topic, c.partition, c.offset, c.incarnation, c.codec]));
}

export function writeCheckpoint(file: string, c: Checkpoint): void {
  const body: CheckpointFile = {
    version: 1,
    store: c.store,
    topic: c.topic,
    partition: c.partition,
    offset: c.offset,
    incarnation: c.incarnation,
    codec: c.codec,
    crc: checksum(c),
  };
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(body) + '\n');
  fs.renameSync(tmp, file);
}

/** The checkpoint in `file`; null when the file is missing, unreadable or fails its checksum. */
export function readCheckpoint(file: string): Checkpoint | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const o = JSON.parse(text) as Partial<CheckpointFile>;
    if (
      o.version !== 1 ||
      typeof o.store !== 'string' ||
      typeof o.topic !== 'string' ||
      !Number.isSafeInteger(o.partition) ||
      !Number.isSafeInteger(o.offset) ||
      typeof o.incarnation !== 'string' ||
      typeof o.codec !== 'string'
    ) {
      return null;
    }
    const c: Checkpoint = {
      store: o.store,
      topic: o.topic,
      partition: o.partition!,
      offset: o.offset!,
      incarnation: o.incarnation,
      codec: o.codec,
    };
    return o.crc === checksum(c) ? c : null;
  } catch {
    return null;
  }
}

export function deleteCheckpoint(file: string): void {
  fs.rmSync(file, { force: true });
}
