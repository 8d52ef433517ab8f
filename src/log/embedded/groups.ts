/**
 * Committed offsets per consumer group: one append-only offsets file per group under
 * `<dir>/groups/` (./offsets-file.ts: a commit is one write of fixed-size entries at its end),
 * cached in memory (all groups are loaded on open; the files are small and bounded).
 *
 * On open every group's file is read (commits cut short or damaged are skipped and reported) and
 * rewritten as a fresh snapshot, so a repair is reported once and the next appends start on a
 * clean file. Group files of earlier releases (`<group>.json`, ./groups-legacy.ts) are read and
 * replaced by an offsets file the same way; the old files are removed only once the new one is in
 * place, so an upgrade cut short reads the old files again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PartitionOffset } from '../log.ts';
import { isErrno } from './fsutil.ts';
import { LEGACY_SUFFIX, legacyFiles, readLegacyGroup } from './groups-legacy.ts';
import { OFFSETS_SUFFIX, OffsetsFile, PREV_SUFFIX, readOffsetsFile, type GroupOffsets, type ReadOffsetsFile } from './offsets-file.ts';
import type { Recovery } from './partition.ts';

/**
 * The file name (without suffix) for any group id: bytes outside [A-Za-z0-9_-] (and '.', which
 * could make '.' or '..') are %-escaped; very long ids are cut and suffixed with a hash (names
 * stay ≤ 255 bytes). Never contains a '.', so the suffixes can be told apart.
 */
