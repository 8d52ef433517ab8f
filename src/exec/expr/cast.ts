/**
 * CAST at runtime, as ksqlDB's CastEvaluator does it:
 * - STRING to numbers/BOOLEAN/temporal types parses the trimmed text (Java parse rules);
 *   BOOLEAN accepts prefixes of true/yes (anything else is false);
 * - DOUBLE/DECIMAL to INTEGER/BIGINT truncates toward zero (DOUBLE saturates like Java's
 *   (int)/(long); DECIMAL and BIGINT keep the low 32/64 bits);
 * - to DECIMAL(p, s): HALF_UP to the scale; a value of p - s or more integer digits overflows;
 * - to STRING: see ../../analyze/expr/java-text.ts;
 * - ARRAY/MAP element-wise, STRUCT field by field (fields missing in the source are NULL).
 * A value that does not convert makes the cast NULL and is reported to the ErrorSink (ksqlDB
 * writes a processing-log record); containers NULL just the failing element.
 */
import type { SqlType } from '../../types/sql-type.ts';
import { formatType, typesEqual } from '../../types/sql-type.ts';
import { Decimal, pow10 } from '../../types/decimal.ts';
import { castToString } from '../../types/java/value-text.ts';
import { javaTrim, parseBooleanExact, tryParseJavaDouble, tryParseJavaInt, tryParseJavaLongBig } from '../../types/java/number-parse.ts';
import { MS_PER_DAY, parseDate, parseTime, parseTimestamp, timestampToDate, timestampToTime } from '../../types/java/time-text.ts';
import type { ErrorSink } from './row.ts';
import { absBelowPow10, mapKey, normLong } from './runtime.ts';

/** Converts a non-null value; returns null (after reporting) when it does not convert. */
export type Caster = (v: any) => unknown;

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

/** The exact decimal value of a finite double. */
export function exactDecimal(v: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  let m = exp === 0 ? frac : frac | (1n << 52n);
  let e = exp === 0 ? -1074 : exp - 1075;
  while (e < 0 && m !== 0n && (m & 1n) === 0n) {
    m >>= 1n;
    e++;
  }
  if (m === 0n) return new Decimal(0n, 0);
  if (bits >> 63n) m = -m;
  return e >= 0 ? new Decimal(m << BigInt(e), 0) : new Decimal(m * 5n ** BigInt(-e), -e);
}

/** ksqlDB's DecimalUtil.cast: overflow check on the integer digits, then HALF_UP to the scale. */
function fitDecimal(d: Decimal, precision: number, scale: number): Decimal | null {
  if (!absBelowPow10(d, precision - scale)) return null;
  const r = d.setScale(scale);
  // Only rounding to fewer fraction digits can carry into a new integer digit (9.99 -> 10.0).
  return scale >= d.scale || absBelowPow10(r, precision - scale) ? r : null;
}

/** new BigDecimal(double, new MathContext(precision)): the double rounded HALF_UP to `precision` digits. */
function doubleToDecimal(v: number, precision: number): Decimal | null {
  if (!Number.isFinite(v)) return null;
  const d = exactDecimal(v);
  const extra = d.precision() - precision;
  return extra > 0 ? d.setScale(d.scale - extra) : d;
}

const D2I = (v: number): number => (Number.isNaN(v) ? 0 : v >= 2147483647 ? 2147483647 : v <= -2147483648 ? -2147483648 : Math.trunc(v) | 0);

function D2L(v: number): number | bigint {
  if (Number.isNaN(v)) return 0;
  const t = Math.trunc(v);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  const b = BigInt(t);
  return normLong(b > LONG_MAX ? LONG_MAX : b < LONG_MIN ? LONG_MIN : b);
}

/** A decimal truncated toward zero to an integer. */
const truncDecimal = (d: Decimal): bigint => (d.scale <= 0 ? d.unscaled * pow10(-d.scale) : d.unscaled / pow10(d.scale));

/** A map key's stored text back to a value of the key type. */
function keyValue(text: string, keyType: SqlType): unknown {
  switch (keyType.kind) {
    case 'INTEGER':
    case 'DOUBLE':
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return Number(text);
    case 'BIGINT':
      return normLong(BigInt(text));
    case 'DECIMAL':
      return Decimal.parse(text);
    case 'BOOLEAN':
      return text === 'true';
    default:
      return text;
  }
}

/**
 * The caster from `from` to `to` (a valid cast, see analyze/expr/coercion.ts canCast), or null
 * when values need no conversion.
 */
