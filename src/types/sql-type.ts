/**
 * SQL types of the ksqlDB dialect, as a kind-tagged union.
 *
 * Runtime value representation (the invariant every operator, function and serde relies on):
 * | SQL type  | JS value                                                        |
 * |-----------|-----------------------------------------------------------------|
 * | BOOLEAN   | boolean                                                         |
 * | INTEGER   | number (32-bit integer)                                         |
 * | BIGINT    | number when |v| <= 2^53-1, otherwise bigint (never lossy)       |
 * | DOUBLE    | number                                                          |
 * | DECIMAL   | Decimal (see ./decimal.ts): unscaled bigint + scale             |
 * | STRING    | string                                                          |
 * | BYTES     | Uint8Array (Buffer is fine)                                     |
 * | TIMESTAMP | number: milliseconds since the epoch, UTC                       |
 * | DATE      | number: days since the epoch                                    |
 * | TIME      | number: milliseconds since midnight                             |
 * | ARRAY     | unknown[]                                                       |
 * | MAP       | plain object (string keys; other key types are stringified)     |
 * | STRUCT    | plain object keyed by the declared field names                  |
 * SQL NULL is always `null`, never `undefined`.
 */
export type SqlType =
  | { readonly kind: 'BOOLEAN' }
  | { readonly kind: 'INTEGER' }
  | { readonly kind: 'BIGINT' }
  | { readonly kind: 'DOUBLE' }
  | { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'STRING' }
  | { readonly kind: 'BYTES' }
  | { readonly kind: 'TIMESTAMP' }
  | { readonly kind: 'DATE' }
  | { readonly kind: 'TIME' }
  | { readonly kind: 'ARRAY'; readonly element: SqlType }
  | { readonly kind: 'MAP'; readonly key: SqlType; readonly value: SqlType }
  | { readonly kind: 'STRUCT'; readonly fields: readonly StructField[] };

export interface StructField {
  readonly name: string;
  readonly type: SqlType;
}


export const BOOLEAN: SqlType = { kind: 'BOOLEAN' };
export const INTEGER: SqlType = { kind: 'INTEGER' };
export const BIGINT: SqlType = { kind: 'BIGINT' };
export const DOUBLE: SqlType = { kind: 'DOUBLE' };
export const STRING: SqlType = { kind: 'STRING' };
export const BYTES: SqlType = { kind: 'BYTES' };
export const TIMESTAMP: SqlType = { kind: 'TIMESTAMP' };
export const DATE: SqlType = { kind: 'DATE' };
export const TIME: SqlType = { kind: 'TIME' };
export const decimal = (precision: number, scale: number): SqlType => ({ kind: 'DECIMAL', precision, scale });
export const array = (element: SqlType): SqlType => ({ kind: 'ARRAY', element });
export const map = (key: SqlType, value: SqlType): SqlType => ({ kind: 'MAP', key, value });
export const struct = (fields: readonly StructField[]): SqlType => ({ kind: 'STRUCT', fields });

/** ksqlDB's spelling of a type, as DESCRIBE prints it: `DECIMAL(4, 2)`, `ARRAY<STRING>`, `STRUCT<A INTEGER>`. */
export function formatType(t: SqlType): string {
  switch (t.kind) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case 'ARRAY':
      return `ARRAY<${formatType(t.element)}>`;
    case 'MAP':
      return `MAP<${formatType(t.key)}, ${formatType(t.value)}>`;
    case 'STRUCT':
      return `STRUCT<${t.fields.map((f) => `\`${f.name}\` ${formatType(f.type)}`).join(', ')}>`;
    case 'BOOLEAN':
    case 'INTEGER':
    case 'BIGINT':
    case 'DOUBLE':
    case 'STRING':
    case 'BYTES':
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return t.kind;
  }
}

export function typesEqual(a: SqlType, b: SqlType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'DECIMAL':
      return b.kind === 'DECIMAL' && a.precision === b.precision && a.scale === b.scale;
    case 'ARRAY':
      return b.kind === 'ARRAY' && typesEqual(a.element, b.element);
    case 'MAP':
      return b.kind === 'MAP' && typesEqual(a.key, b.key) && typesEqual(a.value, b.value);
    case 'STRUCT':
      return (
        b.kind === 'STRUCT' &&
        a.fields.length === b.fields.length &&
        a.fields.every((f, i) => f.name === b.fields[i].name && typesEqual(f.type, b.fields[i].type))
      );
    default:
      return true;
  }
}

export const isNumeric = (t: SqlType): boolean =>
  t.kind === 'INTEGER' || t.kind === 'BIGINT' || t.kind === 'DOUBLE' || t.kind === 'DECIMAL';

/** ksqlDB's implicit widening order for numbers: INTEGER < BIGINT < DECIMAL < DOUBLE. */
export function numericRank(t: SqlType): number {
  switch (t.kind) {
    case 'INTEGER':
      return 1;
    case 'BIGINT':
      return 2;
    case 'DECIMAL':
      return 3;
    case 'DOUBLE':
      return 4;
    default:
      return 0;
  }
}

/** The DECIMAL that holds every value of an integral type (INTEGER -> DECIMAL(10,0), BIGINT -> DECIMAL(19,0)). */
export function toDecimalType(t: SqlType): { precision: number; scale: number } | null {
  switch (t.kind) {
    case 'INTEGER':
      return { precision: 10, scale: 0 };
    case 'BIGINT':
      return { precision: 19, scale: 0 };
    case 'DECIMAL':
      return { precision: t.precision, scale: t.scale };
    default:
      return null;
  }
}
