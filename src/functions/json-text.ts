/**
 * A small JSON reader/writer that keeps the text of numbers (EXTRACTJSONFIELD('{"a": 1.50}',
 * '$.a') is '1.50', as ksqlDB's Jackson reads floats as BigDecimal) and object key order, plus
 * the typed JSON writer behind TO_JSON_STRING.
 */
import type { SqlType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';
import { javaDouble } from '../types/java/number-text.ts';
import { JsonNumber } from '../types/java/json-number.ts';
import { formatDate, formatTime, formatTimestamp } from '../types/java/time-text.ts';

export type JsonNode = null | boolean | string | JsonNumber | JsonNode[] | Map<string, JsonNode>;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Reader {
  private pos = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }
  private ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }
  /** `trailing`: text after the first complete value is ignored (Jackson's readTree). */
  document(trailing = false): JsonNode | undefined {
    this.ws();
    const v = this.value();
    this.ws();
    return v === undefined || (this.pos !== this.s.length && !trailing) ? undefined : v;
  }
  private value(): JsonNode | undefined {
    this.ws();
    const s = this.s;
    const c = s[this.pos];
    switch (c) {
      case '{': {
        this.pos++;
        const out = new Map<string, JsonNode>();
        this.ws();
        if (s[this.pos] === '}') {
          this.pos++;
          return out;
        }
        for (;;) {
          this.ws();
          if (s[this.pos] !== '"') return undefined;
          const k = this.string();
          if (k === undefined) return undefined;
          this.ws();
          if (s[this.pos++] !== ':') return undefined;
          const v = this.value();
          if (v === undefined) return undefined;
          out.set(k, v);
          this.ws();
          const d = s[this.pos++];
          if (d === '}') return out;
          if (d !== ',') return undefined;
        }
      }
      case '[': {
        this.pos++;
        const out: JsonNode[] = [];
        this.ws();
        if (s[this.pos] === ']') {
          this.pos++;
          return out;
        }
        for (;;) {
          const v = this.value();
          if (v === undefined) return undefined;
          out.push(v);
          this.ws();
          const d = s[this.pos++];
          if (d === ']') return out;
          if (d !== ',') return undefined;
        }
      }
      case '"':
        return this.string();
      case 't':
        return this.word('true', true);
      case 'f':
        return this.word('false', false);
      case 'n':
        return this.word('null', null);
      default: {
        NUMBER.lastIndex = this.pos;
        const m = NUMBER.exec(s);
        if (!m) return undefined;
        this.pos += m[0].length;
        return new JsonNumber(m[0]);
      }
    }
  }
  private word<T>(w: string, v: T): T | undefined {
    if (!this.s.startsWith(w, this.pos)) return undefined;
    this.pos += w.length;
    return v;
  }
  private string(): string | undefined {
    const s = this.s;
    const start = ++this.pos;
    // Fast path: no escapes.
    let i = start;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.pos = i + 1;
        return s.slice(start, i);
      }
      if (c === 92 || c < 32) break;
      i++;
    }
    let end = i;
    while (end < s.length && s[end] !== '"') end += s[end] === '\\' ? 2 : 1;
    if (end >= s.length) return undefined;
    try {
      const v = JSON.parse(s.slice(start - 1, end + 1)) as string;
      this.pos = end + 1;
      return v;
    } catch {
      return undefined;
    }
  }
}

/** Parses JSON text; undefined when it is not valid JSON. */
export function parseJson(text: string): JsonNode | undefined {
  return new Reader(text).document();
}

/** The first JSON value of the text, whatever follows it (as Jackson's readTree, which ksqlDB's EXTRACTJSONFIELD uses). */
export function parseFirstJson(text: string): JsonNode | undefined {
  return new Reader(text).document(true);
}

/** Compact JSON text of a node (Jackson's JsonNode.toString()). */
export function writeJson(n: JsonNode): string {
  if (n === null) return 'null';
  if (typeof n === 'string') return JSON.stringify(n);
  if (typeof n === 'boolean') return n ? 'true' : 'false';
  if (n instanceof JsonNumber) return n.text;
  if (Array.isArray(n)) return '[' + n.map(writeJson).join(',') + ']';
  let out = '{';
  let first = true;
  for (const [k, v] of n) {
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(k) + ':' + writeJson(v);
  }
  return out + '}';
}

/** Object keys in java.util.TreeMap order (String.compareTo: UTF-16 code units, as JS sort). */
const sortedKeys = (o: object): string[] => Object.keys(o).sort();

/**
 * The JSON text of a typed SQL value (TO_JSON_STRING): DATE, TIME and TIMESTAMP as ksqlDB's
 * SqlTimeTypes prints them (TIME without milliseconds), map keys and struct fields sorted (the
 * UDF copies both into a TreeMap before Jackson writes them).
 */
export function toJsonText(v: unknown, t: SqlType | null): string {
  if (v === null || v === undefined) return 'null';
  if (t) {
    switch (t.kind) {
      case 'DATE':
        return JSON.stringify(formatDate(v as number));
      case 'TIME':
        return JSON.stringify(formatTime(v as number));
      case 'TIMESTAMP':
        return JSON.stringify(formatTimestamp(v as number));
      case 'DOUBLE': {
        const d = v as number;
        return Number.isFinite(d) ? javaDouble(d) : JSON.stringify(javaDouble(d));
      }
      case 'ARRAY':
        return '[' + (v as unknown[]).map((e) => toJsonText(e, t.element)).join(',') + ']';
      case 'MAP':
        return (
          '{' +
          sortedKeys(v as object)
            .map((k) => JSON.stringify(k) + ':' + toJsonText((v as Record<string, unknown>)[k], t.value))
            .join(',') +
          '}'
        );
      case 'STRUCT':
        return (
          '{' +
          [...t.fields]
            .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
            .map((f) => JSON.stringify(f.name) + ':' + toJsonText((v as Record<string, unknown>)[f.name] ?? null, f.type))
            .join(',') +
          '}'
        );
      default:
        break;
    }
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Decimal) return v.toString();
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64'));
  if (Array.isArray(v)) return '[' + v.map((e) => toJsonText(e, null)).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + sortedKeys(o).map((k) => JSON.stringify(k) + ':' + toJsonText(o[k], null)).join(',') + '}';
}