export function makeCaster(from: SqlType, to: SqlType, sink: ErrorSink): Caster | null {
  if (typesEqual(from, to)) return null;
  const fail = (v: unknown, why = ''): null => {
    const text = typeof v === 'string' ? `'${v}'` : String(v);
    sink(`Cannot cast ${text} from ${formatType(from)} to ${formatType(to)}${why}`);
    return null;
  };
  if (to.kind === 'STRING') return castToString(from);
  switch (from.kind) {
    case 'STRING':
      return stringCaster(to, fail);
    case 'INTEGER':
    case 'BIGINT':
      switch (to.kind) {
        case 'INTEGER':
          return (v) => (typeof v === 'number' ? v | 0 : Number(BigInt.asIntN(32, v)));
        case 'BIGINT':
          return null;
        case 'DOUBLE':
          return from.kind === 'BIGINT' ? (v) => Number(v) : null;
        case 'DECIMAL': {
          const { precision, scale } = to;
          return (v) => fitDecimal(new Decimal(BigInt(v), 0), precision, scale) ?? fail(v, ': numeric overflow');
        }
      }
      break;
    case 'DOUBLE':
      switch (to.kind) {
        case 'INTEGER':
          return D2I;
        case 'BIGINT':
          return D2L;
        case 'DECIMAL': {
          const { precision, scale } = to;
          return (v) => {
            const d = doubleToDecimal(v, precision);
            return (d && fitDecimal(d, precision, scale)) ?? fail(v, ': numeric overflow');
          };
        }
      }
      break;
    case 'DECIMAL':
      switch (to.kind) {
        case 'INTEGER':
          return (v: Decimal) => Number(BigInt.asIntN(32, truncDecimal(v)));
        case 'BIGINT':
          return (v: Decimal) => normLong(BigInt.asIntN(64, truncDecimal(v)));
        case 'DOUBLE':
          return (v: Decimal) => v.toNumber();
        case 'DECIMAL': {
          const { precision, scale } = to;
          return (v: Decimal) => fitDecimal(v, precision, scale) ?? fail(v, ': numeric overflow');
        }
      }
      break;
    case 'TIMESTAMP':
      if (to.kind === 'DATE') return timestampToDate;
      if (to.kind === 'TIME') return timestampToTime;
      break;
    case 'DATE':
      if (to.kind === 'TIMESTAMP') return (v: number) => v * MS_PER_DAY;
      break;
    case 'ARRAY':
      if (to.kind === 'ARRAY') {
        const el = makeCaster(from.element, to.element, sink);
        return el === null ? null : (v: unknown[]) => v.map((x) => (x === null ? null : el(x)));
      }
      break;
    case 'MAP':
      if (to.kind === 'MAP') {
        const k = makeCaster(from.key, to.key, sink);
        const val = makeCaster(from.value, to.value, sink);
        if (k === null && val === null) return null;
        const fromKey = from.key;
        return (v: Record<string, unknown>) => {
          const out: Record<string, unknown> = {};
          for (const key of Object.keys(v)) {
            const newKey = k === null ? key : k(keyValue(key, fromKey));
            if (newKey === null) continue;
            const x = v[key];
            const value = x === null || x === undefined ? null : val === null ? x : val(x);
            const text = mapKey(newKey);
            if (text === '__proto__') Object.defineProperty(out, text, { value, enumerable: true, writable: true, configurable: true });
            else out[text] = value;
          }
          return out;
        };
      }
      break;
    case 'STRUCT':
      if (to.kind === 'STRUCT') {
        const fields = to.fields.map((f) => {
          const src = from.fields.find((x) => x.name === f.name);
          return { name: f.name, present: !!src, cast: src ? makeCaster(src.type, f.type, sink) : null };
        });
        return (v: Record<string, unknown>) => {
          const out: Record<string, unknown> = {};
          for (const f of fields) {
            const x = f.present ? v[f.name] : null;
            const value = x === null || x === undefined ? null : f.cast === null ? x : f.cast(x);
            if (f.name === '__proto__') Object.defineProperty(out, f.name, { value, enumerable: true, writable: true, configurable: true });
            else out[f.name] = value;
          }
          return out;
        };
      }
      break;
    default:
      break;
  }
  throw new Error(`Cast of ${formatType(from)} to ${formatType(to)} is not supported`);
}

function stringCaster(to: SqlType, fail: (v: unknown, why?: string) => null): Caster {
  const parsed = (parse: (s: string) => unknown) => (v: string) => {
    const r = parse(javaTrim(v));
    return r === null ? fail(v) : r;
  };
  switch (to.kind) {
    case 'BOOLEAN':
      return (v: string) => parseBooleanExact(javaTrim(v)) === true;
    case 'INTEGER':
      return parsed(tryParseJavaInt);
    case 'BIGINT':
      return parsed((s) => {
        const b = tryParseJavaLongBig(s);
        return b === null ? null : normLong(b);
      });
    case 'DOUBLE':
      return parsed(tryParseJavaDouble);
    case 'DECIMAL': {
      const { precision, scale } = to;
      return parsed((s) => {
        const d = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s) ? Decimal.parse(s) : null;
        return d && fitDecimal(d, precision, scale);
      });
    }
    case 'TIMESTAMP':
      return parsed(parseTimestamp);
    case 'DATE':
      return parsed(parseDate);
    case 'TIME':
      return parsed(parseTime);
    case 'BYTES':
      return parsed((s) => (/^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 ? new Uint8Array(Buffer.from(s, 'base64')) : null));
    default:
      throw new Error(`Cast of STRING to ${formatType(to)} is not supported`);
  }
}
