/**
 * Keys of any size up to the record size limit: a GROUP BY key or join key above LMDB's key limit
 * (1978 bytes; here 1 MB) is aggregated and joined like any other, and the queries stay RUNNING.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness } from './fixtures/harness.ts';

test('a 1 MB key is aggregated (GROUP BY) and joined (stream-table), next to small keys; the queries keep running', { timeout: 120_000 }, async () => {
  await withHarness(async (h) => {
    const big = 'k'.repeat(1 << 20);
    const mid = 'm'.repeat(3000);
    await h.execute(`CREATE STREAM clicks (user STRING KEY, v INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE users (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE totals AS SELECT user, COUNT(*) AS n, SUM(v) AS total FROM clicks GROUP BY user EMIT CHANGES;
      CREATE TABLE windowed AS SELECT user, COUNT(*) AS n FROM clicks WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY user EMIT CHANGES;
      CREATE STREAM enriched AS SELECT c.user AS user, c.v AS v, u.name AS name FROM clicks c JOIN users u ON c.user = u.id;`);
    await h.send('users', big, { NAME: 'big' }, 1);
    await h.send('users', mid, { NAME: 'mid' }, 2);
    await h.send('users', 'a', { NAME: 'small' }, 3);
    let ts = 10;
    for (const [user, v] of [[big, 1], ['a', 2], [mid, 3], [big, 4], [mid, 5], [big, 6]] as const) await h.send('clicks', user, { V: v }, ts++);
    const totals = new Map((await h.read('TOTALS')).map((o) => [o.key, o.value]));
    assert.deepEqual(totals.get(big), { N: 3, TOTAL: 11 });
    assert.deepEqual(totals.get(mid), { N: 2, TOTAL: 8 });
    assert.deepEqual(totals.get('a'), { N: 1, TOTAL: 2 });
    // Window store keys: the key followed by the window start.
    const windowed = (await h.read('WINDOWED')).filter((o) => o.key?.startsWith('kkkk'));
    assert.deepEqual(windowed.map((o) => o.value), [{ N: 1 }, { N: 2 }, { N: 3 }]);
    const joined = (await h.read('ENRICHED')).map((o) => [o.key === big ? 'BIG' : o.key === mid ? 'MID' : o.key, o.value]);
    assert.deepEqual(joined, [
      ['BIG', { V: 1, NAME: 'big' }],
      ['a', { V: 2, NAME: 'small' }],
      ['MID', { V: 3, NAME: 'mid' }],
      ['BIG', { V: 4, NAME: 'big' }],
      ['MID', { V: 5, NAME: 'mid' }],
      ['BIG', { V: 6, NAME: 'big' }],
    ]);
    for (const [id, q] of h.t.engine.tasks) assert.notEqual(q.state, 'ERROR', `${id}: ${q.error?.message}`);
  });
});
