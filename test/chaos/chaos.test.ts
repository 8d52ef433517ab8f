/**
 * Short chaos run (in `npm test`): the kill -9 loop of ./runner.ts over windowed aggregation,
 * stream-stream join, stream-table join and training a model per key on the embedded log, a few kills: the same results and
 * the same number of output records as the uninterrupted run (exactly-once outputs). The long run
 * (500K records, 30 kills) is `npm run chaos` (./main.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from './runner.ts';

test('kill -9 loop (windowed COUNT/SUM, stream-stream join, stream-table join, model training): the same results as an uninterrupted run', { timeout: 300_000 }, async (t) => {
  const r = await runChaos({ clicks: 30_000, keys: 300, kills: 4, minGapMs: 300, maxGapMs: 1200, log: (l) => t.diagnostic(l) });
  const c = r.comparison;
  t.diagnostic(`${r.killsLanded} kills, ${r.lives} lives; ${JSON.stringify(c)}`);
  assert.ok(r.killsLanded >= 2, `kills landed before the input was consumed: ${r.killsLanded}`);
  // The reference itself: every click joined the (older) table row of its user.
  assert.equal(r.reference.ST.filter((o) => o.name === null).length, 0, 'reference: every click joined its user');
  assert.ok(c.agg.windows > 1000, `many windows: ${c.agg.windows}`);
  assert.deepEqual({ wrong: c.agg.wrong, missing: c.agg.missing, extra: c.agg.extra }, { wrong: 0, missing: 0, extra: 0 }, 'windowed aggregation: final values');
  assert.deepEqual({ missing: c.ss.missing, madeUp: c.ss.madeUp }, { missing: 0, madeUp: 0 }, 'stream-stream join: pairs');
  assert.deepEqual({ missing: c.st.missing, wrong: c.st.wrong }, { missing: 0, wrong: 0 }, 'stream-table join: one result per click, joined as of its time');
  assert.ok(c.model.models > 100 && c.model.referenceRows === 30_000, `a model per user, every click learned once: ${JSON.stringify(c.model)}`);
  assert.deepEqual({ different: c.model.different, missing: c.model.missing, rows: c.model.rows }, { different: 0, missing: 0, rows: 30_000 }, 'training: every per-user model bit for bit as uninterrupted');
  // Exactly-once outputs (the embedded log's default): nothing written twice.
  assert.deepEqual(
    { agg: c.agg.outputs, ss: c.ss.outputs, st: c.st.outputs, ssRepeated: c.ss.repeated, stRepeated: c.st.repeated },
    { agg: c.agg.referenceOutputs, ss: r.reference.SS.length, st: r.reference.ST.length, ssRepeated: 0, stRepeated: 0 },
    'as many output records as the uninterrupted run, none repeated',
  );
});
