/** Champion/challenger evaluation: same rows for both, join by key within the window either way round, rule decisions, missing labels counted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShadowEvaluation, parsePromoteWhen, promotionRule, sameClass } from '../../../src/ml/promotion/shadow.ts';

test('PROMOTE_WHEN parses every metric, absolute and relative margins; refuses anything else', () => {
  assert.deepEqual(parsePromoteWhen('accuracy better by 0.02 after 500 rows'), { metric: 'ACCURACY', by: 0.02, relative: false, afterRows: 500, text: 'ACCURACY BETTER BY 0.02 AFTER 500 ROWS' });
  assert.deepEqual(parsePromoteWhen('log_loss BETTER BY 2% AFTER 10 ROWS'), { metric: 'LOG_LOSS', by: 0.02, relative: true, afterRows: 10, text: 'LOG_LOSS BETTER BY 2% AFTER 10 ROWS' });
  assert.equal(parsePromoteWhen('f1 better after 1 row').by, 0);
  for (const m of ['ACCURACY', 'PRECISION', 'RECALL', 'F1', 'LOG_LOSS', 'ROC_AUC', 'MAE', 'RMSE']) assert.equal(parsePromoteWhen(`${m} BETTER BY 1 AFTER 5 ROWS`).metric, m);
  assert.throws(() => parsePromoteWhen('AUC BETTER BY 1 AFTER 5 ROWS'), /unknown metric 'AUC'.*ACCURACY, PRECISION/);
  assert.throws(() => parsePromoteWhen('ACCURACY WORSE BY 1 AFTER 5 ROWS'), /expected '<metric> BETTER BY/);
  assert.throws(() => promotionRule('F1', 0, false, 0), /positive number/);
});

test('"better" is higher for accuracy-like metrics and lower for error-like ones; BY is absolute, BY x% relative to the champion', () => {
  const decide = (rule: string, champ: unknown[], chall: unknown[], labels: unknown[]) => {
    const ev = new ShadowEvaluation('1', '2', parsePromoteWhen(rule), 0);
    labels.forEach((y, i) => {
      ev.addPrediction(`k${i}`, i, champ[i], chall[i]);
      ev.addLabel(`k${i}`, i, y);
    });
    return { d: ev.decision(), e: ev.evidence };
  };
  // regression: champion MAE 1, challenger MAE 0.5 -> lower is better
  const y = [0, 0, 0, 0];
  assert.equal(decide('MAE BETTER BY 0.4 AFTER 4 ROWS', [1, -1, 1, -1], [0.5, -0.5, 0.5, -0.5], y).d, 'promote');
  assert.equal(decide('MAE BETTER BY 0.6 AFTER 4 ROWS', [1, -1, 1, -1], [0.5, -0.5, 0.5, -0.5], y).d, 'reject');
  assert.equal(decide('MAE BETTER BY 50% AFTER 4 ROWS', [1, -1, 1, -1], [0.5, -0.5, 0.5, -0.5], y).d, 'promote');
  assert.equal(decide('MAE BETTER BY 51% AFTER 4 ROWS', [1, -1, 1, -1], [0.5, -0.5, 0.5, -0.5], y).d, 'reject');
  assert.equal(decide('MAE BETTER AFTER 4 ROWS', [0.5, -0.5, 0.5, -0.5], [1, -1, 1, -1], y).d, 'reject'); // worse
  const r = decide('RMSE BETTER BY 0.1 AFTER 4 ROWS', [2, 0, 0, 0], [1, 1, 1, 1], y);
  assert.deepEqual([r.e.championValue, r.e.challengerValue, r.d], [1, 1, 'reject']);
  // classification: F1 of the positive class, ROC AUC and log loss on P(positive)
  const labels = [1, 1, 0, 0, 1, 0];
  const f = decide('F1 BETTER BY 0.2 AFTER 6 ROWS', [1, 0, 1, 0, 0, 0], [1, 1, 0, 0, 1, 1], labels);
  assert.equal(f.e.metric, 'F1');
  assert.ok(Math.abs(f.e.championValue! - 0.4) < 1e-12 && Math.abs(f.e.challengerValue! - 6 / 7) < 1e-12);
  assert.equal(f.d, 'promote');
  const s = (p: number) => ({ prediction: p >= 0.5 ? 1 : 0, positiveProbability: p });
  const auc = decide('ROC_AUC BETTER BY 0.1 AFTER 6 ROWS', [s(0.9), s(0.2), s(0.8), s(0.1), s(0.3), s(0.4)], [s(0.9), s(0.8), s(0.3), s(0.1), s(0.7), s(0.2)], labels);
  assert.deepEqual([auc.e.championValue, auc.e.challengerValue, auc.d], [5 / 9, 1, 'promote']);
  const ll = decide('LOG_LOSS BETTER BY 0.1 AFTER 2 ROWS', [s(0.5), s(0.5)], [s(0.9), s(0.1)], [1, 0]);
  assert.ok(Math.abs(ll.e.championValue! - Math.log(2)) < 1e-12 && Math.abs(ll.e.challengerValue! + Math.log(0.9)) < 1e-12);
  assert.equal(ll.d, 'promote');
  // ROC AUC undefined on one class only: keep waiting
  assert.equal(decide('ROC_AUC BETTER AFTER 2 ROWS', [s(0.9), s(0.2)], [s(0.9), s(0.8)], [1, 1]).d, 'wait');
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
  assert.deepEqual(ev.evidence, { champion: '1', challenger: '2', rows: 4, metric: 'ACCURACY', championValue: 0.5, challengerValue: 1, championAccuracy: 0.5, challengerAccuracy: 1, predictionsWithoutLabel: 1, labelsWithoutPrediction: 1, rule: 'ACCURACY BETTER BY 0.1 AFTER 4 ROWS' });
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
