/**
 * Turns consumed log records into rows: key and value deserialised with the source's formats,
 * the event time taken from the record or from the TIMESTAMP column. A record that cannot be
 * read goes to the processing log with its topic, partition and offset, and is skipped.
 */
import type { ConsumedRecord } from '../log/log.ts';
import type { SourceStep } from '../plan/steps.ts';
import type { Row } from './expr/row.ts';
import type { ProcessingLog } from './processing-log.ts';
import { createSerde } from '../serde/index.ts';
import { eventTimeReader } from './event-time.ts';
import { decodeWindowedKey } from '../serde/windowed-key.ts';
import { decodeInternalRow } from './internal-rows.ts';
import type { InternalInput } from './build.ts';

export type SourceDecoder = (records: readonly ConsumedRecord[]) => Row[];

export function sourceDecoder(step: SourceStep, queryId: string, errors: ProcessingLog): SourceDecoder {
  const { formats } = step.binding;
  const keySerde = createSerde(formats.keyFormat, step.schema.key, {
    isKey: true,
    wrapSingleValue: false,
    delimiter: formats.keyDelimiter,
  });
  const dataColumns = step.schema.value.filter((c) => !c.header);
  const headerColumns = step.schema.value.map((c, i) => ({ c, i })).filter((x) => x.c.header);
  const valueSerde = createSerde(formats.valueFormat, dataColumns, {
    isKey: false,
    wrapSingleValue: formats.wrapSingleValue,
    delimiter: formats.valueDelimiter,
  });
  const keyCount = step.schema.key.length;
  const window = step.window;
  const valueCount = step.schema.value.length;
  const width = keyCount + valueCount;
  const readTime = step.timestamp ? eventTimeReader(step.timestamp.column, step.timestamp.format, step.schema) : null;
  // Without key or header columns the value columns are the row, in order: the JSON serde's
  // fresh array per record is used as the row's columns instead of being copied.
  const valuesAreCols = keyCount === 0 && headerColumns.length === 0 && formats.valueFormat === 'JSON';
  const report = (rec: ConsumedRecord, target: 'key' | 'value', e: unknown) =>
    errors.report({
      type: 'DESERIALIZATION_ERROR',
      queryId,
      step: step.name,
      reason: `Failed to deserialise ${target} of ${rec.topic}/${rec.partition}@${rec.offset}: ${(e as Error).message}`,
      topic: rec.topic,
      partition: rec.partition,
      offset: rec.offset,
      recordBase64: (target === 'key' ? rec.key : rec.value) ? Buffer.from((target === 'key' ? rec.key : rec.value)!).toString('base64') : null,
    });

  // A table's row needs a key: Kafka Streams' table source skips a record without one.
  const dropNullKeys = step.sourceType === 'TABLE' && keyCount > 0;
  return (records) => {
    const rows: Row[] = [];
    for (let r = 0; r < records.length; r++) {
      const rec = records[r];
      if (dropNullKeys && rec.key === null) continue;
      let key: unknown[] | null;
      let value: unknown[] | null;
      let windowStart: number | null = null;
      let windowEnd: number | null = null;
      let keyBytes = rec.key;
      if (window && keyBytes) {
        const wk = decodeWindowedKey(keyBytes, window);
        if (!wk) {
          report(rec, 'key', new Error('windowed key too short to hold its window'));
          continue;
        }
        keyBytes = wk.key.length ? wk.key : null;
        windowStart = wk.start;
        windowEnd = wk.end;
      }
      try {
        key = keyCount ? keySerde.deserialize(keyBytes) : null;
      } catch (e) {
        report(rec, 'key', e);
        continue;
      }
      try {
        value = valueSerde.deserialize(rec.value);
      } catch (e) {
        report(rec, 'value', e);
        continue;
      }
      const valueNull = rec.value === null && dataColumns.length > 0;
      let cols: unknown[];
      if (valuesAreCols && value !== null && value.length === width) {
        // The deserialiser's array is this record's own (JSON builds one per call): it is the row.
        cols = value;
      } else {
        cols = new Array(width);
        for (let i = 0; i < keyCount; i++) cols[i] = key ? key[i] : null;
      }
      if (cols === value) {
        // Already in place.
      } else if (headerColumns.length === 0) {
        for (let i = 0; i < valueCount; i++) cols[keyCount + i] = value ? value[i] : null;
      } else {
        let d = 0;
        for (let i = 0; i < valueCount; i++) {
          const hc = step.schema.value[i].header;
          cols[keyCount + i] = hc ? headerValue(rec, hc.key) : value ? value[d++] : null;
        }
      }
      const row: Row = {
        cols,
        ts: rec.timestamp,
        partition: rec.partition,
        offset: rec.offset,
        windowStart,
        windowEnd,
        headers: rec.headers,
        valueNull,
        keyNull: rec.key === null,
      };
      if (readTime) {
        const ts = readTime(row);
        if (ts === null) {
          errors.report({
            type: 'DESERIALIZATION_ERROR',
            queryId,
            step: step.name,
            reason: `Invalid or missing timestamp in ${rec.topic}/${rec.partition}@${rec.offset}`,
            topic: rec.topic,
            partition: rec.partition,
            offset: rec.offset,
          });
          continue;
        }
        row.ts = ts;
      }
      rows.push(row);
    }
    return rows;
  };
}

/** HEADERS (all, as ARRAY<STRUCT<KEY, VALUE>>) or HEADER('k') (the last value of k, as BYTES). */
function headerValue(rec: ConsumedRecord, key: string | null): unknown {
  if (key === null) return rec.headers.map((h) => ({ KEY: h.key, VALUE: h.value }));
  let found: Uint8Array | null = null;
  for (const h of rec.headers) if (h.key === key) found = h.value;
  return found;
}

