/**
 * Records in the conformance files' JSON form (`{"topic", "key", "value", "timestamp",
 * "headers"}`) and their bytes on the log. The JSON form depends only on the format: JSON keys
 * and values are the JSON documents themselves, DELIMITED ones the text, KAFKA ones the bare
 * primitive (encoded per the column's type), NONE nothing.
 */
import type { ConsumedRecord, Header, ProducerRecord } from '../log/log.ts';
import type { DataSource } from '../analyze/catalog.ts';
import type { Column } from '../types/schema.ts';
import type { FormatName } from '../serde/types.ts';
import { createSerde, parseJsonLossless, stringifyJson } from '../serde/index.ts';
import { decodeWindowedKey, encodeWindowedKey } from '../serde/windowed-key.ts';

export interface TestRecord {
  readonly topic: string;
  readonly key?: unknown;
  readonly value?: unknown;
  readonly timestamp?: number | bigint;
  readonly headers?: readonly { readonly KEY: string; readonly VALUE: string | null }[];
  readonly window?: { readonly start: number; readonly end: number; readonly type: string } | null;
}

export function recordFromTestJson(r: TestRecord, source: DataSource | null): ProducerRecord {
  const keyFormat: FormatName = source?.formats.keyFormat ?? 'JSON';
  const valueFormat: FormatName = source?.formats.valueFormat ?? 'JSON';
  let key = encode(keyFormat, source?.schema.key ?? [], r.key ?? null);
  if (source?.window && r.window) key = encodeWindowedKey(key, source.window, Number(r.window.start), Number(r.window.end));
  return {
    key,
    value: encode(valueFormat, source?.schema.value.filter((c) => !c.header) ?? [], r.value ?? null),
    timestamp: Number(r.timestamp ?? 0),
    headers: (r.headers ?? []).map((h): Header => ({ key: h.KEY, value: h.VALUE === null ? null : Buffer.from(h.VALUE, 'base64') })),
  };
}

export function recordToTestJson(r: ConsumedRecord, source: DataSource | null): TestRecord {
  const keyFormat: FormatName = source?.formats.keyFormat ?? 'JSON';
  const valueFormat: FormatName = source?.formats.valueFormat ?? 'JSON';
  let key = r.key;
  let window: TestRecord['window'] = undefined;
  if (source?.window && key) {
    const wk = decodeWindowedKey(key, source.window);
    if (wk) {
      key = wk.key.length ? wk.key : null;
      window = { start: wk.start, end: wk.end, type: source.window.kind === 'SESSION' ? 'session' : 'time' };
    }
  }
  const out: Record<string, unknown> = {
    topic: r.topic,
    key: decode(keyFormat, source?.schema.key ?? [], key),
    value: decode(valueFormat, source?.schema.value ?? [], r.value),
    timestamp: r.timestamp,
  };
  if (window) out.window = window;
  if (r.headers.length) out.headers = r.headers.map((h) => ({ KEY: h.key, VALUE: h.value === null ? null : Buffer.from(h.value).toString('base64') }));
  return out as unknown as TestRecord;
}

function encode(format: FormatName, columns: readonly Column[], v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  switch (format) {
    case 'JSON':
      return Buffer.from(typeof v === 'string' && columns.length === 0 ? v : stringifyJson(v));
    case 'DELIMITED':
      return Buffer.from(typeof v === 'string' ? v : stringifyJson(v));
    case 'KAFKA': {
      if (columns.length !== 1) return Buffer.from(typeof v === 'string' ? v : stringifyJson(v));
      const serde = createSerde('KAFKA', columns, { isKey: true, wrapSingleValue: false });
      return serde.serialize([coerceKafka(columns[0], v)]);
    }
    case 'NONE':
      return typeof v === 'string' ? Buffer.from(v) : Buffer.from(stringifyJson(v));
  }
}

function coerceKafka(col: Column, v: unknown): unknown {
  switch (col.type.kind) {
    case 'INTEGER':
    case 'DOUBLE':
      return Number(v);
    case 'BIGINT':
      return typeof v === 'bigint' ? v : Number(v);
    case 'BYTES':
      return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
    case 'STRING':
      return typeof v === 'string' ? v : stringifyJson(v);
    default:
      return v;
  }
}

function decode(format: FormatName, columns: readonly Column[], bytes: Uint8Array | null): unknown {
  if (bytes === null) return null;
  const text = () => Buffer.from(bytes).toString('utf8');
  switch (format) {
    case 'JSON':
      try {
        return parseJsonLossless(text());
      } catch {
        return text();
      }
    case 'DELIMITED':
      return text();
    case 'KAFKA': {
      if (columns.length !== 1) return text();
      try {
        const v = createSerde('KAFKA', columns, { isKey: true, wrapSingleValue: false }).deserialize(bytes)?.[0] ?? null;
        return v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
      } catch {
        return text();
      }
    }
    case 'NONE':
      return null;
  }
}

export function stringifyTestJson(doc: unknown): string {
  return stringifyJson(doc);
}
