/**
 * Training in SQL on the embedded log: ml-data rows produced into a topic as JSON, the model
 * trained by CREATE MODEL ... AS SELECT, metrics read back from DESCRIBE MODEL and the metrics
 * stream; River's numbers to 4 decimals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, readTopic, text, removeDir } from '../../engine/helpers.ts';
import { hasData, loadCsv } from './data.ts';
import { describedMetrics, produceDataset } from './sql-data.ts';

const skip = !hasData('phishing.csv') && 'ml-data not found';

async function trained(file: string, create: string, labelType = 'INTEGER'): Promise<{ metrics: Record<string, number>; describe: string; metricRows: unknown[] }> {
  const t = await testEngine();
  try {
    await produceDataset(t.engine, t.log, 'data', loadCsv(file), labelType);
    await t.engine.execute(create);
    await t.engine.runUntilIdle();
    const [d] = await t.engine.execute('DESCRIBE MODEL m;');
    assert.equal(d.kind, 'text');
    const describe = (d as { text: string }).text;
    const metricRows = (await readTopic(t.log, 'M_METRICS')).map((r) => ({ key: text(r.key), ...JSON.parse(text(r.value)!) }));
    return { metrics: describedMetrics(describe), describe, metricRows };
  } finally {
    await t.close();
    removeDir(t.dir);
  }
}

const near = (actual: number, expected: number, digits = 4): void =>
  assert.ok(Math.abs(actual - expected) < 0.5 * 10 ** -digits, `${actual} vs ${expected} to ${digits} decimals`);

test('phishing: logistic regression, SGD 0.005, trained by SQL', { skip }, async () => {
  const r = await trained('phishing.csv', `CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'label', LEARNING_RATE = 0.005) AS SELECT * FROM data;`);
  near(r.metrics.ACCURACY, 0.8872);
  near(r.metrics.F1, 0.871233, 6);
  assert.equal(r.metrics.ROWS, 1250);
  // The metrics stream: one snapshot (8 metric rows) after 1000 rows.
  const acc = r.metricRows.filter((m) => (m as { METRIC: string }).METRIC === 'ACCURACY');
  assert.equal(acc.length, 1);
  assert.equal((acc[0] as { ROWS: number }).ROWS, 1000);
});

test('phishing: defaults, GaussianNB, Hoeffding tree by SQL', { skip }, async () => {
  near((await trained('phishing.csv', `CREATE MODEL m WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'label') AS SELECT * FROM data;`)).metrics.ACCURACY, 0.8928);
  near((await trained('phishing.csv', `CREATE MODEL m WITH (TYPE = 'GAUSSIAN_NB', LABEL = 'label') AS SELECT * FROM data;`)).metrics.ACCURACY, 0.8847);
  const ht = (await trained('phishing.csv', `CREATE MODEL m WITH (TYPE = 'HOEFFDING_TREE', LABEL = 'label') AS SELECT * FROM data;`)).metrics.ACCURACY;
  assert.ok(Math.abs(ht - 0.8799) <= 0.005, `Hoeffding ${ht}`);
  near(ht, 0.8799);
});

test('trump_approval: linear regression MAE by SQL', { skip }, async () => {
  const r = await trained('trump_approval.csv', `CREATE MODEL m WITH (TYPE = 'LINEAR_REGRESSION', LABEL = 'label') AS SELECT * FROM data;`, 'DOUBLE');
  near(r.metrics.MAE, 1.3145);
});
