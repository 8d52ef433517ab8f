/**
 * Turns rows into log records for the sink topic: key columns with the key format, value columns
 * with the value format, the row's event time as the record timestamp. A row whose value is null
 * becomes a tombstone. A row that cannot be written goes to the processing log.
 */
import type { ProducerRecord } from '../log/log.ts';
import type { SinkStep } from '../plan/steps.ts';
import type { Row } from './expr/row.ts';
import type { ProcessingLog } from './processing-log.ts';
import { createSerde } from '../serde/index.ts';
import { eventTimeReader } from './event-time.ts';
import { encodeWindowedKey } from '../serde/windowed-key.ts';

export type SinkEncoder = (rows: readonly Row[]) => ProducerRecord[];

export function sinkEncoder(step: SinkStep, queryId: string, errors: ProcessingLog): SinkEncoder {
  const { formats } = step.binding;
  const keyCount = step.schema.key.length;
  const keySerde = createSerde(formats.keyFormat, step.schema.key, { isKey: true, wrapSingleValue: false, delimiter: formats.keyDelimiter });
  const valueSerde = createSerde(formats.valueFormat, step.schema.value, {
    isKey: false,
    wrapSingleValue: formats.wrapSingleValue,
    delimiter: formats.valueDelimiter,
  });
  const window = step.window;
  const readTime = step.timestamp ? eventTimeReader(step.timestamp.column, step.timestamp.format, step.schema) : null;
  return (rows) => {
    const out: ProducerRecord[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const cols = row.cols;
      try {
        let key = keyCount && !row.keyNull ? keySerde.serialize(keyCount === cols.length ? cols : cols.slice(0, keyCount)) : null;
        if (window && row.windowStart !== null) key = encodeWindowedKey(key, window, row.windowStart, row.windowEnd ?? row.windowStart);
        const value = row.valueNull ? null : valueSerde.serialize(keyCount ? cols.slice(keyCount) : cols);
        const ts = readTime ? readTime(row) : row.ts;
        if (ts === null) {
          errors.report({ type: 'SERIALIZATION_ERROR', queryId, step: step.name, reason: 'Invalid or negative timestamp in the TIMESTAMP column: the row is dropped' });
          continue;
        }
        // Headers travel with the record, as in ksqlDB (Kafka Streams forwards them).
        out.push(row.headers != null && row.headers.length > 0 ? { key, value, timestamp: ts, headers: row.headers } : { key, value, timestamp: ts });
      } catch (e) {
        errors.report({ type: 'SERIALIZATION_ERROR', queryId, step: step.name, reason: `Failed to serialise row: ${(e as Error).message}` });
      }
    }
    return out;
  };
}
