/**
 * Hoeffding trees with string features split on them as River does (nominal attributes, multiway
 * splits): row by row, Riffle's probabilities before learning each row equal River 0.26.1's on
 * nominalRows() (fixture written by scripts/ml/river_nominal.py; it/ml/learn/nominal-river.test.ts
 * checks the fixture against River itself), in process and through CREATE MODEL in SQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFeatures, FeatureEncoder, FeatureSpace } from '../../../src/ml/learn/features.ts';
import { DEFAULT_OPTIONS, newModel, predict, progressiveStep } from '../../../src/ml/learn/model.ts';
import { metricValues } from '../../../src/ml/learn/metrics.ts';
import { hoeffdingShape } from '../../../src/ml/learn/hoeffding.ts';
import { trainedRegistry } from '../../../src/engine/model-train.ts';
import { testEngine, readTopic, text, removeDir } from '../../engine/helpers.ts';
import { nominalRows } from './nominal-data.ts';

const river = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/hoeffding-nominal-river.json'), 'utf8')) as { accuracy: number; p1: (number | null)[]; tree: string };
const COLUMNS = ['COLOR', 'SHAPE', 'SIZE'];

test('in process: P(1) before each row equals River row by row; accuracy and tree size equal', () => {
  const rows = nominalRows();
  const o = DEFAULT_OPTIONS('HOEFFDING_TREE');
  const m = newModel(o);
  const space = new FeatureSpace();
  const enc = new FeatureEncoder(space, COLUMNS, COLUMNS.map((c) => space.indexOf(c)), true);
  let worst = 0;
  rows.forEach((r, i) => {
    const x = enc.encode([r.COLOR, r.SHAPE, r.SIZE]);
    const p = predict(m, x);
    const expected = river.p1[i];
    if (expected === null) assert.equal(p, null, `row ${i}`);
    else {
      assert.ok(p !== null && p.kind === 'class', `row ${i}`);
      const ours = p.proba[m.labels.indexOf('1')] ?? 0;
      worst = Math.max(worst, Math.abs(ours - expected));
      assert.ok(Math.abs(ours - expected) <= 1e-9, `row ${i}: P(1) ${ours} vs River ${expected}`);
    }
    progressiveStep(m, o, x, r.LABEL);
  });
  const acc = Object.fromEntries(metricValues(m.metrics)).ACCURACY;
  assert.equal(acc, river.accuracy);
  const shape = hoeffdingShape(m.learner as never);
  assert.match(river.tree, new RegExp(`'n_branches': ${shape.branches}, 'n_leaves': ${shape.leaves},`));
  assert.ok(shape.branches >= 3, 'the data grows a tree');
  // Nominal splits happened, and a multiway branch grew a leaf for 'purple' (first seen after its split).
  const kinds: string[] = [];
  const walk = (n: { t: string; values?: string[]; children?: unknown[] }): void => {
    kinds.push(n.t === 'multiway' ? `multiway ${n.values!.join('/')}` : n.t);
    for (const c of n.children ?? []) walk(c as never);
  };
  walk((m.learner as never as { root: never }).root);
  assert.ok(kinds.some((k) => k.startsWith('multiway') && k.includes('purple')), kinds.join(', '));
  assert.ok(worst <= 1e-12, `worst ${worst}`);
});

test('SQL: CREATE MODEL over STRING columns learns the same tree (accuracy as River); PREDICT takes the strings', { timeout: 60_000 }, async () => {
  const t = await testEngine();
  try {
    const rows = nominalRows();
    await t.log.ensureTopic('shapes', { partitions: 1, replicationFactor: 1 });
    const enc = new TextEncoder();
    await t.log.producer().send('shapes', rows.map((r, i) => ({ key: null, value: enc.encode(JSON.stringify(r)), timestamp: i })));
    await t.engine.execute(`CREATE STREAM shapes (COLOR STRING, SHAPE STRING, SIZE DOUBLE, LABEL STRING) WITH (KAFKA_TOPIC='shapes', VALUE_FORMAT='JSON');`);
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'HOEFFDING_TREE', LABEL = 'LABEL') AS SELECT * FROM shapes;`);
    await t.engine.runUntilIdle();
    const live = trainedRegistry(t.engine).live.get('M')!.get('')!;
    assert.equal(live.state.rows, rows.length);
    assert.equal(Object.fromEntries(metricValues(live.state.metrics)).ACCURACY, river.accuracy);
    assert.deepEqual(live.space.names, COLUMNS, 'no one-hot features for a tree');
    // PREDICT takes the string columns as they are and answers as the model (one category it
    // has a branch for, one it may not).
    await t.engine.execute(`CREATE STREAM ask (ID INTEGER, COLOR STRING, SHAPE STRING, SIZE DOUBLE) WITH (KAFKA_TOPIC='ask', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM answers AS SELECT ID, PREDICT(m, COLOR, SHAPE, SIZE)->PREDICTION AS P, PREDICT(m, COLOR, SHAPE, SIZE)->PROBABILITY AS PR FROM ask;`);
    const asks = [{ ID: 1, COLOR: 'red', SHAPE: 'square', SIZE: 8 }, { ID: 2, COLOR: 'green', SHAPE: 'circle', SIZE: 1 }, { ID: 3, COLOR: 'teal', SHAPE: 'triangle', SIZE: 9 }];
    await t.log.producer().send('ask', asks.map((r, i) => ({ key: null, value: enc.encode(JSON.stringify(r)), timestamp: i })));
    await t.engine.runUntilIdle();
    const out = (await readTopic(t.log, 'ANSWERS')).map((r) => JSON.parse(text(r.value)!));
    assert.equal(out.length, 3);
    asks.forEach((a, i) => {
      const p = predict(live.state, encodeFeatures(new FeatureSpace(), COLUMNS, [0, 1, 2], [a.COLOR, a.SHAPE, a.SIZE], true));
      assert.ok(p !== null && p.kind === 'class');
      assert.equal(out[i].P, p.label);
      assert.equal(out[i].PR, p.probability);
    });
    assert.equal(out[0].P, '1');
    assert.equal(out[1].P, '0');
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