export function groupFileBase(groupId: string): string {
  let name = '';
  for (const b of Buffer.from(groupId, 'utf8')) {
    const c = String.fromCharCode(b);
    name += /[A-Za-z0-9_-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (name.length > 200) {
    const hash = crypto.createHash('sha256').update(groupId).digest('hex').slice(0, 16);
    name = `${name.slice(0, 180)}~${hash}`;
  }
  return name;
}

interface Group {
  readonly offsets: GroupOffsets;
  /** Null after its file was removed (deleteGroup) or the store closed. */
  file: OffsetsFile | null;
}

export class GroupStore {
  private readonly dir: string;
  private readonly fsync: boolean;
  private readonly groups = new Map<string, Group>();

  constructor(dir: string, fsync: boolean, recoveries: Recovery[] = []) {
    this.dir = dir;
    this.fsync = fsync;
    fs.mkdirSync(dir, { recursive: true });
    const bases = new Set<string>();
    for (const name of fs.readdirSync(dir)) {
      if (name.includes('.tmp-')) {
        // A rewrite interrupted before its rename: the file it was to replace is still the truth.
        fs.rmSync(path.join(dir, name), { force: true });
        continue;
      }
      const dot = name.indexOf('.');
      if (dot <= 0) continue;
      const suffix = name.slice(dot);
      if (suffix === OFFSETS_SUFFIX || suffix === OFFSETS_SUFFIX + PREV_SUFFIX || suffix === LEGACY_SUFFIX || suffix === LEGACY_SUFFIX + PREV_SUFFIX) {
        bases.add(name.slice(0, dot));
      }
    }
    try {
      for (const base of [...bases].sort()) this.load(path.join(dir, base), recoveries);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Loads one group (offsets file, else its `.prev`, else legacy files) and rewrites its file. */
  private load(base: string, recoveries: Recovery[]): void {
    const file = base + OFFSETS_SUFFIX;
    const prev = file + PREV_SUFFIX;
    let loaded: { group: string; offsets: GroupOffsets } | null;
    if (fs.existsSync(file) || fs.existsSync(prev)) {
      loaded = this.readCurrent(file, recoveries);
    } else {
      loaded = readLegacyGroup(base + LEGACY_SUFFIX, recoveries);
    }
    if (loaded !== null) {
      this.groups.set(loaded.group, { offsets: loaded.offsets, file: new OffsetsFile(file, loaded.group, this.fsync, loaded.offsets) });
    }
    // The offsets file now holds everything (or nothing was usable): files of an earlier release go.
    for (const f of legacyFiles(base)) removeIfPresent(f);
  }

  /**
   * Reads `file`, falling back to its `.prev` (the file before the last rewrite, whose final state
   * the rewrite started from) when `file` is missing or its header unreadable; with neither
   * usable the group is dropped, its file kept as `.corrupt`. Every repair is reported.
   */
  private readCurrent(file: string, recoveries: Recovery[]): { group: string; offsets: GroupOffsets } | null {
    const prev = file + PREV_SUFFIX;
    let r: ReadOffsetsFile | Error | null = fs.existsSync(file) ? readOffsetsFile(file) : null;
    let used = file;
    let problem: string | null = null;
    if (r instanceof Error) {
      problem = r.message;
      r = null;
    }
    if (r === null) {
      const p = fs.existsSync(prev) ? readOffsetsFile(prev) : null;
      if (p !== null && !(p instanceof Error)) {
        r = p;
        used = prev;
        // Kept aside (not rotated into .prev by the rewrite, which would replace the good copy).
        if (problem !== null) fs.renameSync(file, `${file}.corrupt`);
        // A missing file with a good .prev is a rewrite cut between its two renames: nothing lost.
        if (problem !== null) recoveries.push({ kind: 'metadata', topic: null, file, reason: problem, action: `offsets of group '${p.group}' restored from the file before its last rewrite; commits since then are lost (the group re-reads from there; the damaged file kept as ${path.basename(file)}.corrupt)` });
      } else {
        const reason = problem ?? (p instanceof Error ? p.message : `${file} is missing`);
        const damaged = fs.existsSync(file) ? file : prev;
        if (fs.existsSync(damaged)) fs.renameSync(damaged, `${damaged}.corrupt`);
        recoveries.push({ kind: 'metadata', topic: null, file, reason, action: `committed offsets dropped (kept as ${path.basename(damaged)}.corrupt); the group's consumers start per auto.offset.reset` });
        return null;
      }
    }
    if (r.damage !== null) {
      recoveries.push({
        kind: 'metadata',
        topic: null,
        file: used,
        reason: r.damage,
        action: `group '${r.group}': commits with a damaged or missing entry ignored (their partitions keep the offsets committed before them); the file rewritten`,
      });
    }
    return r;
  }

  committed(groupId: string, topic: string): PartitionOffset[] {
    const parts = this.groups.get(groupId)?.offsets.get(topic);
    if (parts === undefined) return [];
    return [...parts]
      .sort((a, b) => a[0] - b[0])
      .map(([partition, offset]) => ({ topic, partition, offset }));
  }

  /** The committed next-offset of one partition, or undefined. */
  get(groupId: string, topic: string, partition: number): number | undefined {
    return this.groups.get(groupId)?.offsets.get(topic)?.get(partition);
  }

  /**
   * Commits `offsets` of one group atomically (all or none after a crash). The cache changes only
   * when the write succeeded.
   */
  commit(groupId: string, offsets: readonly PartitionOffset[]): void {
    if (offsets.length === 0) return;
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new RangeError(`Invalid offset ${o.offset} to commit for ${o.topic}-${o.partition}`);
      }
      if (!Number.isSafeInteger(o.partition) || o.partition < 0 || o.partition > 0xffffffff) {
        throw new RangeError(`Invalid partition ${o.partition} to commit for ${o.topic}`);
      }
    }
    let group = this.groups.get(groupId);
    const created = group === undefined;
    if (group === undefined) {
      group = { offsets: new Map(), file: null };
      this.groups.set(groupId, group);
    }
    // What the cache held before, to put back if the write fails.
    const undo: { parts: Map<number, number>; partition: number; before: number | undefined }[] = [];
    const newTopics: string[] = [];
    for (const o of offsets) {
      let parts = group.offsets.get(o.topic);
      if (parts === undefined) {
        parts = new Map();
        group.offsets.set(o.topic, parts);
        newTopics.push(o.topic);
      }
      undo.push({ parts, partition: o.partition, before: parts.get(o.partition) });
      parts.set(o.partition, o.offset);
    }
    try {
      if (group.file === null) group.file = new OffsetsFile(this.fileOf(groupId), groupId, this.fsync, group.offsets);
      else group.file.append(offsets, group.offsets);
    } catch (e) {
      for (let i = undo.length - 1; i >= 0; i--) {
        const u = undo[i];
        if (u.before === undefined) u.parts.delete(u.partition);
        else u.parts.set(u.partition, u.before);
      }
      for (const t of newTopics) group.offsets.delete(t);
      if (created) this.groups.delete(groupId);
      throw e;
    }
  }

  deleteGroup(groupId: string): void {
    this.groups.get(groupId)?.file?.close();
    this.groups.delete(groupId);
    const base = path.join(this.dir, groupFileBase(groupId));
    for (const f of [base + OFFSETS_SUFFIX, base + OFFSETS_SUFFIX + PREV_SUFFIX, ...legacyFiles(base)]) removeIfPresent(f);
  }

  /** Forgets a deleted topic's offsets in every group, so a re-created topic starts fresh. */
  removeTopic(topic: string): void {
    for (const [groupId, group] of this.groups) {
      if (!group.offsets.delete(topic)) continue;
      if (group.file === null) group.file = new OffsetsFile(this.fileOf(groupId), groupId, this.fsync, group.offsets);
      else group.file.rewrite(group.offsets);
    }
  }

  /** Closes the groups' files (the cache stays readable). */
  close(): void {
    for (const g of this.groups.values()) {
      g.file?.close();
      g.file = null;
    }
  }

  private fileOf(groupId: string): string {
    return path.join(this.dir, groupFileBase(groupId) + OFFSETS_SUFFIX);
  }
}

function removeIfPresent(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e;
  }
}
