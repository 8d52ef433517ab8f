/**
 * Versions of a model trained in Riffle, promoted by rule, end to end in SQL: SNAPSHOT_EVERY makes
 * versions; `ALTER MODEL m PROMOTE WHEN ...` pins the newest, takes the next snapshot as the
 * challenger, scores both on the labelled stream's new rows and promotes it (logged with its
 * evidence in M_PROMOTIONS, replayed after a restart); a challenger that is not better is rejected;
 * PROMOTE MANUALLY ends it; bad uses are errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from './helpers.ts';
import { trainedRegistry } from '../../src/engine/model-train.ts';
import { trainedPromotionOf } from '../../src/engine/model-shadow-trained.ts';
import { SqlError } from '../../src/sql/errors.ts';

/** Deterministic uniform(-1, 1) rows; concept 'a': LABEL = x1 > 0, concept 'b': LABEL = x1 < 0. */
function rows(seed: number, n: number, concept: 'a' | 'b', t0: number) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const enc = new TextEncoder();
  return Array.from({ length: n }, (_, i) => {
    const x1 = rnd();
    const x2 = rnd();
    const label = (concept === 'a' ? x1 > 0 : x1 < 0) ? 1 : 0;
    return { key: null, value: enc.encode(JSON.stringify({ X1: x1, X2: x2, LABEL: label })), timestamp: t0 + i };
  });
}

