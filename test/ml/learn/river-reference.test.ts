/**
 * Progressive validation in process against River 0.26.1's published numbers
 * (../shared/ml-data/README.md beside the project): the algorithms, not the numbers, are implemented; these
 * check that they behave as River's do, row for row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasData, loadCsv } from './data.ts';
import { denseVector } from '../../../src/ml/learn/features.ts';
import { DEFAULT_OPTIONS, newModel, progressiveStep, type LearnOptions } from '../../../src/ml/learn/model.ts';
import { metricValues } from '../../../src/ml/learn/metrics.ts';
import { PyRandom } from '../../../src/ml/learn/random.ts';
import { adwinUpdate, newAdwin } from '../../../src/ml/learn/adwin.ts';

function run(file: string, o: LearnOptions): Record<string, number> {
  const d = loadCsv(file);
  const m = newModel(o);
  for (let i = 0; i < d.x.length; i++) progressiveStep(m, o, denseVector(d.x[i]), d.y[i]);
  return Object.fromEntries(metricValues(m.metrics));
}

const near = (actual: number, expected: number, digits = 4): void =>
  assert.ok(Math.abs(actual - expected) < 0.5 * 10 ** -digits, `${actual} vs ${expected} to ${digits} decimals`);

const skip = !hasData('phishing.csv') && 'ml-data not found';

test('phishing: StandardScaler | LogisticRegression defaults and SGD(0.005)', { skip }, () => {
  const d = run('phishing.csv', DEFAULT_OPTIONS('LOGISTIC_REGRESSION'));
  near(d.ACCURACY, 0.8928);
  near(d.F1, 0.8797);
  near(d.ROC_AUC_RIVER, 0.9507);
  near(d.ROC_AUC, 0.9534);
  const o = DEFAULT_OPTIONS('LOGISTIC_REGRESSION');
  const s = run('phishing.csv', { ...o, linear: { ...o.linear, learningRate: 0.005 } });
  near(s.ACCURACY, 0.8872);
  near(s.F1, 0.871233, 6);
});

test('phishing: GaussianNB and HoeffdingTreeClassifier', { skip }, () => {
  near(run('phishing.csv', DEFAULT_OPTIONS('GAUSSIAN_NB')).ACCURACY, 0.884708, 6);
  const ht = run('phishing.csv', DEFAULT_OPTIONS('HOEFFDING_TREE'));
  near(ht.ACCURACY, 0.879904, 6);
  near(ht.F1, 0.860595, 6);
});

test('image_segments (multiclass): GaussianNB and Hoeffding tree accuracy', { skip }, () => {
  const nb = run('image_segments.csv', DEFAULT_OPTIONS('GAUSSIAN_NB'));
  near(nb.ACCURACY, 0.733651, 6);
  near(nb.MACRO_F1, 0.732179, 6);
  const ht = run('image_segments.csv', DEFAULT_OPTIONS('HOEFFDING_TREE'));
  near(ht.ACCURACY, 0.778259, 6);
  near(ht.MACRO_F1, 0.766736, 6);
});

test('shuttle: GaussianNB, Hoeffding tree, logistic regression', { skip }, () => {
  const nb = run('shuttle.csv', DEFAULT_OPTIONS('GAUSSIAN_NB'));
  near(nb.ACCURACY, 0.992973, 6);
  near(nb.F1, 0.951182, 6);
  near(run('shuttle.csv', DEFAULT_OPTIONS('HOEFFDING_TREE')).ACCURACY, 0.994582, 6);
  near(run('shuttle.csv', DEFAULT_OPTIONS('LOGISTIC_REGRESSION')).ACCURACY, 0.996232, 6);
});

test('trump_approval: StandardScaler | LinearRegression', { skip }, () => {
  const d = run('trump_approval.csv', DEFAULT_OPTIONS('LINEAR_REGRESSION'));
  near(d.MAE, 1.314548, 6);
  near(d.RMSE, 3.911981, 6);
  near(d.R2, -4.2304);
  const o = DEFAULT_OPTIONS('LINEAR_REGRESSION');
  near(run('trump_approval.csv', { ...o, linear: { ...o.linear, interceptLr: 0.1 } }).MAE, 0.558735, 6);
});

test('shuttle: MinMaxScaler | HalfSpaceTrees in the seeds band; seed 42 as River', { skip }, () => {
  const o = DEFAULT_OPTIONS('HALF_SPACE_TREES');
  const d = run('shuttle.csv', o);
  near(d.ROC_AUC, 0.9608);
  near(d.ROC_AUC_RIVER, 0.9581);
  const seven = run('shuttle.csv', { ...o, hst: { ...o.hst, seed: 7 } });
  assert.ok(seven.ROC_AUC >= 0.953 && seven.ROC_AUC <= 0.978, `seed 7: ${seven.ROC_AUC}`);
});

test('ADWIN on Bernoulli streams: every change found, no false alarm', () => {
  let found = 0;
  let falseAlarms = 0;
  for (let seed = 0; seed < 30; seed++) {
    const rng = new PyRandom(seed);
    const a = newAdwin();
    const hit = [false, false, false];
    for (let i = 0; i < 8000; i++) {
      const p = [0.2, 0.4, 0.2, 0.6][Math.floor(i / 2000)];
      if (!adwinUpdate(a, rng.random() < p ? 1 : 0)) continue;
      const seg = Math.floor(i / 2000) - 1;
      if (seg >= 0 && !hit[seg]) {
        hit[seg] = true;
        found++;
      } else falseAlarms++;
    }
    const still = newAdwin();
    const r2 = new PyRandom(seed);
    for (let i = 0; i < 8000; i++) if (adwinUpdate(still, r2.random() < 0.3 ? 1 : 0)) falseAlarms++;
  }
  assert.equal(found, 90);
  assert.equal(falseAlarms, 0);
});

test('PyRandom draws as CPython random.Random(0)', () => {
  const r = new PyRandom(0);
  assert.deepEqual([r.random(), r.random(), r.random()], [0.8444218515250481, 0.7579544029403025, 0.420571580830845]);
});
