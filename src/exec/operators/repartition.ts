/**
 * Repartition: writes the rows of its side to an internal topic keyed by the new key (the log's
 * partitioner, Kafka's murmur2, picks the partition from the key bytes) and emits nothing for
 * them; the task reads the topic back and feeds its rows to the operator after this one (see
 * ../build.ts). Rows of other sides (other join inputs) pass through.
 *
 * Table changes (`retract`): a change whose prior row had another key becomes two records, a
 * retraction (the prior row, value null) to the old key's partition and an addition (no prior)
 * to the new key's, so each aggregate sees the half that concerns it.
 */
import type { RepartitionStep } from '../../plan/steps.ts';
import type { ProducerRecord } from '../../log/log.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { Row } from '../expr/row.ts';
import { compileExpr } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import { createSerde } from '../../serde/index.ts';
import { expressionErrorSink } from './errors.ts';
import { encodeInternalRow } from '../internal-rows.ts';
import { keyBytes, sameBytes } from '../state-keys.ts';

export function repartitionOperator(step: RepartitionStep, side: number, ctx: OperatorContext): Operator {
  const onError = expressionErrorSink(ctx, step.name);
  const keyExprs = step.key.map((e) => compileExpr(e, getFunction, onError));
  const formats = step.keyFormats && step.keyFormats.keyFormat !== 'NONE' ? step.keyFormats : null;
  // A join side is keyed as the other side's topic is, so equal keys hash alike; otherwise the
  // internal key encoding (the state stores' key bytes).
  const serde = formats
    ? createSerde(formats.keyFormat, step.key.map((e, i) => ({ name: `K${i}`, type: e.type })), { isKey: true, wrapSingleValue: false, delimiter: formats.keyDelimiter })
    : null;
  const keyOf = (row: Row): Uint8Array | null => {
    const values = new Array(keyExprs.length);
    for (let i = 0; i < keyExprs.length; i++) {
      const v = keyExprs[i](row);
      // A null key cannot be grouped or joined on: its row goes to any partition, where the
      // operator downstream reports or drops it as it would without the repartition.
      if (v === null || v === undefined) return null;
      values[i] = v;
    }
    return serde ? serde.serialize(values) : keyBytes(values);
  };
  const record = (row: Row, key: Uint8Array | null): ProducerRecord => ({
    key,
    value: encodeInternalRow(row),
    timestamp: row.ts,
    ...(row.headers?.length ? { headers: row.headers } : {}),
  });
  const report = (row: Row, e: unknown) =>
    ctx.errors.report({
      type: 'SERIALIZATION_ERROR',
      queryId: ctx.queryId,
      step: step.name,
      reason: `Failed to repartition the record at ${row.partition}@${row.offset}: ${(e as Error).message}`,
      partition: row.partition,
      offset: row.offset,
    });

  return {
    name: step.name,
    process(rows: Row[]): Row[] {
      const passed: Row[] = [];
      const records: ProducerRecord[] = [];
      for (const row of rows) {
        if ((row.side ?? 0) !== side) {
          passed.push(row);
          continue;
        }
        try {
          if (step.broadcast) {
            // One encoding, sent to every partition.
            const r = record(row, keyOf(row));
            for (let partition = 0; partition < step.partitions; partition++) records.push({ ...r, partition });
            continue;
          }
          if (!step.retract || row.prior === undefined) {
            records.push(record(row, keyOf(row)));
            continue;
          }
          const oldKey = row.prior ? keyOf({ ...row, cols: row.prior, valueNull: false }) : null;
          const newKey = row.valueNull ? null : keyOf(row);
          if (row.prior && (row.valueNull || (oldKey && newKey && sameBytes(oldKey, newKey)))) records.push(record(row, oldKey));
          else {
            if (row.prior) records.push(record({ ...row, valueNull: true }, oldKey));
            if (!row.valueNull) records.push(record({ ...row, prior: null }, newKey));
          }
        } catch (e) {
          report(row, e);
        }
      }
      if (records.length) ctx.sideOutput(step.topic, records);
      return passed;
    },
  };
}
