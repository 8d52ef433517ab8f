/**
 * stores.json in a query's state directory: the query's stores and their changelog topics, so
 * that DROP deletes the topics of stores that are not open, with the format each store was last
 * opened with (`aggregate@v2`; absent: written before versioned formats, i.e. version 1).
 */
import fs from 'node:fs';
import path from 'node:path';

interface Manifest {
  version: 1;
  stores: { operator: string; topic: string; format?: string }[];
}

const MANIFEST = 'stores.json';

export function readManifest(dir: string): Manifest {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    if (m.version === 1 && Array.isArray(m.stores)) return m;
  } catch {
    // missing or unreadable: no known stores
  }
  return { version: 1, stores: [] };
}

/** Records a store (atomically: written aside, then renamed). */
export function addToManifest(dir: string, operator: string, topic: string, format: string): void {
  const m = readManifest(dir);
  const known = m.stores.find((s) => s.operator === operator && s.topic === topic);
  if (known?.format === format) return;
  if (known) known.format = format;
  else m.stores.push({ operator, topic, format });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, MANIFEST);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(m, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}
