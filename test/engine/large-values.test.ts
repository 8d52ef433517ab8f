/**
 * Large records on the embedded log (issue 14: "a 10 MB value is processed"): a 10 MB JSON value
 * goes through a projection, a filter and a GROUP BY between ordinary records, and comes out whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, removeDir, text } from './helpers.ts';

test('a 10 MB value is projected, filtered and aggregated like any other, between small records', { timeout: 120_000 }, async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM docs (id STRING KEY, body STRING, n INT) WITH (KAFKA_TOPIC='docs', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM sizes AS SELECT id, LEN(body) AS size, SUBSTRING(body, 1, 3) AS head, body FROM docs WHERE n > 0;
      CREATE TABLE totals AS SELECT id, COUNT(*) AS c, SUM(LEN(body)) AS total FROM docs GROUP BY id;`);
    const big = 'x'.repeat(10 * 1024 * 1024 - 3) + 'end';
    const rows = [
      { id: 'a', body: 'small', n: 1 },
      { id: 'big', body: big, n: 2 },
      { id: 'a', body: 'tiny', n: 3 },
    ];
    await t.log.producer().send(
      'docs',
      rows.map((r, i) => ({ key: Buffer.from(r.id), value: Buffer.from(JSON.stringify({ BODY: r.body, N: r.n })), timestamp: 1000 + i })),
    );
    await t.engine.runUntilIdle();
    const sizes = (await readTopic(t.log, 'SIZES')).map((r) => ({ key: text(r.key)!, value: JSON.parse(text(r.value)!) as { SIZE: number; HEAD: string; BODY: string } }));
    assert.deepEqual(sizes.map((r) => [r.key, r.value.SIZE, r.value.HEAD]), [['a', 5, 'sma'], ['big', big.length, 'xxx'], ['a', 4, 'tin']]);
    assert.equal(sizes[1].value.BODY, big);
    const totals = new Map((await readTopic(t.log, 'TOTALS')).map((r) => [text(r.key)!, JSON.parse(text(r.value)!) as { C: number; TOTAL: number }]));
    assert.deepEqual(totals.get('big'), { C: 1, TOTAL: big.length });
    assert.deepEqual(totals.get('a'), { C: 2, TOTAL: 9 });
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
