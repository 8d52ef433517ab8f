/**
 * The JSON format (ksqlDB's KsqlJsonSerdeFactory without schema registry).
 *
 * Shape: an object `{"COL": v, ...}` keyed by the declared column names; a single column is
 * written bare when unwrapped (always for keys, or WRAP_SINGLE_VALUE=false for values).
 * Reading: field names match exactly, else by upper-casing the JSON key (./json-read.ts);
 * missing fields are null; `null` text is a tombstone for the object form and a row holding
 * null for the bare form (ksqlDB's UnwrappedDeserializer); a bare null value is written as
 * null bytes (KsqlJsonSerializer returns null for null).
 *
 * Speed: plain JSON.parse/JSON.stringify-class code on the common path. Reading uses
 * JSON.parse, then a generated per-schema function with inline type checks; the lossless
 * parse runs only when a reader asks for it (NEED_EXACT) or, for schemas with a DECIMAL
 * somewhere, when the text has a digit run that a double might round.
 */
import type { SqlType, StructField } from '../types/sql-type.ts';
import { formatType, struct } from '../types/sql-type.ts';
import { SerdeError } from './types.ts';
import type { Serde, SerdeColumn } from './types.ts';
import { latin1Encode, utf8Decode, utf8Encode } from './bytes.ts';
import { mayLosePrecision, parseJsonExact } from './json-text.ts';
import {
  CoercionError,
  NEED_EXACT,
  compileReader,
  convertError,
  isJsonObject,
  readAt,
} from './json-read.ts';
import { makeFillMissing } from './json-fields.ts';
import type { ReadState, Reader } from './json-read.ts';
import { WriteError, compileRowObjectWriter, compileWriter, isAscii, textState } from './json-write.ts';
import { emptySerde } from './none.ts';

export interface JsonSerdeOptions {
  readonly isKey: boolean;
  /** True: a single column is written as `{"COL": v}`; ignored for keys (always bare). */
  readonly wrapSingleValue: boolean;
}

export function hasDecimal(t: SqlType): boolean {
  switch (t.kind) {
    case 'DECIMAL':
      return true;
    case 'ARRAY':
      return hasDecimal(t.element);
    case 'MAP':
      return hasDecimal(t.key) || hasDecimal(t.value);
    case 'STRUCT':
      return t.fields.some((f) => hasDecimal(f.type));
    default:
      return false;
  }
}

function namesAreAscii(name: string, t: SqlType): boolean {
  if (!isAscii(name)) return false;
  switch (t.kind) {
    case 'STRUCT':
      return t.fields.every((f) => namesAreAscii(f.name, f.type));
    case 'ARRAY':
      return namesAreAscii('', t.element);
    case 'MAP':
      return namesAreAscii('', t.value);
    default:
      return true;
  }
}

/** Inline check (source text over `v`) that a JSON.parse value is already the runtime value. */
function fastCheck(t: SqlType): string | null {
  switch (t.kind) {
    case 'BOOLEAN':
      return 'typeof v === "boolean"';
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
      return 'typeof v === "number" && (v | 0) === v';
    case 'BIGINT':
    case 'TIMESTAMP':
      return 'typeof v === "number" && Number.isSafeInteger(v)';
    case 'DOUBLE':
      // Finite: JSON has no Infinity, so an infinite number is an overflow (1e400), an error.
      return 'typeof v === "number" && v - v === 0';
    case 'STRING':
      return 'typeof v === "string"';
    default:
      return null;
  }
}

/**
 * Generated reader of the object form: exact lookups into the result array, the
 * case-insensitive fallback only when one misses, then inline fast checks per column.
 */
function compileRowReader(columns: readonly StructField[], st: ReadState): (o: Record<string, unknown>) => unknown[] {
  const readers: Reader[] = columns.map((c) => compileReader(c.type, st));
  const gets = columns.map((c) => {
    const k = JSON.stringify(c.name);
    return c.name in Object.prototype ? `(Object.hasOwn(o, ${k}) ? o[${k}] : undefined)` : `o[${k}]`;
  });
  let body = `const a = [${gets.join(', ')}];
`;
  body += `if (${columns.map((_, i) => `a[${i}] === undefined`).join(' || ')}) fillMissing(o, a);
let v;
`;
  columns.forEach((c, i) => {
    const check = fastCheck(c.type);
    const slow = `a[${i}] = readAt(r${i}, v, ${JSON.stringify('.' + c.name)});`;
    body += `v = a[${i}];
if (v == null) a[${i}] = null;
`;
    body += check === null ? `else ${slow}
` : `else if (!(${check})) ${slow}
`;
  });
  body += 'return a;';
  const src =
    `"use strict";\nconst { fillMissing, readAt } = h;\nconst [${readers.map((_, i) => `r${i}`).join(', ')}] = rs;\n` +
    `return function readRow(o) {\n${body}\n};`;
  const h = { fillMissing: makeFillMissing(columns.map((c) => c.name)), readAt };
  return new Function('h', 'rs', src)(h, readers) as (o: Record<string, unknown>) => unknown[];
}

