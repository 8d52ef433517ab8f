/**
 * Planning is linear in the size of the query: ten times the GROUP BY terms (or a ten times
 * longer expression) costs about ten times as much, not a hundred (measured as a ratio in the
 * same run, and as CPU time, so a loaded machine does not matter much).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, removeDir } from '../engine/helpers.ts';

const groupBy = (n: number) => {
  const terms = Array.from({ length: n }, (_, i) => `a + ${i}`);
  return `EXPLAIN CREATE TABLE t AS SELECT ${terms.join(', ')}, COUNT(*) AS c, SUM(${terms.slice(0, 200).join(' + ')}) AS s FROM s GROUP BY ${terms.join(', ')};`;
};

test('planning a GROUP BY is linear in its number of terms (3,000 terms well under a second)', async () => {
  const t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM s (k STRING KEY, a INT) WITH (KAFKA_TOPIC='s', FORMAT='JSON', PARTITIONS=1);`);
    const time = async (sql: string): Promise<number> => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        // CPU time of the process, not wall time: other work on a shared machine does not count.
        const c0 = process.cpuUsage();
        await t.engine.execute(sql);
        const c = process.cpuUsage(c0);
        runs.push((c.user + c.system) / 1000);
      }
      return runs.sort((a, b) => a - b)[1];
    };
    await time(groupBy(100)); // warm up
    const small = await time(groupBy(300));
    const large = await time(groupBy(3000));
    assert.ok(large < 1000, `3,000 terms took ${large.toFixed(0)} ms`);
    assert.ok(large / small < 30, `10x the terms took ${(large / small).toFixed(1)}x the time (${small.toFixed(0)} -> ${large.toFixed(0)} ms)`);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
