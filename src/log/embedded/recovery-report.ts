/**
 * Reporting what opening the log repaired (./partition.ts Recovery): one line per repair, one
 * summary line for start-up, counters for metrics, and a journal (`recoveries.jsonl` in the log
 * directory, one JSON object per repair with the time it was made) so that a later process —
 * `riffle topic list` while nothing is being repaired any more — can still say what was lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Recovery } from './partition.ts';

export const JOURNAL_FILE = 'recoveries.jsonl';

export type JournalEntry = Recovery & { readonly at: string };

/** Totals for metrics: repairs made when this log object was opened. */
export interface RecoveryMetrics {
  readonly repairs: number;
  /** Records known to be lost (lost frames, torn tails whose first header was readable). */
  readonly lostRecords: number;
  /** Torn tails whose record count could not be read (a cut frame header). */
  readonly tornTailsOfUnknownSize: number;
  readonly bytes: number;
  readonly metadataRepairs: number;
}

export function recoveryMetrics(recoveries: readonly Recovery[]): RecoveryMetrics {
  let lostRecords = 0;
  let unknown = 0;
  let bytes = 0;
  let metadata = 0;
  for (const r of recoveries) {
    switch (r.kind) {
      case 'torn-tail':
        if (r.lostRecords === null) unknown++;
        else lostRecords += r.lostRecords;
        bytes += r.bytes;
        break;
      case 'lost-frames':
        lostRecords += r.lostRecords;
        bytes += r.bytes;
        break;
      case 'metadata':
        metadata++;
        break;
    }
  }
  return { repairs: recoveries.length, lostRecords, tornTailsOfUnknownSize: unknown, bytes, metadataRepairs: metadata };
}

/** One line saying what was repaired and what it cost. */
export function describeRecovery(r: Recovery): string {
  switch (r.kind) {
    case 'torn-tail': {
      const lost = r.lostRecords === null ? 'an incomplete write' : `${r.lostRecords} record(s) from offset ${r.fromOffset}`;
      return `${r.topic}-${r.partition}: cut ${r.bytes} byte(s) at the end (${r.reason}): lost ${lost}`;
    }
    case 'lost-frames':
      return `${r.topic}-${r.partition}: ${r.bytes} damaged byte(s) in ${path.basename(r.file)} (${r.reason}): lost offsets ${r.fromOffset}..${r.toOffset - 1} (${r.lostRecords} record(s)); the records around them are kept`;
    case 'metadata':
      return `${r.file}: ${r.reason}: ${r.action}`;
  }
}

/** The start-up line (null when nothing was repaired). */
export function recoverySummary(recoveries: readonly Recovery[]): string | null {
  if (recoveries.length === 0) return null;
  const m = recoveryMetrics(recoveries);
  const parts = [`${m.repairs} repair(s)`, `${m.lostRecords} record(s) lost`];
  if (m.tornTailsOfUnknownSize > 0) parts.push(`${m.tornTailsOfUnknownSize} incomplete write(s) cut`);
  if (m.metadataRepairs > 0) parts.push(`${m.metadataRepairs} metadata file(s) recovered`);
  const first = describeRecovery(recoveries[0]);
  const more = recoveries.length > 1 ? ` (and ${recoveries.length - 1} more; see 'riffle topic list')` : '';
  return `Embedded log recovered from damage: ${parts.join(', ')}. ${first}${more}`;
}

export function appendJournal(dir: string, recoveries: readonly Recovery[], at = new Date()): void {
  if (recoveries.length === 0) return;
  const stamp = at.toISOString();
  const lines = recoveries.map((r) => JSON.stringify({ ...r, at: stamp })).join('\n') + '\n';
  fs.appendFileSync(path.join(dir, JOURNAL_FILE), lines);
}

/** Every repair recorded in `dir`; lines that cannot be parsed (a cut append) are skipped. */
export function readJournal(dir: string): JournalEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, JOURNAL_FILE), 'utf8');
  } catch {
    return [];
  }
  const out: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as JournalEntry;
      if (e && typeof e.kind === 'string') out.push(e);
    } catch {
      // a journal line cut by a crash: the repair itself was made, only its note is lost
    }
  }
  return out;
}
