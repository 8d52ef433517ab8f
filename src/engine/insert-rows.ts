/**
 * Rows given as JSON objects (the server's `/inserts-stream`): each object's fields are matched
 * to the target stream's columns by name (case-insensitive, as ksqlDB does), converted to the
 * column types by the JSON serde's rules, and appended with the target's own formats — the same
 * record an `INSERT INTO ... VALUES` would write.
 */
import { SqlError } from '../sql/errors.ts';
import { allColumns } from '../types/schema.ts';
import { createSerde } from '../serde/index.ts';
import type { ProducerRecord } from '../log/log.ts';
import type { DataSource } from '../analyze/catalog.ts';
import type { EngineContext } from './context.ts';

export interface RowInserter {
  readonly target: DataSource;
  /** Converts one row; throws a SqlError saying what is wrong with it (nothing is written). */
  encode(row: unknown): ProducerRecord;
  send(records: readonly ProducerRecord[]): Promise<void>;
}

export function rowInserter(engine: EngineContext, targetName: string): RowInserter {
  const target = engine.catalog.getSource(targetName.toUpperCase()) ?? engine.catalog.getSource(targetName);
  if (!target) throw new SqlError('UNKNOWN_SOURCE', `Cannot insert values into an unknown stream/table: ${targetName}`);
  if (target.type !== 'STREAM') throw new SqlError('INVALID', `Cannot insert into a table: ${target.name}; the inserts stream takes streams only.`);
  if (target.readOnly) throw new SqlError('INVALID', `Cannot insert values into read-only stream: ${target.name}`);
  const cols = allColumns(target.schema).filter((c) => !c.header);
  const byUpper = new Map(cols.map((c) => [c.name.toUpperCase(), c.name]));
  // Reading the row with the JSON rules converts numbers, strings, structs, arrays and maps to the column types.
  const reader = createSerde('JSON', cols, { isKey: false, wrapSingleValue: true });
  const { formats } = target;
  const keySerde = createSerde(formats.keyFormat, target.schema.key, { isKey: true, wrapSingleValue: false, delimiter: formats.keyDelimiter });
  const valueCols = target.schema.value.filter((c) => !c.header);
  const valueSerde = createSerde(formats.valueFormat, valueCols, { isKey: false, wrapSingleValue: formats.wrapSingleValue, delimiter: formats.valueDelimiter });
  return {
    target,
    encode(row: unknown): ProducerRecord {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new SqlError('INVALID', 'Each row must be a JSON object of column names to values');
      const named: Record<string, unknown> = {};
      let rowtime: number | null = null;
      for (const [k, v] of Object.entries(row)) {
        if (k.toUpperCase() === 'ROWTIME') {
          if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new SqlError('TYPE', 'ROWTIME must be an integer (epoch milliseconds)');
          rowtime = v;
          continue;
        }
        const name = byUpper.get(k.toUpperCase());
        if (!name) throw new SqlError('UNKNOWN_COLUMN', `Column name ${k} does not exist.`);
        named[name] = v;
      }
      let values: unknown[];
      try {
        values = reader.deserialize(Buffer.from(JSON.stringify(named))) as unknown[];
      } catch (e) {
        throw new SqlError('TYPE', `Failed to insert values into ${target.name}: ${(e as Error).message}`);
      }
      const byName = new Map(cols.map((c, i) => [c.name, values[i]]));
      const key = target.schema.key.length ? keySerde.serialize(target.schema.key.map((c) => byName.get(c.name) ?? null)) : null;
      const value = valueSerde.serialize(valueCols.map((c) => byName.get(c.name) ?? null));
      let timestamp = rowtime ?? Date.now();
      if (rowtime === null && target.timestampColumn && byName.get(target.timestampColumn) != null) {
        const t = Number(byName.get(target.timestampColumn));
        if (Number.isFinite(t)) timestamp = t;
      }
      return { key, value, timestamp };
    },
    async send(records) {
      if (records.length) await engine.producer.send(target.topic, records);
    },
  };
}
