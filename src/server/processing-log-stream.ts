/**
 * RIFFLE_PROCESSING_LOG as a stream users can query (`SELECT * FROM RIFFLE_PROCESSING_LOG EMIT
 * CHANGES`), as ksqlDB registers KSQL_PROCESSING_LOG: declared over the processing-log topic
 * when the server starts, unless it exists. Its columns are the fields of a ProcessingLogEntry
 * (exec/processing-log.ts), matched case-insensitively by the JSON format.
 */
import type { Engine } from '../engine/engine.ts';
import { PROCESSING_LOG_TOPIC } from '../exec/processing-log.ts';

export const PROCESSING_LOG_STREAM_SQL =
  `CREATE STREAM IF NOT EXISTS ${PROCESSING_LOG_TOPIC} (` +
  '`LEVEL` STRING, `TYPE` STRING, `QUERYID` STRING, `STEP` STRING, `REASON` STRING, `TOPIC` STRING, ' +
  '`PARTITION` INT, `OFFSET` BIGINT, `RECORDBASE64` STRING, `TIME` BIGINT' +
  `) WITH (KAFKA_TOPIC='${PROCESSING_LOG_TOPIC}', VALUE_FORMAT='JSON');`;

export async function ensureProcessingLogStream(engine: Engine): Promise<void> {
  if (engine.catalog.getSource(PROCESSING_LOG_TOPIC)) return;
  await engine.execute(PROCESSING_LOG_STREAM_SQL);
}
