import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from './helpers.ts';
import { decodeWindowedKey } from '../../src/serde/windowed-key.ts';

test('SLIDING windows: one window per record over the size before it; out-of-order records update later windows', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM temps (dev STRING KEY, v INT) WITH (KAFKA_TOPIC='temps', VALUE_FORMAT='JSON', PARTITIONS=1);
      INSERT INTO temps (ROWTIME, dev, v) VALUES (1000, 'd', 1);
      INSERT INTO temps (ROWTIME, dev, v) VALUES (4000, 'd', 2);
      INSERT INTO temps (ROWTIME, dev, v) VALUES (7000, 'd', 4);
      INSERT INTO temps (ROWTIME, dev, v) VALUES (3000, 'd', 8);
      INSERT INTO temps (ROWTIME, dev, v) VALUES (100, 'd', 100);
      CREATE TABLE sums AS SELECT dev, SUM(v) AS total, COUNT(*) AS n FROM temps
        WINDOW SLIDING (SIZE 5 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY dev EMIT CHANGES;`);
    await t.engine.runUntilIdle();
    const out = (await readTopic(t.log, 'SUMS')).map((r) => {
      const wk = decodeWindowedKey(r.key!, { kind: 'SLIDING', sizeMs: 5000 })!;
      return [wk.start, wk.end, JSON.parse(text(r.value)!).TOTAL];
    });
    assert.deepEqual(out, [
      [-4000, 1000, 1],
      [-1000, 4000, 3],
      [2000, 7000, 6],
      [-2000, 3000, 9], // out of order: its own window...
      [-1000, 4000, 11], // ...and the later windows that now include it
      [2000, 7000, 14],
      // 100 ms is older than stream time (7000) − grace (5000): dropped
    ]);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
