/**
 * Records of several sources are processed in timestamp order across batches (Kafka Streams'
 * PartitionGroup): a stream record waits while another source of its task still has older data
 * in the log that the consumer has not fetched yet, for at most max.task.idle.ms when that data
 * does not come. Here every table row is older than every stream record, and all input is in the
 * log before the query starts: each stream record must join the table as of its time (all rows),
 * however the consumer interleaves its fetches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness } from './fixtures/harness.ts';

const TABLE_ROWS = Number(process.env.RIFFLE_TIME_ORDER_TABLE ?? 20_000);
const STREAM_ROWS = Number(process.env.RIFFLE_TIME_ORDER_STREAM ?? 60_000);

test(`stream-table join, table rows (${TABLE_ROWS}) all older than the stream records (${STREAM_ROWS}), all in the log before the query: every stream record joined, no stall`, { timeout: 600_000 }, async () => {
  await withHarness(async (h) => {
    await h.execute(`CREATE STREAM clicks (user STRING KEY, page INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=4);
      CREATE TABLE users (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=4);`);
    const CHUNK = 20_000;
    // The stream is written first: the log order is the opposite of the time order.
    for (let i = 0; i < STREAM_ROWS; i += CHUNK) {
      await h.append('clicks', Array.from({ length: Math.min(CHUNK, STREAM_ROWS - i) }, (_, j) => [`u${((i + j) * 7919) % TABLE_ROWS}`, { PAGE: i + j }, 10_000_000 + i + j] as const));
    }
    for (let i = 0; i < TABLE_ROWS; i += CHUNK) {
      await h.append('users', Array.from({ length: Math.min(CHUNK, TABLE_ROWS - i) }, (_, j) => [`u${i + j}`, { NAME: `n${i + j}` }, 1_000 + i + j] as const));
    }
    await h.execute(`CREATE STREAM enriched AS SELECT c.user AS user, c.page AS page, u.name AS name FROM clicks c LEFT JOIN users u ON c.user = u.id;`);
    const t0 = performance.now();
    await h.run();
    const ms = performance.now() - t0;
    const out = await h.read('ENRICHED');
    assert.equal(out.length, STREAM_ROWS, 'one output per stream record');
    const unjoined = out.filter((o) => o.value?.NAME !== `n${o.key!.slice(1)}`);
    assert.equal(unjoined.length, 0, `${unjoined.length} stream records joined before their table row was read, e.g. ${JSON.stringify(unjoined.slice(0, 3))}`);
    console.log(`time order: ${STREAM_ROWS} stream records joined with ${TABLE_ROWS} older table rows in ${ms.toFixed(0)} ms`);
  });
});