/**
 * Decoding for queries over several sources (joins): records are decoded by the source(s) of
 * their topic and tagged with the source's index (`Row.side`), keeping the records' order.
 */
export function multiSourceDecoder(steps: readonly SourceStep[], queryId: string, errors: ProcessingLog): SourceDecoder {
  if (steps.length === 1) return sourceDecoder(steps[0], queryId, errors);
  const byTopic = new Map<string, { side: number; decode: SourceDecoder }[]>();
  steps.forEach((step, side) => {
    const list = byTopic.get(step.binding.topic) ?? [];
    list.push({ side, decode: sourceDecoder(step, queryId, errors) });
    byTopic.set(step.binding.topic, list);
  });
  return (records) => {
    const rows: Row[] = [];
    for (const rec of records) {
      for (const d of byTopic.get(rec.topic) ?? []) {
        for (const row of d.decode([rec])) {
          row.side = d.side;
          rows.push(row);
        }
      }
    }
    return rows;
  };
}

/**
 * Records of a batch that enter the operator chain at operator `entry` (0: the start), in order:
 * source records (`internal` false) or records of the pipeline's repartition topics.
 */
export interface Run {
  readonly entry: number;
  readonly internal: boolean;
  readonly records: ConsumedRecord[];
}

/**
 * A batch is split into runs first (no decoding), and each run is decoded a slice at a time just
 * before that slice goes through the operators, so that decoded rows live for one slice only
 * rather than for the whole batch. (In Nexmark q7, repartitioned rows were over 40% of what the
 * old generation received; that was V8 pretenuring their allocation site, which
 * src/engine/memory-flags.ts turns off, and slicing alone changed little, 982 → 971 MB.)
 */
export interface BatchDecoder {
  /** The batch in time order as runs of consecutive records with the same entry (one run may be `records` itself). */
  runs(records: ConsumedRecord[]): Run[];
  /** The rows of some records of `run` (a slice of run.records, in order). */
  rows(run: Run, records: readonly ConsumedRecord[]): Row[];
}

/**
 * Decoding for a whole pipeline: source records enter at the start; records of the pipeline's
 * internal (repartition) topics are rows in the internal encoding that enter after their
 * repartition.
 */
export function pipelineDecoder(
  sources: readonly SourceStep[],
  internal: readonly InternalInput[],
  queryId: string,
  errors: ProcessingLog,
): BatchDecoder {
  const decodeSources = multiSourceDecoder(sources, queryId, errors);
  const byTopic = new Map(internal.map((i) => [i.step.topic, i]));
  const decodeInternal = (rec: ConsumedRecord, input: InternalInput): Row | null => {
    try {
      if (rec.value === null) throw new Error('no value');
      const row = decodeInternalRow(rec);
      row.side = input.side;
      return row;
    } catch (e) {
      errors.report({
        type: 'DESERIALIZATION_ERROR',
        queryId,
        step: input.step.name,
        reason: `Failed to read the internal record ${rec.topic}/${rec.partition}@${rec.offset}: ${(e as Error).message}`,
        topic: rec.topic,
        partition: rec.partition,
        offset: rec.offset,
      });
      return null;
    }
  };
  return {
    runs(records) {
      // One source and no repartition: the batch as polled (each partition in offset order).
      if (byTopic.size === 0 && sources.length === 1) return [{ entry: 0, internal: false, records }];
      const runs: Run[] = [];
      for (const rec of inTimeOrder(records)) {
        const input = byTopic.get(rec.topic);
        const entry = input ? input.entry : 0;
        const last = runs[runs.length - 1];
        if (last && last.entry === entry && last.internal === (input !== undefined)) last.records.push(rec);
        else runs.push({ entry, internal: input !== undefined, records: [rec] });
      }
      return runs;
    },
    rows(run, records) {
      if (!run.internal) return decodeSources(records);
      const rows: Row[] = [];
      for (const rec of records) {
        const row = decodeInternal(rec, byTopic.get(rec.topic)!);
        if (row) rows.push(row);
      }
      return rows;
    },
  };
}

/**
 * Orders a batch read from several topic-partitions as Kafka Streams does: each partition's
 * records keep their offset order, and the next record processed is the one with the lowest
 * timestamp among the partitions' heads (ties: the partition met first). A join then sees both
 * sides in time order, whatever order the consumer fetched them in.
 */
function inTimeOrder(records: readonly ConsumedRecord[]): readonly ConsumedRecord[] {
  // A poll returns each partition's records together: the list is looked up when the partition
  // changes, not per record.
  const lists: ConsumedRecord[][] = [];
  const index = new Map<string, number>();
  let lastTopic: string | null = null;
  let lastPartition = -1;
  let list: ConsumedRecord[] = [];
  for (let n = 0; n < records.length; n++) {
    const r = records[n];
    if (r.partition !== lastPartition || r.topic !== lastTopic) {
      const k = `${r.topic}\u0000${r.partition}`;
      let i = index.get(k);
      if (i === undefined) {
        i = lists.length;
        lists.push([]);
        index.set(k, i);
      }
      list = lists[i];
      lastTopic = r.topic;
      lastPartition = r.partition;
    }
    list.push(r);
  }
  if (lists.length < 2) return records;
  const heads = lists.map(() => 0);
  const out: ConsumedRecord[] = new Array(records.length);
  for (let n = 0; n < records.length; n++) {
    let best = -1;
    let bestTs = 0;
    for (let i = 0; i < lists.length; i++) {
      const l = lists[i];
      if (heads[i] >= l.length) continue;
      const ts = l[heads[i]].timestamp;
      if (best < 0 || ts < bestTs) {
        best = i;
        bestTs = ts;
      }
    }
    out[n] = lists[best][heads[best]++];
  }
  return out;
}
