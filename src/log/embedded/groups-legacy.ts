/**
 * Reading the consumer-group files of releases before the append-only offsets file
 * (./offsets-file.ts): one JSON file per group, replaced whole on every commit, the replaced one
 * kept as `<file>.prev`. They are read once on open and replaced by an offsets file (./groups.ts).
 *
 * File: `{"version":1,"group":"<id>","offsets":{"<topic>":{"<partition>":<next offset>}}}`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJsonFile } from './fsutil.ts';
import type { GroupOffsets } from './offsets-file.ts';
import type { Recovery } from './partition.ts';

export const LEGACY_SUFFIX = '.json';
const LEGACY_PREV_SUFFIX = '.prev';

interface LegacyGroupFile {
  readonly version: 1;
  readonly group: string;
  readonly offsets: Record<string, Record<string, number>>;
}

/**
 * The offsets in a legacy group file `file` (`<group>.json`). When it is missing (a commit cut
 * between its two renames) or cannot be read (truncated, garbage), its previous copy is used, and
 * failing that the group is dropped (the file kept as `<file>.corrupt`; its consumers start per
 * their reset policy). Either repair is reported. Null when there is nothing usable.
 */
export function readLegacyGroup(file: string, recoveries: Recovery[]): { group: string; offsets: GroupOffsets } | null {
  let problem: string | null = null;
  let data = fs.existsSync(file) ? tryReadLegacyGroupFile(file) : null;
  if (data instanceof Error) {
    problem = data.message;
    data = null;
  }
  if (data === null) {
    const prev = fs.existsSync(file + LEGACY_PREV_SUFFIX) ? tryReadLegacyGroupFile(file + LEGACY_PREV_SUFFIX) : null;
    if (prev !== null && !(prev instanceof Error)) {
      data = prev;
      if (problem !== null) recoveries.push({ kind: 'metadata', topic: null, file, reason: problem, action: `offsets of group '${prev.group}' restored from the previous commit` });
    } else if (problem !== null) {
      fs.renameSync(file, `${file}.corrupt`);
      recoveries.push({ kind: 'metadata', topic: null, file, reason: problem, action: `committed offsets dropped (kept as ${path.basename(file)}.corrupt); the group's consumers start per auto.offset.reset` });
      return null;
    } else {
      return null;
    }
  }
  const offsets: GroupOffsets = new Map();
  for (const [topic, parts] of Object.entries(data.offsets)) {
    offsets.set(topic, new Map(Object.entries(parts).map(([p, o]) => [Number(p), o])));
  }
  return { group: data.group, offsets };
}

/** The legacy files of a group whose base path is `base` (the ones to remove once replaced). */
export function legacyFiles(base: string): string[] {
  return [base + LEGACY_SUFFIX, base + LEGACY_SUFFIX + LEGACY_PREV_SUFFIX];
}

/** A parsed legacy group file, or the error saying why it cannot be used. */
function tryReadLegacyGroupFile(file: string): LegacyGroupFile | Error {
  try {
    const data = readJsonFile(file) as LegacyGroupFile;
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
