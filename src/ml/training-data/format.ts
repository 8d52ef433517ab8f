/**
 * How training-data rows are laid out in files (Parquet, CSV, JSONL) and the canonical row form
 * their checksum is computed over.
 *
 * The checksum must be recomputable by a reader in another language from the file alone (a
 * pipeline step, or the test that reads the files back with pyarrow), so it is defined on values,
 * not bytes: `riffle-rows-v1` = SHA-256 over every row as its cells joined by ',' and ended by
 * '\n', each cell:
 *   NULL                                         -> '\N'
 *   BOOLEAN                                      -> '1' | '0'
 *   INTEGER, BIGINT, TIMESTAMP (ms), DATE, TIME  -> the integer in decimal
 *   DOUBLE                                       -> the 16 hex digits of its IEEE-754 bits, big-endian
 *   STRING and every other type (stored as text) -> the hex of the text's UTF-8 bytes
 * Types without a Parquet counterpart here (DECIMAL, BYTES, ARRAY, MAP, STRUCT) are stored as
 * text: DECIMAL by its plain string, BYTES as base64, the rest as JSON.
 */
import { createHash, type Hash } from 'node:crypto';
import type { SqlType } from '../../types/sql-type.ts';
import { formatType } from '../../types/sql-type.ts';

export type FileFormat = 'parquet' | 'csv' | 'jsonl';

export interface TrainingColumn {
  readonly name: string;
  readonly type: SqlType;
}

/** How a column is stored: one of the few physical kinds every reader agrees on. */
export type StoredKind = 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'TIMESTAMP_MS' | 'STRING';

export function storedKind(t: SqlType): StoredKind {
  switch (t.kind) {
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
      return 'INT32';
    case 'BIGINT':
      return 'INT64';
    case 'TIMESTAMP':
      return 'TIMESTAMP_MS';
    case 'DOUBLE':
      return 'DOUBLE';
    case 'STRING':
    case 'DECIMAL':
    case 'BYTES':
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return 'STRING';
  }
}

/** The manifest's description of a column. */
export function describeColumn(c: TrainingColumn): { name: string; sqlType: string; stored: StoredKind } {
  return { name: c.name, sqlType: formatType(c.type), stored: storedKind(c.type) };
}

/** A cell as it is stored (numbers stay numbers; text types become strings). */
export function storedValue(v: unknown, t: SqlType): string | number | bigint | boolean | null {
  if (v === null || v === undefined) return null;
  switch (storedKind(t)) {
    case 'BOOLEAN':
      return Boolean(v);
    case 'INT32':
    case 'DOUBLE':
    case 'TIMESTAMP_MS':
      return v as number;
    case 'INT64':
      return typeof v === 'bigint' ? v : (v as number);
    case 'STRING':
      return textOf(v, t);
  }
}

function textOf(v: unknown, t: SqlType): string {
  if (typeof v === 'string') return v;
  if (t.kind === 'BYTES' && v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (t.kind === 'DECIMAL') return String(v);
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x));
}

const f64 = new DataView(new ArrayBuffer(8));

/** One cell in the canonical form (see the file comment); `stored` is storedValue's result. */
export function canonicalCell(stored: string | number | bigint | boolean | null, kind: StoredKind): string {
  if (stored === null) return '\\N';
  switch (kind) {
    case 'BOOLEAN':
      return stored ? '1' : '0';
    case 'INT32':
    case 'INT64':
    case 'TIMESTAMP_MS':
      return typeof stored === 'bigint' ? stored.toString() : String(Math.trunc(stored as number));
    case 'DOUBLE': {
      f64.setFloat64(0, stored as number, false);
      return f64.getBigUint64(0, false).toString(16).padStart(16, '0');
    }
    case 'STRING':
      return Buffer.from(stored as string, 'utf8').toString('hex');
  }
}

/** Incremental `riffle-rows-v1` checksum. */
export class RowChecksum {
  private readonly hash: Hash = createHash('sha256');
  private readonly kinds: readonly StoredKind[];
  constructor(kinds: readonly StoredKind[]) {
    this.kinds = kinds;
  }
  add(stored: readonly (string | number | bigint | boolean | null)[]): void {
    let line = '';
    for (let i = 0; i < stored.length; i++) {
      if (i > 0) line += ',';
      line += canonicalCell(stored[i]!, this.kinds[i]!);
    }
    this.hash.update(line + '\n');
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}
