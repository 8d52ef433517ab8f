/**
 * ksqlDB's rules for the schema and formats of a new source or sink (CreateSourceFactory,
 * CreateSourceCommand, the format capability checks of its serde factories), checked before the
 * serdes are built so their messages win:
 * - no column named like a system column (ROWTIME, ROWPARTITION, ...);
 * - no MAP in a key column, at any depth (serialization of maps is not deterministic);
 * - JSON maps have STRING keys;
 * - the NONE format only where there are no columns of that kind, explicitly requested;
 * - KAFKA values cannot be wrapped;
 * - windowed sources have a key; SESSION windows have no WINDOW_SIZE;
 * - read-only (SOURCE) streams and tables cannot be replaced, written to or have their topic deleted.
 */
import { SqlError } from '../sql/errors.ts';
import type { Span } from '../sql/ast.ts';
import type { DataSource, SourceFormats } from '../analyze/catalog.ts';
import type { Column, LogicalSchema } from '../types/schema.ts';
import { formatType, typesEqual, type SqlType } from '../types/sql-type.ts';
import { SYSTEM_COLUMNS } from '../types/typed-expr.ts';
import type { PropertyReader } from './properties.ts';
import { createSerde } from '../serde/index.ts';
import { SerdeError } from '../serde/types.ts';

export function validateColumnNames(columns: readonly { name: string; span?: Span }[], span: Span): void {
  for (const c of columns) {
    const reserved = SYSTEM_COLUMNS.find((s) => s === c.name.toUpperCase());
    if (reserved) throw new SqlError('INVALID', `'${reserved}' is a reserved column name. You cannot use it as a name for a column.`, c.span ?? span);
  }
}

function containsMap(t: SqlType): boolean {
  switch (t.kind) {
    case 'MAP':
      return true;
    case 'ARRAY':
      return containsMap(t.element);
    case 'STRUCT':
      return t.fields.some((f) => containsMap(f.type));
    default:
      return false;
  }
}

function mapWithNonStringKey(t: SqlType): boolean {
  switch (t.kind) {
    case 'MAP':
      return t.key.kind !== 'STRING' || mapWithNonStringKey(t.value);
    case 'ARRAY':
      return mapWithNonStringKey(t.element);
    case 'STRUCT':
      return t.fields.some((f) => mapWithNonStringKey(f.type));
    default:
      return false;
  }
}

export function validateKeyColumns(key: readonly Column[], span: Span): void {
  for (const c of key) {
    if (containsMap(c.type)) {
      throw new SqlError(
        'INVALID',
        `Map keys, including types that contain maps, are not supported as they may lead to unexpected behavior due to inconsistent serialization. Key column name: \`${c.name}\`. Column type: ${formatType(c.type)}. See https://github.com/confluentinc/ksql/issues/6621 for more.`,
        span,
      );
    }
  }
}

