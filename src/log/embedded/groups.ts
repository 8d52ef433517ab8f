/**
 * Committed offsets per consumer group, one JSON file per group under `<dir>/groups/`, replaced
 * atomically (temp file + rename) on every commit, and cached in memory (all groups are loaded
 * on open; the files are small). The file replaced by a commit is kept as `<file>.prev`, so a
 * damaged file is recovered from the commit before it.
 *
 * File: `{"version":1,"group":"<id>","offsets":{"<topic>":{"<partition>":<next offset>}}}`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PartitionOffset } from '../log.ts';
import { fsyncDir, isErrno, readJsonFile, writeFileAtomic, writeTemp } from './fsutil.ts';
import type { Recovery } from './partition.ts';

interface GroupFile {
  readonly version: 1;
  readonly group: string;
  readonly offsets: Record<string, Record<string, number>>;
}

type GroupOffsets = Map<string, Map<number, number>>;

/**
 * A file name for any group id: bytes outside [A-Za-z0-9_-] (and '.', which could make '.' or
 * '..') are %-escaped; very long ids are cut and suffixed with a hash (names stay ≤ 255 bytes).
 */
export function groupFileName(groupId: string): string {
  let name = '';
  for (const b of Buffer.from(groupId, 'utf8')) {
    const c = String.fromCharCode(b);
    name += /[A-Za-z0-9_-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (name.length > 200) {
    const hash = crypto.createHash('sha256').update(groupId).digest('hex').slice(0, 16);
    name = `${name.slice(0, 180)}~${hash}`;
  }
  return `${name}.json`;
}

export class GroupStore {
  private readonly dir: string;
  private readonly fsync: boolean;
  private readonly groups = new Map<string, GroupOffsets>();

  constructor(dir: string, fsync: boolean, recoveries: Recovery[] = []) {
    this.dir = dir;
    this.fsync = fsync;
    fs.mkdirSync(dir, { recursive: true });
    const names = new Set<string>();
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name.includes('.tmp-')) {
        // A commit interrupted before its rename: the previous file is still the truth.
        fs.rmSync(file, { force: true });
        continue;
      }
      if (name.endsWith('.json')) names.add(name);
      else if (name.endsWith(PREV)) names.add(name.slice(0, -PREV.length));
    }
    for (const name of names) this.load(path.join(dir, name), recoveries);
  }

  /**
   * Loads one group file; when it is missing (a commit cut between its two renames) or cannot be
   * read (truncated, garbage), the previous copy is used, and failing that the group is dropped
   * (its consumers start per their reset policy). Either repair is reported.
   */
  private load(file: string, recoveries: Recovery[]): void {
    let problem: string | null = null;
    let data = fs.existsSync(file) ? tryReadGroupFile(file) : null;
    if (data instanceof Error) {
      problem = data.message;
      data = null;
    }
    if (data === null) {
      const prev = fs.existsSync(file + PREV) ? tryReadGroupFile(file + PREV) : null;
      if (prev !== null && !(prev instanceof Error)) {
        data = prev;
        writeFileAtomic(file, JSON.stringify(prev), this.fsync);
        if (problem !== null) recoveries.push({ kind: 'metadata', topic: null, file, reason: problem, action: `offsets of group '${prev.group}' restored from the previous commit` });
      } else if (problem !== null) {
        fs.renameSync(file, `${file}.corrupt`);
        recoveries.push({ kind: 'metadata', topic: null, file, reason: problem, action: `committed offsets dropped (kept as ${path.basename(file)}.corrupt); the group's consumers start per auto.offset.reset` });
        return;
      } else {
        return;
      }
    }
    const offsets: GroupOffsets = new Map();
    for (const [topic, parts] of Object.entries(data.offsets)) {
      const m = new Map<number, number>();
      for (const [p, o] of Object.entries(parts)) m.set(Number(p), o);
      offsets.set(topic, m);
    }
    this.groups.set(data.group, offsets);
  }

  committed(groupId: string, topic: string): PartitionOffset[] {
    const parts = this.groups.get(groupId)?.get(topic);
    if (parts === undefined) return [];
    return [...parts]
      .sort((a, b) => a[0] - b[0])
      .map(([partition, offset]) => ({ topic, partition, offset }));
  }

  /** The committed next-offset of one partition, or undefined. */
  get(groupId: string, topic: string, partition: number): number | undefined {
    return this.groups.get(groupId)?.get(topic)?.get(partition);
  }

  commit(groupId: string, offsets: readonly PartitionOffset[]): void {
    if (offsets.length === 0) return;
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new RangeError(`Invalid offset ${o.offset} to commit for ${o.topic}-${o.partition}`);
      }
    }
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = new Map();
      this.groups.set(groupId, group);
    }
    for (const o of offsets) {
      let parts = group.get(o.topic);
      if (parts === undefined) {
        parts = new Map();
        group.set(o.topic, parts);
      }
      parts.set(o.partition, o.offset);
    }
    this.persist(groupId, group);
  }

  deleteGroup(groupId: string): void {
    this.groups.delete(groupId);
    for (const f of [groupFileName(groupId), groupFileName(groupId) + PREV]) {
      try {
        fs.unlinkSync(path.join(this.dir, f));
      } catch (e) {
        if (!isErrno(e, 'ENOENT')) throw e;
      }
    }
  }

  /** Forgets a deleted topic's offsets in every group, so a re-created topic starts fresh. */
  removeTopic(topic: string): void {
    for (const [groupId, group] of this.groups) {
      if (group.delete(topic)) this.persist(groupId, group);
    }
  }

  private persist(groupId: string, group: GroupOffsets): void {
    const offsets: Record<string, Record<string, number>> = {};
    for (const [topic, parts] of group) {
      const o: Record<string, number> = {};
      for (const [p, off] of parts) o[String(p)] = off;
      offsets[topic] = o;
    }
    const data: GroupFile = { version: 1, group: groupId, offsets };
    const file = path.join(this.dir, groupFileName(groupId));
    // The current file becomes the previous copy, recovered from if the new one is ever unreadable.
    const tmp = writeTemp(file, JSON.stringify(data), this.fsync);
    try {
      fs.renameSync(file, file + PREV);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
    }
    fs.renameSync(tmp, file);
    if (this.fsync) fsyncDir(this.dir);
  }
}

const PREV = '.prev';

/** A parsed group file, null when absent, or the error saying why it cannot be used. */
function tryReadGroupFile(file: string): GroupFile | Error {
  try {
    const data = readJsonFile(file) as GroupFile;
    if (typeof data?.group !== 'string' || typeof data.offsets !== 'object' || data.offsets === null) {
      return new Error(`${file} is not a consumer-group file`);
    }
    for (const parts of Object.values(data.offsets)) {
      for (const o of Object.values(parts)) if (!Number.isSafeInteger(o) || o < 0) return new Error(`${file} holds an invalid offset ${o}`);
    }
    return data;
  } catch (e) {
    return e as Error;
  }
}
