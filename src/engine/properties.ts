/**
 * WITH (...) properties of CREATE statements: typed access with clear errors, and the rule that
 * every property given must be known (a typo should not be silently ignored).
 */
import type { Literal, Properties } from '../sql/ast.ts';
import { SqlError } from '../sql/errors.ts';
import type { FormatName } from '../serde/types.ts';

export const SOURCE_PROPERTIES = [
  'KAFKA_TOPIC',
  'KEY_FORMAT',
  'VALUE_FORMAT',
  'FORMAT',
  'PARTITIONS',
  'REPLICAS',
  'REPLICATION_FACTOR',
  'TIMESTAMP',
  'TIMESTAMP_FORMAT',
  'WRAP_SINGLE_VALUE',
  'VALUE_DELIMITER',
  'KEY_DELIMITER',
  'WINDOW_TYPE',
  'WINDOW_SIZE',
  'RETENTION_MS',
  'KEY_SCHEMA_ID',
  'VALUE_SCHEMA_ID',
  'VALUE_AVRO_SCHEMA_FULL_NAME',
  'KEY_SCHEMA_FULL_NAME',
  'VALUE_SCHEMA_FULL_NAME',
  'CLEANUP_POLICY',
] as const;

const FORMATS: readonly FormatName[] = ['JSON', 'DELIMITED', 'KAFKA', 'NONE'];

/**
 * Bounds of integer properties, checked at the statement (with the literal's position) rather
 * than left to the log, whose own refusal would be an error without one. Partitions: at most
 * the embedded log's limit (a Kafka broker refuses far fewer in practice); replicas: a Kafka
 * short; retention: -1 (unlimited) or a time/size.
 */
const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  PARTITIONS: [1, 100_000],
  REPLICAS: [1, 32_767],
  REPLICATION_FACTOR: [1, 32_767],
  RETENTION_MS: [-1, Number.MAX_SAFE_INTEGER],
  RETENTION_BYTES: [-1, Number.MAX_SAFE_INTEGER],
};

export class PropertyReader {
  private readonly props: Properties;

  constructor(props: Properties, allowed: readonly string[]) {
    this.props = props;
    for (const [name, lit] of props) {
      if (!allowed.includes(name)) {
        throw new SqlError('INVALID', `Invalid config variable in the WITH clause: ${name}. Valid properties: ${allowed.join(', ')}`, lit.span);
      }
    }
  }

  has(name: string): boolean {
    return this.props.has(name);
  }

  literal(name: string): Literal | undefined {
    return this.props.get(name);
  }

  string(name: string): string | null {
    const lit = this.props.get(name);
    if (!lit) return null;
    if (lit.type === 'NULL') return null;
    return lit.raw;
  }

  int(name: string): number | null {
    const lit = this.props.get(name);
    if (!lit) return null;
    const n = Number(lit.raw);
    const shown = lit.raw.length > 40 ? `${lit.raw.slice(0, 37)}...` : lit.raw;
    if (!Number.isSafeInteger(n)) throw new SqlError('INVALID', `Property ${name} must be an integer, not '${shown}'`, lit.span);
    const range = INT_RANGES[name];
    if (range && (n < range[0] || n > range[1])) throw new SqlError('INVALID', `Property ${name} must be from ${range[0]} to ${range[1]}, not ${shown}`, lit.span);
    return n;
  }

  bool(name: string): boolean | null {
    const lit = this.props.get(name);
    if (!lit) return null;
    const v = lit.raw.toLowerCase();
    if (v !== 'true' && v !== 'false') throw new SqlError('INVALID', `Property ${name} must be true or false, not '${lit.raw}'`, lit.span);
    return v === 'true';
  }

  format(name: string): FormatName | null {
    const raw = this.string(name);
    if (raw === null) return null;
    const upper = raw.toUpperCase();
    if (upper === 'AVRO' || upper === 'PROTOBUF' || upper === 'JSON_SR' || upper === 'PROTOBUF_NOSR') {
      throw new SqlError('UNSUPPORTED', `Format ${upper} needs a schema registry, which Riffle does not support yet. Supported: ${FORMATS.join(', ')}`, this.props.get(name)!.span);
    }
    if (!FORMATS.includes(upper as FormatName)) {
      throw new SqlError('INVALID', `Unknown format: ${raw.toUpperCase()}. Supported: ${FORMATS.join(', ')}`, this.props.get(name)!.span);
    }
    return upper as FormatName;
  }

  /** VALUE_DELIMITER: a single character, or TAB / SPACE (kept as the word: the serde maps it, see parseDelimiter). */
  delimiter(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === null) return undefined;
    const upper = raw.toUpperCase();
    if (upper === 'TAB' || upper === 'SPACE') return upper;
    const span = this.props.get(name)!.span;
    const example = "\nExample valid value: ';'";
    if (raw.trim() === '') {
      throw new SqlError('INVALID', `Failed to prepare statement: Configuration ${name} is invalid: Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please use the special values 'TAB' or 'SPACE'${example}`, span);
    }
    if (raw.length !== 1) throw new SqlError('INVALID', `Failed to prepare statement: Configuration ${name} is invalid: Invalid delimiter value: '${raw}'. Delimiter must be a single character or TAB,SPACE${example}`, span);
    return raw;
  }
}

/** The first of `names` that is set, as a non-negative integer (anything else is refused, naming the property); else `fallback`. */
export function nonNegativeIntegerProperty(properties: ReadonlyMap<string, string>, names: readonly string[], unit: string, fallback: number): number {
  for (const name of names) {
    const raw = properties.get(name);
    if (raw === undefined) continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (${unit}), got '${raw}'`);
    return n;
  }
  return fallback;
}
