/**
 * Dead-letter records of ON_ERROR = 'DEAD_LETTER': one JSON record per input row a model could
 * not predict, with why (reason, code, attempts), where it came from (topic, partition, offset,
 * timestamp) and the row itself, so it can be inspected and replayed.
 *
 * Record: key = the row's key columns as a JSON object (null when the source has none); value =
 * `{"queryId", "step", "model", "version", "reason", "code", "attempts", "topic", "partition",
 * "offset", "timestamp", "row": {COLUMN: value, ...}}`; record timestamp = the row's ROWTIME.
 */
import type { ProducerRecord } from '../log/log.ts';
import { Decimal } from '../types/decimal.ts';

export interface DeadLetter {
  readonly queryId: string;
  readonly step: string;
  readonly model: string;
  readonly version: string | null;
  readonly reason: string;
  readonly code: string;
  readonly attempts: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly row: Record<string, unknown>;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A SQL runtime value as JSON: big BIGINTs and DECIMALs as strings (exact), BYTES as base64. */
export function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Decimal) return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(jsonValue);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = jsonValue(x);
    return out;
  }
  return v;
}

/** Column name → JSON value, for the given columns of a row. */
export function rowObject(names: readonly string[], cols: readonly unknown[], from = 0, to = names.length): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = from; i < to; i++) out[names[i]] = jsonValue(cols[i]);
  return out;
}

export function deadLetterRecord(d: DeadLetter, key: Record<string, unknown> | null): ProducerRecord {
  return {
    key: key === null ? null : Buffer.from(JSON.stringify(key)),
    value: Buffer.from(JSON.stringify(d)),
    timestamp: d.timestamp,
  };
}