const describeColumns = (cols: readonly Column[], kind: 'KEY' | null) => `[${cols.map((c) => `\`${c.name}\` ${formatType(c.type)}${kind ? ` ${kind}` : ''}`).join(', ')}]`;

/** Format capabilities, for formats named explicitly in the WITH clause and the schema they get. */
export function validateFormats(props: PropertyReader, formats: SourceFormats, schema: LogicalSchema, span: Span): void {
  const both = props.format('FORMAT');
  const explicitKey = props.format('KEY_FORMAT') ?? both;
  const explicitValue = props.format('VALUE_FORMAT') ?? both;
  if (explicitKey === 'NONE' && schema.key.length > 0) {
    throw new SqlError('INVALID', `The 'NONE' format can only be used when no columns are defined. Got: ${describeColumns(schema.key, 'KEY')}`, span);
  }
  const values = schema.value.filter((c) => !c.header);
  if (explicitValue === 'NONE' && values.length > 0) {
    throw new SqlError('INVALID', `The 'NONE' format can only be used when no columns are defined. Got: ${describeColumns(values, null)}`, span);
  }
  const jsonCols = [...(formats.keyFormat === 'JSON' ? schema.key : []), ...(formats.valueFormat === 'JSON' ? values : [])];
  if (jsonCols.some((c) => mapWithNonStringKey(c.type))) throw new SqlError('INVALID', 'JSON only supports MAP types with STRING keys', span);
}

export function validateWindowProperties(props: PropertyReader, schema: LogicalSchema, span: Span): void {
  const type = props.string('WINDOW_TYPE')?.toUpperCase();
  if (!type) return;
  if (type === 'SESSION' && props.has('WINDOW_SIZE')) {
    throw new SqlError('INVALID', `'WINDOW_SIZE' should not be set for SESSION windows.`, props.literal('WINDOW_SIZE')!.span);
  }
  if (schema.key.length === 0) throw new SqlError('INVALID', 'Windowed sources require a key column.', span);
}

/** CREATE OR REPLACE over an existing source, or of a SOURCE stream/table. */
export function validateReplace(existing: DataSource | null, orReplace: boolean, readOnly: boolean, sourceType: 'STREAM' | 'TABLE', name: string, span: Span): void {
  if (!orReplace) return;
  if (readOnly || existing?.readOnly) {
    const t = sourceType.toLowerCase();
    throw new SqlError('INVALID', `Cannot add ${t} '${name}': CREATE OR REPLACE is not supported on source ${t}s.`, span);
  }
}

export function validateWritable(target: DataSource, span: Span): void {
  if (target.readOnly) throw new SqlError('INVALID', `Cannot insert into read-only ${target.type.toLowerCase()}: ${target.name}`, span);
  if (target.schema.value.some((c) => c.header)) throw new SqlError('INVALID', `Cannot insert into ${target.name} because it has header columns`, span);
}

const HEADERS_TYPE: SqlType = {
  kind: 'ARRAY',
  element: { kind: 'STRUCT', fields: [{ name: 'KEY', type: { kind: 'STRING' } }, { name: 'VALUE', type: { kind: 'BYTES' } }] },
};

/** HEADERS columns hold every header as ARRAY<STRUCT<KEY STRING, VALUE BYTES>>; HEADER('k') one header's BYTES. */
export function validateHeaderColumns(columns: readonly { name: string; type: SqlType; headers: { key: string | null } | null }[], span: Span): void {
  for (const c of columns) {
    if (!c.headers) continue;
    if (c.headers.key === null && !typesEqual(c.type, HEADERS_TYPE)) {
      throw new SqlError('INVALID', `Invalid type for HEADERS column: expected ${formatType(HEADERS_TYPE)}, got ${formatType(c.type)}`, span);
    }
    if (c.headers.key !== null && c.type.kind !== 'BYTES') {
      throw new SqlError('INVALID', `Invalid type for HEADER('${c.headers.key}') column: expected BYTES, got ${formatType(c.type)}`, span);
    }
  }
}

export function validateDeleteTopic(source: DataSource, deleteTopic: boolean, span: Span): void {
  if (deleteTopic && source.readOnly) throw new SqlError('INVALID', `Cannot delete topic for read-only source: ${source.name}`, span);
}

const INFERRING_FORMATS = new Set(['AVRO', 'PROTOBUF', 'JSON_SR', 'PROTOBUF_NOSR']);

/**
 * The WITH clause's format settings, before any column is looked at (ksqlDB's
 * CreateSourceProperties and format factories): FORMAT excludes KEY_FORMAT/VALUE_FORMAT, schema
 * ids need a format that infers schemas and no column list, delimiters belong to DELIMITED, and
 * every format named is known.
 */
export function validateFormatProperties(props: PropertyReader, hasColumns: boolean, span: Span): void {
  for (const which of ['KEY', 'VALUE'] as const) {
    if (props.has('FORMAT') && props.has(`${which}_FORMAT`)) {
      throw new SqlError(
        'INVALID',
        `Cannot supply both '${which}_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.`,
        span,
      );
    }
  }
  for (const which of ['KEY', 'VALUE'] as const) {
    if (!props.has(`${which}_SCHEMA_ID`)) continue;
    if (hasColumns) throw new SqlError('INVALID', `Table elements and ${which}_SCHEMA_ID cannot both exist for create statement.`, span);
    const raw = (props.string(`${which}_FORMAT`) ?? props.string('FORMAT') ?? '').toUpperCase();
    if (!INFERRING_FORMATS.has(raw)) {
      throw new SqlError('INVALID', `${which}_FORMAT should support schema inference when ${which}_SCHEMA_ID is provided. Current format is ${raw}.`, span);
    }
  }
  // Schema-registry formats are refused later (validateRegistryFormat), after their own checks.
  const format = (name: string) => (INFERRING_FORMATS.has((props.string(name) ?? '').toUpperCase()) ? null : props.format(name));
  const both = format('FORMAT');
  const value = format('VALUE_FORMAT') ?? both;
  const key = format('KEY_FORMAT') ?? both;
  for (const which of ['KEY', 'VALUE'] as const) {
    if (!props.has(`${which}_DELIMITER`)) continue;
    props.delimiter(`${which}_DELIMITER`);
    const format = which === 'VALUE' ? value : key;
    if (format && format !== 'DELIMITED') throw new SqlError('INVALID', `${format} does not support the following configs: [delimiter]`, span);
  }
  // A schema's full name is a schema-registry format's config (ksqlDB's FormatProperties).
  for (const [which, names] of [['KEY', ['KEY_SCHEMA_FULL_NAME']], ['VALUE', ['VALUE_SCHEMA_FULL_NAME', 'VALUE_AVRO_SCHEMA_FULL_NAME']]] as const) {
    const format = which === 'VALUE' ? value : key;
    if (format && names.some((n) => props.has(n))) throw new SqlError('INVALID', `${format} does not support the following configs: [fullSchemaName]`, span);
  }
}

