/**
 * PROMOTE VERSION / ROLLBACK on a model trained in Riffle: pins a snapshot as what PREDICT answers
 * with, rolls back to the live model, each switch logged in M_PROMOTIONS, replayed after a
 * restart; an unknown version or nothing to roll back to is an error; served-model rules need V2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from './helpers.ts';
import { trainedRegistry } from '../../src/engine/model-train.ts';

test('trained model: PROMOTE VERSION n, ROLLBACK, logged and replayed', async () => {
  let t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM train (x DOUBLE, y DOUBLE) WITH (KAFKA_TOPIC='train', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const enc = new TextEncoder();
    await t.log.producer().send('train', Array.from({ length: 300 }, (_, i) => ({ key: null, value: enc.encode(JSON.stringify({ X: i % 10, Y: 2 * (i % 10) + 1 })), timestamp: i })));
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LINEAR_REGRESSION', LABEL = 'y', SNAPSHOT_EVERY = 100) AS SELECT * FROM train;`);
    await t.engine.runUntilIdle();
    await assert.rejects(t.engine.execute('ALTER MODEL m ROLLBACK;'), /nothing to roll back to/);
    await assert.rejects(t.engine.execute('ALTER MODEL m PROMOTE VERSION 9;'), /has no version 9/);
    await t.engine.execute('ALTER MODEL m PROMOTE VERSION 2;');
    assert.equal(trainedRegistry(t.engine).pinned.get('M'), 2);
    await t.engine.execute('ALTER MODEL m PROMOTE VERSION 1;');
    await t.engine.execute('ALTER MODEL m ROLLBACK;');
    assert.equal(trainedRegistry(t.engine).pinned.get('M'), 2);
    const log = (await readTopic(t.log, 'M_PROMOTIONS')).map((r) => JSON.parse(text(r.value)!) as Record<string, unknown>);
    assert.deepEqual(log.map((x) => [x.ACTION, x.FROM_VERSION, x.TO_VERSION]), [['PROMOTE', 'LIVE', '2'], ['PROMOTE', '2', '1'], ['ROLLBACK', '1', '2']]);
    await t.close();
    t = await testEngine({}, t.dir);
    await t.engine.runUntilIdle();
    assert.equal(trainedRegistry(t.engine).pinned.get('M'), 2, 'replayed');
    await t.engine.execute('ALTER MODEL m ROLLBACK;');
    assert.equal(trainedRegistry(t.engine).pinned.get('M'), null, 'back to the live model');
    assert.equal((await readTopic(t.log, 'M_PROMOTIONS')).length, 4, 'replay logs nothing again');
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
