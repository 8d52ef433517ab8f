/**
 * The byte budget of the state caches (statestore.cache.max.bytes, docs/state.md): read when the
 * engine opens, refused when invalid, honoured by a windowed aggregation, which then gives the
 * same results as with the default budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STATE_CACHE_BYTES } from '../../src/engine/engine.ts';
import { testEngine, removeDir, readTopic } from './helpers.ts';

test('statestore.cache.max.bytes sets the budget of all state caches; an invalid value refuses to open', async () => {
  const plain = await testEngine();
  assert.equal(plain.engine.stores.cacheBudget.maxBytes, DEFAULT_STATE_CACHE_BYTES);
  await plain.close();
  removeDir(plain.dir);
  const set = await testEngine({ properties: { 'auto.offset.reset': 'earliest', 'ksql.streams.statestore.cache.max.bytes': '1048576' } });
  assert.equal(set.engine.stores.cacheBudget.maxBytes, 1_048_576);
  await set.close();
  removeDir(set.dir);
  await assert.rejects(testEngine({ properties: { 'statestore.cache.max.bytes': '10MB' } }), /statestore.cache.max.bytes must be a non-negative integer \(bytes\), got '10MB'/);
  await assert.rejects(testEngine({ properties: { 'statestore.cache.max.bytes': ' ' } }), /must be a non-negative integer \(bytes\), got ' '/);
});

test('riffle.memory.idle.release.ms: a value that is not a non-negative integer refuses to open (it used to turn the release off silently)', async () => {
  for (const bad of ['10s', '-1', '1.5', '']) {
    await assert.rejects(testEngine({ properties: { 'riffle.memory.idle.release.ms': bad } }), new RegExp(`riffle.memory.idle.release.ms must be a non-negative integer \\(ms\\), got '${bad.replace('.', '\\.')}'`));
  }
  const off = await testEngine({ properties: { 'riffle.memory.idle.release.ms': '0' } });
  await off.close();
  removeDir(off.dir);
});

test('riffle.memory.heap.growing.percent: a value that is not a non-negative integer refuses to open', async () => {
  for (const bad of ['100%', '-1', '1.5', '']) {
    await assert.rejects(testEngine({ properties: { 'riffle.memory.heap.growing.percent': bad } }), new RegExp(`riffle.memory.heap.growing.percent must be a non-negative integer \\(percent\\), got '${bad.replace('.', '\\.')}'`));
  }
  const own = await testEngine({ properties: { 'riffle.memory.heap.growing.percent': '0' } });
  await own.close();
  removeDir(own.dir);
});

async function hoppingCounts(budget: string | null): Promise<{ finals: Map<string, number>; used: number; max: number }> {
  const properties: Record<string, string> = { 'auto.offset.reset': 'earliest' };
  if (budget !== null) properties['statestore.cache.max.bytes'] = budget;
  const t = await testEngine({ properties });
  try {
    const inserts: string[] = [];
    for (let i = 0; i < 600; i++) inserts.push(`INSERT INTO bids (auction, price, ROWTIME) VALUES (${(i * 37) % 50}, ${i}, ${1000 + i * 100});`);
    await t.engine.execute(`CREATE STREAM bids (auction BIGINT KEY, price BIGINT) WITH (KAFKA_TOPIC='bids', VALUE_FORMAT='JSON', PARTITIONS=2);
      ${inserts.join('\n')}
      CREATE TABLE counts AS SELECT auction, COUNT(*) AS n, MAX(price) AS top FROM bids WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS) GROUP BY auction;`);
    await t.engine.runUntilIdle();
    const budgetNow = t.engine.stores.cacheBudget;
    const finals = new Map<string, number>();
    for (const r of await readTopic(t.log, 'COUNTS')) finals.set(Buffer.from(r.key!).toString('hex'), JSON.parse(Buffer.from(r.value!).toString()).N);
    return { finals, used: budgetNow.usedBytes, max: budgetNow.maxBytes };
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

test('a windowed aggregation within a tiny cache budget gives the same results as with the default', async () => {
  const tiny = await hoppingCounts('2000');
  const plain = await hoppingCounts(null);
  assert.ok(tiny.used <= tiny.max, `budget used ${tiny.used} of ${tiny.max}`);
  assert.equal(plain.finals.size, tiny.finals.size);
  assert.ok(plain.finals.size > 100);
  assert.deepEqual(tiny.finals, plain.finals);
  let total = 0;
  for (const n of plain.finals.values()) total += n;
  // Each bid is counted in every window it falls in (window starts are not negative).
  let expected = 0;
  for (let i = 0; i < 600; i++) {
    const ts = 1000 + i * 100;
    for (let start = 0; start <= ts; start += 2000) if (ts < start + 10_000) expected++;
  }
  assert.equal(total, expected);
});