/** A CREATE without columns: only formats that read a schema from a registry can do without. */
export function noColumnsError(props: PropertyReader, span: Span): SqlError {
  const raw = (props.string('VALUE_FORMAT') ?? props.string('FORMAT') ?? '').toUpperCase();
  if (!INFERRING_FORMATS.has(raw)) return new SqlError('INVALID', 'No columns supplied.', span);
  return new SqlError('UNSUPPORTED', `The statement does not define any columns, and Riffle has no schema registry to infer them from`, span);
}

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * AVRO, PROTOBUF and JSON_SR need a schema registry, which Riffle does not have: a statement
 * using one is refused, after the checks those formats make of the schema themselves (so the
 * error is the one ksqlDB would give where the schema cannot be written in that format).
 */
export function validateRegistryFormat(props: PropertyReader, schema: LogicalSchema, span: Span): void {
  const raw = (name: string) => (props.string(name) ?? props.string('FORMAT') ?? '').toUpperCase();
  const sides = [
    { format: raw('KEY_FORMAT'), columns: schema.key, isKey: true },
    { format: raw('VALUE_FORMAT'), columns: schema.value.filter((c) => !c.header), isKey: false },
  ];
  for (const { format, columns, isKey } of sides) {
    if (!INFERRING_FORMATS.has(format)) continue;
    const nonStringMap = columns.some((c) => mapWithNonStringKey(c.type));
    if (format === 'AVRO') {
      if (nonStringMap) throw new SqlError('INVALID', 'Avro only supports MAPs with STRING keys', span);
      for (const c of columns) {
        if (AVRO_NAME.test(c.name)) continue;
        const detail = /^[A-Za-z_]/.test(c.name) ? `Illegal character in: ${c.name}` : `Illegal initial character: ${c.name}`;
        throw new SqlError('INVALID', `Schema is not compatible with Avro: ${detail}`, span);
      }
    }
    if (format === 'JSON_SR' && nonStringMap) throw new SqlError('INVALID', 'JSON only supports MAP types with STRING keys', span);
    if (format.startsWith('PROTOBUF')) {
      if (nonStringMap) throw new SqlError('INVALID', 'PROTOBUF format only supports MAP types with STRING keys', span);
      if (!isKey && props.bool('WRAP_SINGLE_VALUE') === false) {
        throw new SqlError('INVALID', `Format '${format}' does not support 'WRAP_SINGLE_VALUE' set to 'false'.`, span);
      }
    }
  }
  for (const name of ['FORMAT', 'KEY_FORMAT', 'VALUE_FORMAT']) if (props.has(name)) props.format(name);
}