export function createJsonSerde(columns: readonly SerdeColumn[], options: JsonSerdeOptions): Serde {
  const target = options.isKey ? 'key' : 'value';
  const n = columns.length;
  if (!options.isKey && !options.wrapSingleValue && n > 1) {
    throw new SerdeError("'WRAP_SINGLE_VALUE' is only valid for single-field value schemas");
  }
  if (n === 0) return emptySerde();
  const bare = n === 1 && (options.isKey || !options.wrapSingleValue);
  const fields: StructField[] = columns.map((c) => ({ name: c.name, type: c.type }));
  const rowTypeName = formatType(struct(fields));
  const scanDigits = columns.some((c) => hasDecimal(c.type));
  const st: ReadState = { exact: false };

  // ---- writing
  const writeBare = bare ? compileWriter(columns[0].type) : null;
  const writeRow = bare ? null : compileRowObjectWriter(fields);
  const namesAscii = fields.every((f) => namesAreAscii(f.name, f.type));

  const failWrite = (values: readonly unknown[], e: unknown): never => {
    if (!(e instanceof WriteError)) throw new SerdeError(`Failed to serialise ${target}: ${(e as Error).message}`);
    // Find the offending column for the message (error path only).
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v == null) continue;
      try {
        compileWriter(columns[i].type)(v);
      } catch (inner) {
        throw new SerdeError(`Failed to serialise ${target}: column ${columns[i].name}: ${(inner as Error).message}`);
      }
    }
    throw new SerdeError(`Failed to serialise ${target}: ${e.message}`);
  };

  const serialize = (values: readonly unknown[]): Uint8Array | null => {
    if (values.length !== n) {
      throw new SerdeError(
        `Failed to serialise ${target}: Column count mismatch on serialization. expected: ${n}, got: ${values.length}`,
      );
    }
    let text: string;
    textState.ascii = namesAscii;
    try {
      if (writeBare !== null) {
        const v = values[0];
        if (v == null) return null;
        text = writeBare(v);
      } else {
        text = writeRow!(values);
      }
    } catch (e) {
      return failWrite(values, e);
    }
    return textState.ascii ? latin1Encode(text) : utf8Encode(text);
  };

  // ---- reading
  const readRow = bare ? null : compileRowReader(fields, st);
  const readBareValue = bare ? compileReader(columns[0].type, st) : null;

  const readDoc = (doc: unknown): unknown[] | null => {
    if (readBareValue !== null) return [doc === null ? null : readAt(readBareValue, doc, '')];
    if (doc === null) return null;
    if (!isJsonObject(doc)) throw convertError(doc, rowTypeName);
    return readRow!(doc);
  };

  const fail = (e: unknown): never => {
    if (e instanceof CoercionError) {
      throw new SerdeError(`Failed to deserialise ${target}: ${e.reason}, path: $${e.path}`);
    }
    throw new SerdeError(`Failed to deserialise ${target}: ${(e as Error).message}`);
  };

  const deserialize = (bytes: Uint8Array | null): unknown[] | null => {
    if (bytes === null) return null;
    const text = utf8Decode(bytes);
    let doc: unknown;
    const exact = scanDigits && mayLosePrecision(text);
    try {
      doc = exact ? parseJsonExact(text) : JSON.parse(text);
    } catch (e) {
      return fail(e);
    }
    st.exact = exact;
    try {
      return readDoc(doc);
    } catch (e) {
      if (e !== NEED_EXACT) return fail(e);
    } finally {
      st.exact = false;
    }
    // A reader needs the numbers' source text: read the record again from the exact parse.
    st.exact = true;
    try {
      return readDoc(parseJsonExact(text));
    } catch (e) {
      return fail(e);
    } finally {
      st.exact = false;
    }
  };

  return { serialize, deserialize };
}
