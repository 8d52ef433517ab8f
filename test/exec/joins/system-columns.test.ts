/**
 * System columns of join sources: `alias.ROWTIME`, `alias.ROWPARTITION` and `alias.ROWOFFSET` are
 * each source's own record's (ksqlDB's join inputs carry them in their value), whichever side
 * triggered the result and whether that side was stored; `SELECT *` after PARTITION BY over a join
 * lists them as ALIAS_ROWTIME, ALIAS_ROWPARTITION, ALIAS_ROWOFFSET.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness } from './fixtures/harness.ts';

test('stream-table and stream-stream joins: each side keeps its own record offset and time', async () => {
  await withHarness(async (h) => {
    await h.execute(`CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM s2 (k STRING KEY, w INT) WITH (KAFKA_TOPIC='s2', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE t (k STRING PRIMARY KEY, n INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM st AS SELECT s.k AS k, s.ROWOFFSET AS so, t.ROWOFFSET AS tof, t.ROWTIME AS tt, t.ROWPARTITION AS tp FROM s JOIN t ON s.k = t.k;
CREATE STREAM ss AS SELECT s.k AS k, s.ROWOFFSET AS so, s2.ROWOFFSET AS s2o FROM s JOIN s2 WITHIN 1 MINUTE ON s.k = s2.k;
CREATE STREAM star AS SELECT * FROM s JOIN s2 WITHIN 1 MINUTE ON s.k = s2.k PARTITION BY s.v;`);
    await h.send('t', 'x', { N: 1 }, 1000); // t offset 0
    await h.send('t', 'y', { N: 2 }, 1100); // t offset 1
    await h.send('t', 'a', { N: 3 }, 1200); // t offset 2
    await h.send('s', 'a', { V: 7 }, 2000); // s offset 0
    await h.send('s2', 'z', { W: 0 }, 2100); // s2 offset 0
    await h.send('s2', 'a', { W: 9 }, 3000); // s2 offset 1: joins the stored s record (offset 0)
    assert.deepEqual(await h.read('ST'), [{ key: 'a', value: { SO: 0, TOF: 2, TT: 1200, TP: 0 }, ts: 2000 }]);
    assert.deepEqual(await h.read('SS'), [{ key: 'a', value: { SO: 0, S2O: 1 }, ts: 3000 }]);
    // The key (S.V, an INT) is read back as its KAFKA-format bytes.
    assert.deepEqual(await h.read('STAR'), [
      {
        key: '\x00\x00\x00\x07',
        value: { S_ROWTIME: 2000, S_ROWPARTITION: 0, S_ROWOFFSET: 0, S_K: 'a', S2_W: 9, S2_ROWTIME: 3000, S2_ROWPARTITION: 0, S2_ROWOFFSET: 1, S2_K: 'a' },
        ts: 3000,
      },
    ]);
  });
});