async function until<T>(what: string, f: () => T | Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('trained model: a new snapshot is shadowed on labelled rows and promoted by PROMOTE WHEN; a worse one is rejected; replayed after restart', async () => {
  let t = await testEngine();
  try {
    await t.engine.execute(`CREATE STREAM readings (x1 DOUBLE, x2 DOUBLE, label INT) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    const producer = t.log.producer();
    await producer.send('readings', rows(1, 400, 'a', 0));
    await t.engine.execute(`CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'label', SNAPSHOT_EVERY = 400) AS SELECT x1, x2, label FROM readings;`);
    await t.engine.runUntilIdle();
    const reg = trainedRegistry(t.engine);
    await until('version 1', () => reg.versions.get('M')?.length === 1);
    // errors: bad metric (at the metric), columns missing from FROM, served-model-only wording
    await assert.rejects(t.engine.execute('ALTER MODEL m PROMOTE WHEN auc BETTER AFTER 5 ROWS;'), (e: unknown) => e instanceof SqlError && /unknown metric 'AUC'/.test(e.message) && e.span?.column === 28);
    await t.engine.execute(`CREATE STREAM other (x1 DOUBLE) WITH (KAFKA_TOPIC='other', VALUE_FORMAT='JSON', PARTITIONS=1);`);
    await assert.rejects(t.engine.execute('ALTER MODEL m PROMOTE WHEN accuracy BETTER AFTER 5 ROWS FROM other;'), /lacks the model's columns X2, LABEL/);
    await assert.rejects(t.engine.execute('ALTER MODEL nope PROMOTE WHEN accuracy BETTER AFTER 5 ROWS;'), /does not exist/);
    await t.engine.execute(`CREATE MODEL served INPUT (x DOUBLE) OUTPUT (y BIGINT) WITH (PROVIDER = 'kserve-v2', ENDPOINT = 'http://127.0.0.1:9', MODEL_NAME = 'served');`);
    await assert.rejects(t.engine.execute('ALTER MODEL served PROMOTE WHEN accuracy BETTER AFTER 5 ROWS;'), /served, not trained in Riffle: .*CREATE PIPELINE .* PROMOTE WHEN/);
    await t.engine.execute(`CREATE MODEL anomalies WITH (TYPE = 'HALF_SPACE_TREES') AS SELECT x1, x2 FROM readings;`);
    await assert.rejects(t.engine.execute('ALTER MODEL anomalies PROMOTE WHEN accuracy BETTER AFTER 5 ROWS;'), /has no LABEL/);
    await t.engine.execute('DROP MODEL anomalies;');

    await t.engine.execute('ALTER MODEL m PROMOTE WHEN accuracy BETTER BY 0.2 AFTER 200 ROWS;');
    await until('version 1 pinned', () => reg.pinned.get('M') === 1);
    // the concept flips; 400 rows of it make version 2
    await producer.send('readings', rows(2, 400, 'b', 1000));
    await t.engine.runUntilIdle();
    const loop = trainedPromotionOf(t.engine, 'M')!;
    await until('version 2 as challenger', () => loop.evaluation?.challenger === '2');
    await new Promise((r) => setTimeout(r, 700)); // the shadow reader starts at the end of the stream
    // labelled rows of the new concept: version 2 (trained on it) beats version 1 by far
    await producer.send('readings', rows(3, 300, 'b', 2000));
    await t.engine.runUntilIdle();
    await until('version 2 promoted', () => reg.pinned.get('M') === 2);
    const promote = loop.decisions.find((d) => d.action === 'PROMOTE')!;
    assert.equal(promote.version, '2');
    console.log(`trained versions: v1 ${promote.evidence!.championValue!.toFixed(4)} -> v2 ${promote.evidence!.challengerValue!.toFixed(4)} accuracy on ${promote.evidence!.rows} labelled rows of the new concept`);
    assert.ok(promote.evidence!.rows >= 200 && promote.evidence!.challengerValue! - promote.evidence!.championValue! >= 0.2, JSON.stringify(promote.evidence));
    const log = (await readTopic(t.log, 'M_PROMOTIONS')).map((r) => JSON.parse(text(r.value)!) as Record<string, unknown>);
    assert.deepEqual(log.slice(0, 3).map((x) => [x.ACTION, x.FROM_VERSION, x.TO_VERSION]), [['PROMOTE', 'LIVE', '1'], ['CHALLENGER', '1', '2'], ['PROMOTE', '1', '2']]);
    assert.match(String(log[0]!.BY), /pins the newest version/);
    const [d] = await t.engine.execute('DESCRIBE MODEL m;');
    assert.ok(d!.kind === 'text' && /Promotion rule\s+: ACCURACY BETTER BY 0.2 AFTER 200 ROWS; labelled rows from READINGS/.test(d!.text) && /PROMOTE version 2 \(\d+ rows: ACCURACY 0\.\d+ -> 0\.9\d+\)/.test(d!.text), d!.kind === 'text' ? d!.text : '');
    assert.match(String(log[2]!.BY), /rule ACCURACY BETTER BY 0.2 AFTER 200 ROWS/);
    assert.equal(JSON.parse(String(log[2]!.EVIDENCE)).challenger, '2');

    // more rows of the same concept make version 3: not better by 0.2 than version 2 -> rejected
    await producer.send('readings', rows(4, 100, 'b', 3000));
    await t.engine.runUntilIdle();
    await until('version 3 as challenger', () => loop.evaluation?.challenger === '3');
    await new Promise((r) => setTimeout(r, 700));
    await producer.send('readings', rows(5, 250, 'b', 4000));
    await t.engine.runUntilIdle();
    await until('version 3 rejected', () => loop.decisions.some((d) => d.action === 'REJECT' && d.version === '3'));
    assert.equal(reg.pinned.get('M'), 2);

    await t.close();
    t = await testEngine({}, t.dir);
    await t.engine.runUntilIdle();
    assert.equal(trainedRegistry(t.engine).pinned.get('M'), 2, 'the promotion is replayed');
    assert.ok(trainedPromotionOf(t.engine, 'M'), 'the rule is replayed');
    await t.engine.execute('ALTER MODEL m PROMOTE MANUALLY;');
    assert.equal(trainedPromotionOf(t.engine, 'M'), null);
    // a dropped model takes its rule with it
    await t.engine.execute('ALTER MODEL m PROMOTE WHEN accuracy BETTER AFTER 10 ROWS;');
    await t.engine.execute('DROP MODEL m;');
    await until('the rule gone with the model', () => trainedPromotionOf(t.engine, 'M') === null);
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
