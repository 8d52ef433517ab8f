/** Champion/challenger evaluation: same rows for both, join by key within the window either way round, rule decisions, missing labels counted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShadowEvaluation, parsePromoteWhen, sameClass } from '../../../src/ml/promotion/shadow.ts';

test('PROMOTE_WHEN parses fractions and percents, refuses anything else', () => {
  assert.deepEqual(parsePromoteWhen('accuracy better by 0.02 after 500 rows'), { metric: 'ACCURACY', by: 0.02, afterRows: 500, text: 'accuracy better by 0.02 after 500 rows' });
  assert.equal(parsePromoteWhen('ACCURACY BETTER BY 2% AFTER 10 ROWS').by, 0.02);
  assert.throws(() => parsePromoteWhen('AUC BETTER BY 1 AFTER 5 ROWS'), /expected 'ACCURACY BETTER BY/);
});

test('labels join predictions by key within the window, in either order; both versions scored on the same rows', () => {
  const ev = new ShadowEvaluation('1', '2', parsePromoteWhen('ACCURACY BETTER BY 0.1 AFTER 4 ROWS'), 1000);
  ev.addPrediction('a', 0, 1, 1);
  ev.addLabel('a', 500, 1); // both right
  ev.addLabel('b', 1000, 0); // label first
  ev.addPrediction('b', 1500, 1, 0); // champion wrong, challenger right
  ev.addPrediction('c', 2000, 0, 1);
  ev.addLabel('c', 3500, 1); // outside the window: no join
  assert.equal(ev.rows, 2);
  assert.equal(ev.decision(), 'wait');
  ev.addPrediction('d', 4000, true, 0);
  ev.addLabel('d', 4100, false); // booleans as 1/0: champion wrong
  ev.addPrediction('e', 4200, 1, 1);
  ev.addLabel('e', 4300, 1);
  assert.equal(ev.rows, 4);
  assert.equal(ev.championCorrect, 2);
  assert.equal(ev.challengerCorrect, 4);
  assert.equal(ev.decision(), 'promote');
  ev.expire(10_000);
  assert.equal(ev.predictionsWithoutLabel, 1); // c
  assert.equal(ev.labelsWithoutPrediction, 1); // c's late label
  assert.deepEqual(ev.evidence, { champion: '1', challenger: '2', rows: 4, championAccuracy: 0.5, challengerAccuracy: 1, predictionsWithoutLabel: 1, labelsWithoutPrediction: 1, rule: 'ACCURACY BETTER BY 0.1 AFTER 4 ROWS' });
});

test('not better by the rule: reject; labels never arriving: no decision, predictions counted as unlabelled', () => {
  const ev = new ShadowEvaluation('1', '2', parsePromoteWhen('ACCURACY BETTER BY 0.05 AFTER 2 ROWS'), 100);
  for (let i = 0; i < 2; i++) {
    ev.addPrediction(`k${i}`, i, 1, 1);
    ev.addLabel(`k${i}`, i, 1);
  }
  assert.equal(ev.decision(), 'reject');
  const silent = new ShadowEvaluation('1', '2', parsePromoteWhen('ACCURACY BETTER BY 0 AFTER 1 ROWS'), 100);
  for (let i = 0; i < 50; i++) silent.addPrediction(`k${i}`, i * 10, 1, 0);
  silent.expire();
  assert.equal(silent.decision(), 'wait');
  assert.equal(silent.predictionsWithoutLabel, 39); // ts 0..380: older than the newest (490) minus the window
  assert.ok(!sameClass(null, null));
});
