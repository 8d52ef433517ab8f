/**
 * Stream-stream joins: the window bounds of WITHIN (before, after), outer joins with and without
 * GRACE PERIOD, late records, and the order of records from the two sides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness } from './fixtures/harness.ts';

const STREAMS = `CREATE STREAM l (k STRING KEY, id INT) WITH (KAFKA_TOPIC='l', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM r (k STRING KEY, id INT) WITH (KAFKA_TOPIC='r', VALUE_FORMAT='JSON', PARTITIONS=1);`;

test('WITHIN (before, after): a right record joins from `before` before to `after` after the left one, bounds included; the result has the later time', async () => {
  await withHarness(async (h) => {
    await h.execute(STREAMS + `CREATE STREAM asym AS SELECT l.k AS k, l.id AS lid, r.id AS rid FROM l JOIN r WITHIN (1 SECOND, 2 SECONDS) ON l.k = r.k;`);
    await h.send('l', 'a', { ID: 1 }, 10_000);
    await h.send('r', 'a', { ID: 1 }, 8_999); // 1001 ms before: out
    await h.send('r', 'a', { ID: 2 }, 9_000); // 1000 ms before: in
    await h.send('r', 'a', { ID: 3 }, 12_000); // 2000 ms after: in
    await h.send('r', 'a', { ID: 4 }, 12_001); // out
    await h.send('r', 'b', { ID: 5 }, 10_000); // other key
    await h.send('l', 'a', { ID: 6 }, 11_000); // arriving after the right records: joins those in [10 s, 13 s] (r3, r4)
    assert.deepEqual(await h.read('ASYM'), [
      { key: 'a', value: { LID: 1, RID: 2 }, ts: 10_000 },
      { key: 'a', value: { LID: 1, RID: 3 }, ts: 12_000 },
      { key: 'a', value: { LID: 6, RID: 3 }, ts: 12_000 },
      { key: 'a', value: { LID: 6, RID: 4 }, ts: 12_001 },
    ]);
  });
});

test('FULL OUTER join WITH GRACE PERIOD: a record without a match is padded once its window and grace have passed, not before', async () => {
  await withHarness(async (h) => {
    await h.execute(STREAMS + `CREATE STREAM fo AS SELECT ROWKEY AS k, l.id AS lid, r.id AS rid FROM l FULL OUTER JOIN r WITHIN 1 SECOND GRACE PERIOD 1 SECOND ON l.k = r.k;`);
    await h.send('l', 'a', { ID: 1 }, 10_000);
    await h.send('r', 'a', { ID: 2 }, 10_500); // match
    await h.send('l', 'b', { ID: 3 }, 11_000); // never matched: due at 11 000 + 1 000 + 1 000
    await h.send('r', 'c', { ID: 4 }, 11_500); // never matched: due at 13 500
    await h.send('r', 'x', { ID: 5 }, 12_999); // stream time 12 999: nothing due yet
    assert.deepEqual(await h.read('FO'), [{ key: 'a', value: { LID: 1, RID: 2 }, ts: 10_500 }]);
    await h.send('r', 'x', { ID: 6 }, 13_000); // stream time 13 000: l b 3 is due
    await h.send('l', 'b', { ID: 7 }, 13_400); // no partner: pending until 15 400
    await h.send('l', 'x', { ID: 8 }, 13_500); // joins r x 5 (501 ms before) and r x 6; stream time 13 500: r c 4 is due
    const out = await h.read('FO');
    assert.deepEqual(out.slice(0, 2), [
      { key: 'a', value: { LID: 1, RID: 2 }, ts: 10_500 },
      { key: 'b', value: { LID: 3, RID: null }, ts: 11_000 },
    ]);
    assert.deepEqual(
      out.slice(2).sort((p, q) => p.ts - q.ts || String(p.value?.RID).localeCompare(String(q.value?.RID))),
      [
        { key: 'c', value: { LID: null, RID: 4 }, ts: 11_500 },
        { key: 'x', value: { LID: 8, RID: 5 }, ts: 13_500 },
        { key: 'x', value: { LID: 8, RID: 6 }, ts: 13_500 },
      ],
    );
  });
});

test('LEFT join without GRACE PERIOD: an unmatched left record is padded at once, and a later match is emitted too', async () => {
  await withHarness(async (h) => {
    await h.execute(STREAMS + `CREATE STREAM eager AS SELECT l.k AS k, l.id AS lid, r.id AS rid FROM l LEFT JOIN r WITHIN 1 SECOND ON l.k = r.k;`);
    await h.send('l', 'a', { ID: 1 }, 10_000);
    await h.send('r', 'a', { ID: 2 }, 10_500);
    await h.send('r', 'b', { ID: 3 }, 10_600); // right records are never padded in a LEFT join
    assert.deepEqual(await h.read('EAGER'), [
      { key: 'a', value: { LID: 1, RID: null }, ts: 10_000 },
      { key: 'a', value: { LID: 1, RID: 2 }, ts: 10_500 },
    ]);
  });
});

test('out of order past its window: an outer-side record is padded at once, still joins what the other buffer holds, and is reported when its own buffer has moved past it', async () => {
  await withHarness(async (h) => {
    await h.execute(STREAMS + `CREATE STREAM fo AS SELECT ROWKEY AS k, l.id AS lid, r.id AS rid FROM l FULL OUTER JOIN r WITHIN 1 SECOND GRACE PERIOD 1 SECOND ON l.k = r.k;`);
    await h.send('l', 'a', { ID: 1 }, 20_000);
    // 1 000 + 1 000 < 20 000: its window ended in stream time; the right buffer has seen nothing newer, so it is kept.
    await h.send('r', 'b', { ID: 2 }, 1_000);
    // The left buffer is at 20 000: a left record at 1 500 is too old for it (1 500 + 3 000 < 20 000), but it
    // still joins the right record the right buffer holds.
    await h.send('l', 'b', { ID: 3 }, 1_500);
    const out = await h.read('FO');
    assert.deepEqual(
      out.map((o) => o.value),
      [
        { LID: null, RID: 2 },
        { LID: 3, RID: 2 },
      ],
    );
    const late = (await h.processingLog()).filter((e) => e.type === 'LATE_RECORD_DROPPED');
    assert.equal(late.length, 1, 'the record its buffer did not keep is reported');
    assert.equal(late[0].queryId, 'CSAS_FO_0');
  });
});

test(
  'all input already in the log: the record times, not the topic order, decide what joins (small grace)',
  async () => {
    await withHarness(async (h) => {
      await h.execute(STREAMS + `CREATE STREAM j AS SELECT l.k AS k, l.id AS lid, r.id AS rid FROM l JOIN r WITHIN 1 SECOND GRACE PERIOD 1 SECOND ON l.k = r.k;`);
      // Whichever topic a batch starts with, its last record is 30 s ahead of the other's first ones.
      await h.append('l', [['a', { ID: 1 }, 1000], ['b', { ID: 2 }, 1200], ['x', { ID: 3 }, 30_000]]);
      await h.append('r', [['b', { ID: 4 }, 1100], ['a', { ID: 5 }, 1300], ['y', { ID: 6 }, 30_000]]);
      await h.run();
      assert.deepEqual(await h.read('J'), [
        { key: 'b', value: { LID: 2, RID: 4 }, ts: 1200 },
        { key: 'a', value: { LID: 1, RID: 5 }, ts: 1300 },
      ]);
    });
  },
);
