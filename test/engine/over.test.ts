import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from './helpers.ts';

test('running aggregates: OVER (PARTITION BY), ROWS and RANGE frames', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM people (id INT KEY, name STRING, age INT) WITH (KAFKA_TOPIC='people', VALUE_FORMAT='JSON', PARTITIONS=1);
      INSERT INTO people (ROWTIME, id, name, age) VALUES (1000, 1, 'a', 10);
      INSERT INTO people (ROWTIME, id, name, age) VALUES (2000, 2, 'b', 20);
      INSERT INTO people (ROWTIME, id, name, age) VALUES (3000, 1, 'c', 30);
      INSERT INTO people (ROWTIME, id, name, age) VALUES (9000, 1, 'd', 40);
      CREATE STREAM running AS SELECT id, name, age,
        SUM(age) OVER (PARTITION BY id) AS total_age,
        SUM(age) OVER (PARTITION BY id ORDER BY ROWTIME ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS last_two,
        COUNT(*) OVER (PARTITION BY id ORDER BY ROWTIME RANGE BETWEEN INTERVAL '5' SECONDS PRECEDING AND CURRENT ROW) AS recent
        FROM people EMIT CHANGES;`);
    await t.engine.runUntilIdle();
    const out = (await readTopic(t.log, 'RUNNING')).map((r) => JSON.parse(text(r.value)!));
    assert.deepEqual(out, [
      { NAME: 'a', AGE: 10, TOTAL_AGE: 10, LAST_TWO: 10, RECENT: 1 },
      { NAME: 'b', AGE: 20, TOTAL_AGE: 20, LAST_TWO: 20, RECENT: 1 },
      { NAME: 'c', AGE: 30, TOTAL_AGE: 40, LAST_TWO: 40, RECENT: 2 },
      { NAME: 'd', AGE: 40, TOTAL_AGE: 80, LAST_TWO: 70, RECENT: 1 },
    ]);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