/**
 * Builds the serdes once so a format that cannot hold the schema fails the statement, not the
 * records. ksqlDB's wording (GenericSerdeFactory): which side, the format, the persistence schema
 * (`Persistence{columns=[\`K\` BOOLEAN KEY], features=[]}`), then the format's reason.
 */
export function validateSerdes(formats: SourceFormats, schema: LogicalSchema, span: Span): void {
  const sides = [
    { target: 'Key', format: formats.keyFormat, columns: schema.key, options: { isKey: true, wrapSingleValue: false, delimiter: formats.keyDelimiter } },
    { target: 'Value', format: formats.valueFormat, columns: schema.value.filter((c) => !c.header), options: { isKey: false, wrapSingleValue: formats.wrapSingleValue, delimiter: formats.valueDelimiter } },
  ];
  for (const side of sides) {
    try {
      createSerde(side.format, side.columns, side.options);
    } catch (e) {
      if (!(e instanceof SerdeError)) throw e;
      const columns = side.columns.map((c) => `\`${c.name}\` ${formatType(c.type)}${side.options.isKey ? ' KEY' : ''}`).join(', ');
      throw new SqlError('INVALID', `${side.target} format does not support schema.\nformat: ${side.format}\nschema: Persistence{columns=[${columns}], features=[]}\nreason: ${e.message}`, span);
    }
  }
}

// Java's TimeUnit, which ksqlDB's DurationParser reads a unit with (the plural; a missing S is added).
const TIME_UNIT_MS: Record<string, number> = { NANOSECONDS: 1e-6, MICROSECONDS: 1e-3, MILLISECONDS: 1, SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 };

/**
 * A duration in a WITH clause (WINDOW_SIZE), read as ksqlDB's DurationParser does: exactly two
 * tokens split at single whitespace characters (`'10 SECONDS'`), a whole number and a time unit.
 * A bad value is reported as ksqlDB's config validator words it, with the "Failed to prepare
 * statement" wrapper of errors found while the statement is built.
 */
export function parseWithDuration(property: string, text: string, span: Span): number {
  const fail = (why: string): never => {
    throw new SqlError('INVALID', `Failed to prepare statement: Configuration ${property} is invalid: Invalid duration: '${text}'. ${why}`, span);
  };
  const parts = text.split(/\s/);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop(); // as Java's String.split
  if (parts.length !== 2) return fail(`Expected 2 tokens, got: ${parts.length}`);
  if (!/^[+-]?\d{1,18}$/.test(parts[0])) return fail(`Not numeric: '${parts[0]}'`);
  const upper = parts[1].toUpperCase();
  const unit = upper.endsWith('S') ? upper : `${upper}S`;
  const ms = TIME_UNIT_MS[unit];
  if (ms === undefined) return fail(`Unknown time unit: '${upper}'\nSupported time units are: ${Object.keys(TIME_UNIT_MS).join(', ')}`);
  return Math.floor(Number(parts[0]) * ms);
}

