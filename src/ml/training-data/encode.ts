/**
 * Encodes a block of stored rows (format.ts storedValue) into one file's bytes. Parquet goes
 * through hyparquet-writer (one row group per file, snappy); CSV is RFC 4180 with a header line
 * (NULL is an empty unquoted field, the empty string is ""); JSONL is one object per line
 * (BIGINT beyond 2^53 written as a bare integer literal, so no precision is lost).
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { FileFormat, StoredKind } from './format.ts';

type Stored = string | number | bigint | boolean | null;

export interface EncodedColumn {
  readonly name: string;
  readonly kind: StoredKind;
}

export function encodeRows(format: FileFormat, columns: readonly EncodedColumn[], rows: readonly (readonly Stored[])[]): Uint8Array {
  switch (format) {
    case 'parquet':
      return encodeParquet(columns, rows);
    case 'csv':
      return Buffer.from(encodeCsv(columns, rows), 'utf8');
    case 'jsonl':
      return Buffer.from(encodeJsonl(columns, rows), 'utf8');
  }
}

const PARQUET_TYPE: Record<StoredKind, 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'TIMESTAMP' | 'STRING'> = {
  BOOLEAN: 'BOOLEAN',
  INT32: 'INT32',
  INT64: 'INT64',
  DOUBLE: 'DOUBLE',
  TIMESTAMP_MS: 'TIMESTAMP',
  STRING: 'STRING',
};

function encodeParquet(columns: readonly EncodedColumn[], rows: readonly (readonly Stored[])[]): Uint8Array {
  const columnData = columns.map((c, i) => {
    const data: unknown[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r]![i]!;
      // INT64 and TIMESTAMP columns take bigint values in hyparquet-writer.
      data[r] = v !== null && (c.kind === 'INT64' || c.kind === 'TIMESTAMP_MS') && typeof v === 'number' ? BigInt(Math.trunc(v)) : v;
      if (c.kind === 'TIMESTAMP_MS' && v !== null) data[r] = new Date(Number(v));
    }
    return { name: c.name, data, type: PARQUET_TYPE[c.kind], nullable: true };
  });
  // rowGroupSize above the row count: one row group per file, so a file is one unit to read.
  const buffer = parquetWriteBuffer({ columnData: columnData as never, rowGroupSize: Math.max(1, rows.length) });
  return new Uint8Array(buffer);
}

function csvField(v: Stored): string {
  if (v === null) return '';
  const s = typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
  return s === '' || /[",\r\n]/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}

function encodeCsv(columns: readonly EncodedColumn[], rows: readonly (readonly Stored[])[]): string {
  const out: string[] = [columns.map((c) => csvField(c.name)).join(',')];
  for (const row of rows) out.push(row.map(csvField).join(','));
  return out.join('\n') + '\n';
}

function encodeJsonl(columns: readonly EncodedColumn[], rows: readonly (readonly Stored[])[]): string {
  let out = '';
  for (const row of rows) {
    const parts: string[] = [];
    for (let i = 0; i < columns.length; i++) {
      const v = row[i]!;
      const text = typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
      parts.push(JSON.stringify(columns[i]!.name) + ':' + text);
    }
    out += '{' + parts.join(',') + '}\n';
  }
  return out;
}
