/**
 * Tensor datatypes of the Open Inference Protocol and the conversions between them and the SQL
 * runtime values of `src/types/sql-type.ts`, used by every provider (V1 JSON, V2 JSON, ONNX).
 *
 * Invariants: encoders never send NULL (a row with a NULL feature is rejected before any request
 * with a per-row reason); decoders return values in the SQL runtime representation of the declared
 * output type or throw a `DecodeError` with a reason a user can act on.
 */
import type { SqlType } from '../types/sql-type.ts';
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, STRING, array, formatType } from '../types/sql-type.ts';
import { Decimal } from '../types/decimal.ts';

export type TensorDatatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

export const TENSOR_DATATYPES: readonly TensorDatatype[] = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES',
];

export function isTensorDatatype(s: unknown): s is TensorDatatype {
  return typeof s === 'string' && (TENSOR_DATATYPES as readonly string[]).includes(s);
}

/** A value as it goes on the wire: JSON scalars, or bigint for 64-bit integers beyond 2^53. */
export type WireValue = number | bigint | boolean | string;

export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** The SQL type a tensor datatype is read as (DESCRIBE MODEL and metadata discovery). */
export function sqlTypeOfDatatype(dt: TensorDatatype): SqlType {
  switch (dt) {
    case 'FP16':
    case 'FP32':
    case 'FP64':
      return DOUBLE;
    case 'INT64':
    case 'UINT32':
    case 'UINT64':
      return BIGINT;
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'UINT8':
    case 'UINT16':
      return INTEGER;
    case 'BOOL':
      return BOOLEAN;
    case 'BYTES':
      return STRING;
  }
}

/** The tensor datatype a SQL input column is sent as when nothing else says; null: not sendable. */
export function defaultDatatypeOf(t: SqlType): TensorDatatype | null {
  switch (t.kind) {
    case 'DOUBLE':
    case 'DECIMAL':
      return 'FP64';
    case 'BIGINT':
    case 'TIMESTAMP':
    case 'TIME':
      return 'INT64';
    case 'INTEGER':
    case 'DATE':
      return 'INT32';
    case 'BOOLEAN':
      return 'BOOL';
    case 'STRING':
      return 'BYTES';
    case 'BYTES':
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return null;
  }
}

/** The one datatype a [rows, features] tensor of these columns is sent as: the widest needed. */
export function matrixDatatypeOf(types: readonly SqlType[]): TensorDatatype | null {
  const dts = types.map(defaultDatatypeOf);
  if (dts.some((d) => d === null)) return null;
  if (dts.includes('BYTES')) return dts.every((d) => d === 'BYTES') ? 'BYTES' : null;
  if (dts.includes('FP64')) return 'FP64';
  if (dts.includes('INT64')) return 'INT64';
  if (dts.includes('INT32')) return 'INT32';
  return dts.length > 0 ? 'BOOL' : null;
}

const INT_RANGE: Partial<Record<TensorDatatype, readonly [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
};

function describe(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '...' : v}'`;
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : v instanceof Decimal ? v.toString() : 'an object';
  return String(v);
}

/**
 * Converts one SQL value to a wire value of `dt`; returns a string (the reason) when it cannot.
 * Numbers cross freely between integer and floating datatypes as long as nothing is lost.
 */
export function encodeValue(v: unknown, dt: TensorDatatype): WireValue | { error: string } {
  if (v === null || v === undefined) return { error: 'NULL feature value' };
  let n: number | bigint;
  if (typeof v === 'number' || typeof v === 'bigint') n = v;
  else if (v instanceof Decimal) n = Number(v.toString());
  else if (typeof v === 'boolean') {
    if (dt === 'BOOL') return v;
    if (dt === 'BYTES') return { error: `cannot send ${v} as BYTES` };
    n = v ? 1 : 0;
  } else if (typeof v === 'string') {
    if (dt === 'BYTES') return v;
    return { error: `cannot send string ${describe(v)} as ${dt}` };
  } else return { error: `cannot send ${describe(v)} as ${dt}` };

  switch (dt) {
    case 'BOOL':
      return { error: `cannot send number ${describe(n)} as BOOL` };
    case 'BYTES':
      return { error: `cannot send number ${describe(n)} as BYTES` };
    case 'FP16':
    case 'FP32':
    case 'FP64': {
      const f = Number(n);
      return Number.isFinite(f) ? f : { error: `non-finite value ${f}` };
    }
    case 'INT64':
    case 'UINT64': {
      if (typeof n === 'number' && !Number.isInteger(n)) return { error: `${n} is not an integer (${dt})` };
      const b = BigInt(n);
      if (dt === 'UINT64' ? b < 0n || b >= 2n ** 64n : b < -(2n ** 63n) || b >= 2n ** 63n) return { error: `${b} out of range for ${dt}` };
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'UINT8':
    case 'UINT16':
    case 'UINT32': {
      const f = Number(n);
      const [lo, hi] = INT_RANGE[dt]!;
      if (!Number.isInteger(f)) return { error: `${describe(n)} is not an integer (${dt})` };
      if (f < lo || f > hi) return { error: `${f} out of range for ${dt}` };
      return f;
    }
  }
}

/** Reads one element of an output tensor as a value of the declared SQL scalar type. */
export function decodeScalar(v: unknown, t: SqlType, where: string): unknown {
  switch (t.kind) {
    case 'DOUBLE':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      // V2 JSON carries NaN/Infinity as strings on some servers.
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
      break;
    case 'INTEGER':
      if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      break;
    case 'BIGINT':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      break;
    case 'DECIMAL':
      if (typeof v === 'number' && Number.isFinite(v)) return Decimal.fromNumber(v).setScale(t.scale);
      break;
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v;
      if (v === 0 || v === 1) return v === 1;
      break;
    case 'STRING':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
      break;
    case 'ARRAY':
      if (Array.isArray(v)) return v.map((e, i) => decodeScalar(e, t.element, `${where}[${i}]`));
      break;
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      break;
    case 'BYTES':
    case 'MAP':
    case 'STRUCT':
      break;
  }
  throw new DecodeError(`${where}: ${describe(v)} is not a valid ${formatType(t)}`);
}

/** The SQL type of an output tensor with `width` values per row: scalar when 1, ARRAY otherwise. */
export function outputTypeOf(dt: TensorDatatype, width: number): SqlType {
  return width === 1 ? sqlTypeOfDatatype(dt) : array(sqlTypeOfDatatype(dt));
}
