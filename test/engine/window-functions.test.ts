/**
 * Window functions over OVER (PARTITION BY ... ORDER BY ROWTIME): ROW_NUMBER, LAG (offset and
 * default), FIRST_VALUE, LAST_VALUE, per partition in arrival order; refused without OVER or
 * with another ORDER BY.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from './helpers.ts';

test('ROW_NUMBER, LAG, FIRST_VALUE, LAST_VALUE over OVER (PARTITION BY ... ORDER BY ROWTIME)', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM readings (id STRING KEY, site STRING, temp INT) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM enriched AS SELECT id, site, temp,
        ROW_NUMBER() OVER (PARTITION BY site ORDER BY ROWTIME) AS n,
        LAG(temp) OVER (PARTITION BY site ORDER BY ROWTIME) AS prev,
        LAG(temp, 2, -1) OVER (PARTITION BY site ORDER BY ROWTIME) AS prev2,
        FIRST_VALUE(temp) OVER (PARTITION BY site ORDER BY ROWTIME) AS first,
        LAST_VALUE(temp) OVER (PARTITION BY site ORDER BY ROWTIME) AS last
        FROM readings;
      INSERT INTO readings (id, site, temp, ROWTIME) VALUES ('r1', 'a', 10, 1);
      INSERT INTO readings (id, site, temp, ROWTIME) VALUES ('r2', 'b', 50, 2);
      INSERT INTO readings (id, site, temp, ROWTIME) VALUES ('r3', 'a', 11, 3);
      INSERT INTO readings (id, site, temp, ROWTIME) VALUES ('r4', 'a', 12, 4);
      INSERT INTO readings (id, site, temp, ROWTIME) VALUES ('r5', 'b', 51, 5);`);
    await t.engine.runUntilIdle();
    const out = (await readTopic(t.log, 'ENRICHED')).map((r) => JSON.parse(text(r.value)!));
    assert.deepEqual(
      out.map((v) => [v.SITE, v.TEMP, v.N, v.PREV, v.PREV2, v.FIRST, v.LAST]),
      [
        ['a', 10, 1, null, -1, 10, 10],
        ['b', 50, 1, null, -1, 50, 50],
        ['a', 11, 2, 10, -1, 10, 11],
        ['a', 12, 3, 11, 10, 10, 12],
        ['b', 51, 2, 50, -1, 50, 51],
      ],
    );
    await assert.rejects(t.engine.execute(`CREATE STREAM bad AS SELECT id, LAG(temp) AS p FROM readings;`), /needs an OVER clause/);
    await assert.rejects(
      t.engine.execute(`CREATE STREAM bad2 AS SELECT id, LAG(temp) OVER (PARTITION BY site ORDER BY temp) AS p FROM readings;`),
      /supports only ORDER BY ROWTIME/,
    );
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
