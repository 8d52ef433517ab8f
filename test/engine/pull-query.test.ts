import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, removeDir } from './helpers.ts';

test('pull queries: lookup by key, range, scan and LIMIT on an aggregated table', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`
      CREATE STREAM clicks (user STRING KEY, page STRING, ms INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
      INSERT INTO clicks (user, page, ms) VALUES ('ann', 'a', 10);
      INSERT INTO clicks (user, page, ms) VALUES ('bob', 'b', 20);
      INSERT INTO clicks (user, page, ms) VALUES ('ann', 'c', 30);
      INSERT INTO clicks (user, page, ms) VALUES ('cid', 'a', 5);
      CREATE TABLE per_user AS SELECT user, COUNT(*) AS n, SUM(ms) AS total FROM clicks GROUP BY user;`);
    await t.engine.runUntilIdle();
    const rows = async (sql: string) => {
      const [r] = await t.engine.execute(sql);
      assert.equal(r.kind, 'table');
      return r.kind === 'table' ? r.rows : [];
    };
    assert.deepEqual(await rows(`SELECT * FROM per_user WHERE user = 'ann';`), [['ann', 2, 40]]);
    assert.deepEqual([...(await rows(`SELECT user, total FROM per_user WHERE user >= 'b';`))].sort(), [['bob', 20], ['cid', 5]]);
    assert.deepEqual(await rows(`SELECT user FROM per_user WHERE total > 15 AND n = 1;`), [['bob']]);
    assert.equal((await rows(`SELECT * FROM per_user LIMIT 2;`)).length, 2);
    await assert.rejects(t.engine.execute(`SELECT * FROM clicks;`), /only supported on tables/);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