/**
 * INSERT INTO a source that does not exist, as ksqlDB words it (UnknownSourceException from its
 * AstSanitizer, wrapped as an error found while preparing the statement). ksqlDB places it at
 * the statement's column plus 12 (it adds "INSERT INTO".length to a 1-based column, then prints
 * that plus one); the quirk is kept so the message matches.
 */
export function unknownInsertTarget(s: { readonly target: string; readonly span: Span }): SqlError {
  const location = `Line: ${s.span.line}, Col: ${s.span.column + 'INSERT INTO'.length + 1}: `;
  return new SqlError('UNKNOWN_SOURCE', `Exception while preparing statement: ${location}Source \`${s.target}\` does not exist.`, s.span);
}

/** A stream column declared PRIMARY KEY, or a table column declared KEY: ksqlDB's words, at the column. */
export function wrongKeyKind(sourceType: 'STREAM' | 'TABLE', column: string, span: Span): SqlError {
  const location = `Line: ${span.line}, Col: ${span.column}: `;
  const wrong = sourceType === 'STREAM' ? `is a 'PRIMARY KEY' column: please use 'KEY' for streams.` : `is a 'KEY' column: please use 'PRIMARY KEY' for tables.`;
  return new SqlError(
    'INVALID',
    `${location}Column \`${column}\` ${wrong}\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.`,
    span,
  );
}

// The wrapping features each value format supports (ksqlDB's Format#supportedFeatures): JSON
// both, KAFKA and DELIMITED only unwrapped single values, NONE neither.
const WRAPPING: Record<string, { readonly wrap: boolean; readonly unwrap: boolean }> = {
  JSON: { wrap: true, unwrap: true },
  KAFKA: { wrap: false, unwrap: true },
  DELIMITED: { wrap: false, unwrap: true },
  NONE: { wrap: false, unwrap: false },
};

/** An explicit WRAP_SINGLE_VALUE the value format cannot honour; checked before the single-field rule, as ksqlDB. */
export function validateValueWrapping(valueFormat: string, wrap: boolean | null, props: PropertyReader): void {
  const supported = WRAPPING[valueFormat];
  if (wrap === null || !supported || (wrap ? supported.wrap : supported.unwrap)) return;
  throw new SqlError('INVALID', `Format '${valueFormat}' does not support 'WRAP_SINGLE_VALUE' set to '${wrap}'.`, props.literal('WRAP_SINGLE_VALUE')!.span);
}

/**
 * The TIMESTAMP column of a WITH clause, as ksqlDB's TimestampExtractionPolicyFactory checks it:
 * it exists; a STRING needs TIMESTAMP_FORMAT, which only a STRING may have; otherwise BIGINT or
 * TIMESTAMP.
 */
export function validateTimestampColumn(props: PropertyReader, schema: LogicalSchema, span: Span): void {
  const name = props.string('TIMESTAMP')?.toUpperCase() ?? null;
  if (name === null) return;
  const at = props.literal('TIMESTAMP')?.span ?? span;
  const column = [...schema.key, ...schema.value].find((c) => c.name === name);
  if (!column) throw new SqlError('UNKNOWN_COLUMN', `The TIMESTAMP column set in the WITH clause does not exist in the schema: '${name}'`, at);
  const format = props.string('TIMESTAMP_FORMAT');
  if (column.type.kind === 'STRING') {
    if (format === null) throw new SqlError('INVALID', 'A String timestamp field has been specified without also specifying the timestamp_format', at);
    return;
  }
  if (format !== null) throw new SqlError('INVALID', "'TIMESTAMP_FORMAT' set in the WITH clause can only be used when the timestamp column is of type STRING.", at);
  if (column.type.kind !== 'BIGINT' && column.type.kind !== 'TIMESTAMP') {
    throw new SqlError('INVALID', `Timestamp column, \`${name}\`, should be LONG(INT64), TIMESTAMP, or a String with a timestamp_format specified.`, at);
  }
}
