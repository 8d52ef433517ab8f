/**
 * Literal values in plans: TypedExpr literals are stored as JSON-safe LiteralValues inside
 * versioned query plans; `decodeLiteral` gives the runtime value (see ./sql-type.ts for the
 * runtime representation) and `encodeLiteral` the reverse.
 */
import type { SqlType } from './sql-type.ts';
import { formatType } from './sql-type.ts';
import { Decimal } from './decimal.ts';

/**
 * JSON-safe literal values, by the literal's type:
 * BOOLEAN boolean; INTEGER, TIMESTAMP, DATE, TIME number; BIGINT string of digits;
 * DOUBLE number, or 'NaN' / 'Infinity' / '-Infinity'; DECIMAL plain string with its scale
 * ('12.30'); STRING string; BYTES base64 string. null is SQL NULL (of the node's type).
 */
export type LiteralValue = null | boolean | number | string;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The runtime value of a literal (see ./sql-type.ts for the representation). */
export function decodeLiteral(value: LiteralValue, type: SqlType): unknown {
  if (value === null) return null;
  switch (type.kind) {
    case 'BIGINT': {
      const b = BigInt(value as string | number);
      return b >= -MAX_SAFE && b <= MAX_SAFE ? Number(b) : b;
    }
    case 'DOUBLE':
      return typeof value === 'string' ? Number(value) : value;
    case 'DECIMAL':
      return Decimal.parse(String(value))!.setScale(type.scale);
    case 'BYTES':
      return new Uint8Array(Buffer.from(String(value), 'base64'));
    default:
      return value;
  }
}

/** The JSON-safe encoding of a runtime value of `type` (scalar types only; null otherwise). */
export function encodeLiteral(v: unknown, type: SqlType): LiteralValue {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'BIGINT':
      return String(v);
    case 'DOUBLE':
      return Number.isFinite(v) ? (v as number) : String(v);
    case 'DECIMAL':
      return (v as Decimal).toString();
    case 'BYTES':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'BOOLEAN':
    case 'INTEGER':
    case 'STRING':
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return v as LiteralValue;
    default:
      throw new Error(`no literal encoding for ${formatType(type)}`);
  }
}

