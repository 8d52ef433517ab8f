/** Push queries and PRINT come back unstarted; stopping one that never started ends at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, removeDir } from './helpers.ts';

test('a push query or PRINT stopped before it was started ends, and releases what it built', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM s (id STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const [push] = await t.engine.execute(`SELECT id, v + 1 AS w FROM s EMIT CHANGES LIMIT 3;`);
    assert.equal(push.kind, 'push');
    let ended: Error | null | undefined;
    if (push.kind === 'push') {
      push.query.onEnd = (e) => (ended = e);
      await push.query.stop();
      await push.query.done;
    }
    assert.equal(ended, null);
    const [print] = await t.engine.execute(`PRINT 's' FROM BEGINNING LIMIT 1;`);
    assert.equal(print.kind, 'print');
    if (print.kind === 'print') await print.print.stop();
    // A repartitioning push query's internal topic is removed again.
    const [grouped] = await t.engine.execute(`SELECT v, COUNT(*) FROM s GROUP BY v EMIT CHANGES;`);
    if (grouped.kind === 'push') await grouped.query.stop();
    assert.deepEqual((await t.log.listTopics()).map((x) => x.name).filter((n) => n.includes('transient')), []);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
