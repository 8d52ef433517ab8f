/**
 * Promotion by hand and the failure cases, against real MLServer (scripts/ml/with-servers.sh):
 * PROMOTE VERSION / ROLLBACK switch what PREDICT answers with, each logged; a version that is
 * not ready is refused; a version that fails to load is reported LOAD_FAILED and the champion keeps
 * serving; labels that never arrive leave the challenger in shadow with the missing labels counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { testEngine, removeDir, readTopic } from '../../../test/engine/helpers.ts';
import { kfpPython } from './standin.ts';
import { until } from './loop-fixture.ts';
import { modelRegistry } from '../../../src/engine/model-registry.ts';
import { championOf } from '../../../src/engine/model-promotion.ts';

const mlserver = process.env.RIFFLE_MLSERVER_URL;
const repo = process.env.RIFFLE_ML_WORK ? join(process.env.RIFFLE_ML_WORK, 'mlserver') : '';

// A kept RIFFLE_ML_WORK may hold versions from an earlier run: start from none.
if (mlserver) {
  await fetch(`${mlserver}/v2/repository/models/promo/unload`, { method: 'POST' }).catch(() => undefined);
  rmSync(join(repo!, 'promo'), { recursive: true, force: true });
}
/** Writes version `v` of `name`: a LogisticRegression on x1 (+sign) > 0, or a broken joblib file. */
function writeVersion(name: string, v: string, kind: 'pos' | 'neg' | 'broken'): void {
  const dir = join(repo, name, v);
  mkdirSync(dir, { recursive: true });
  const settings = { name, implementation: 'mlserver_sklearn.SKLearnModel', parameters: { uri: join(dir, 'model.joblib'), version: v }, inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, 2] }], outputs: [{ name: 'predict', datatype: 'INT64', shape: [-1, 1] }] };
  if (kind === 'broken') writeFileSync(join(dir, 'model.joblib'), 'not a model');
  else {
    const sign = kind === 'pos' ? 1 : -1;
    execFileSync(kfpPython, ['-c', `import joblib\nfrom sklearn.linear_model import LogisticRegression\nX=[[i/10,0] for i in range(-20,21) if i]\ny=[int(${sign}*x[0]>0) for x in X]\njoblib.dump(LogisticRegression().fit(X,y), ${JSON.stringify(join(dir, 'model.joblib'))})`]);
  }
  writeFileSync(join(dir, 'model-settings.json'), JSON.stringify(settings));
}

/**
 * POST .../load; its status. uvicorn closes the connection after a load that raised (the broken
 * version's 500), so a pooled keep-alive socket may be found closed: the (idempotent) load is sent again.
 */
async function load(name: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await fetch(`${mlserver}/v2/repository/models/${name}/load`, { method: 'POST' })).status;
    } catch (e) {
      if (attempt >= 2) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

test('PROMOTE / ROLLBACK by hand; a missing version refused; a broken version LOAD_FAILED; labels never arriving', { timeout: 240_000, skip: !mlserver && 'needs scripts/ml/with-servers.sh' }, async () => {
  writeVersion('promo', '1', 'pos');
  writeVersion('promo', '2', 'neg');
  assert.equal(await load('promo'), 200);
  const t = await testEngine({ background: true });
  try {
    const e = t.engine;
    await e.execute(`CREATE MODEL promo INPUT (X1 DOUBLE, X2 DOUBLE) OUTPUT (PREDICT BIGINT) WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${mlserver}', MODEL_NAME = 'promo', VERSION = '1');`);
    const predict = async () => {
      const inv = await modelRegistry(e).invoker('PROMO', null, {});
      const out = await inv.invoke([[1, 0], [-1, 0]]);
      return out.map((o) => (o.kind === 'ok' ? Number(o.outputs[0]) : o.reason));
    };
    assert.deepEqual(await predict(), [1, 0]);
    await e.execute('ALTER MODEL promo PROMOTE VERSION 2;');
    assert.deepEqual(await predict(), [0, 1]);
    await assert.rejects(e.execute('ALTER MODEL promo PROMOTE VERSION 7;'), /version 7 is not ready.*champion stays 2/);
    await e.execute('ALTER MODEL promo ROLLBACK;');
    assert.equal(championOf(e, 'PROMO'), '1');
    assert.deepEqual(await predict(), [1, 0]);
    await assert.rejects(e.execute('ALTER MODEL promo ROLLBACK;'), /nothing to roll back to/);
    const log = (await readTopic(t.log, 'PROMO_PROMOTIONS')).map((r) => JSON.parse(Buffer.from(r.value!).toString()) as Record<string, unknown>);
    assert.deepEqual(log.map((x) => [x.ACTION, x.FROM_VERSION, x.TO_VERSION, x.BY]), [['PROMOTE', '1', '2', 'hand'], ['ROLLBACK', '2', '1', 'hand']]);

    // a pipeline watching the model: version 3 fails to load, version 4 loads but its labels never come
    await e.execute(`CREATE STREAM feats (id STRING KEY, x1 DOUBLE, x2 DOUBLE, label INT) WITH (KAFKA_TOPIC = 'feats', VALUE_FORMAT = 'JSON', PARTITIONS = 1);
      CREATE STREAM labels (id STRING KEY, label INT) WITH (KAFKA_TOPIC = 'labels', VALUE_FORMAT = 'JSON', PARTITIONS = 1);
      CREATE PIPELINE watch FROM feats WITH (PROVIDER = 'kubeflow', ENDPOINT = 'http://127.0.0.1:9', PIPELINE_ID = 'x', TRIGGER = 'EVERY 1000000 ROWS',
        MODEL = 'promo', LABELS = 'labels', LABEL_WINDOW = '2 SECONDS', POLL_INTERVAL = '300 MILLISECONDS', VERSION_LOAD_TIMEOUT = '2 SECONDS',
        PROMOTE_WHEN = 'ACCURACY BETTER BY 0.01 AFTER 50 ROWS');`);
    writeVersion('promo', '3', 'broken');
    const status = await load('promo');
    console.log(`MLServer answered ${status} to loading a broken version`);
    await until('LOAD_FAILED', async () => (await readTopic(t.log, 'PROMO_PROMOTIONS')).some((r) => /LOAD_FAILED/.test(Buffer.from(r.value!).toString())));
    assert.equal(championOf(e, 'PROMO'), '1');
    assert.deepEqual(await predict(), [1, 0], 'the champion keeps serving');
    const [d1] = await e.execute('DESCRIBE PIPELINE watch;');
    assert.ok(d1!.kind === 'text' && /LOAD_FAILED version 3/.test(d1!.text), d1!.kind === 'text' ? d1!.text : '');

    writeVersion('promo', '4', 'neg');
    // MLServer re-reads every version folder on load: the broken one has to go first
    removeDir(join(repo, 'promo', '3'));
    assert.equal(await load('promo'), 200);
    const p = t.log.producer();
    const T0 = Date.now();
    let i = 0;
    await until('challenger 4 in shadow with unlabelled predictions', async () => {
      await p.send('feats', Array.from({ length: 20 }, () => ({ key: Buffer.from(`k${i}`), value: Buffer.from(JSON.stringify({ X1: (i % 7) - 3, X2: 0, LABEL: (i++ % 7) - 3 > 0 ? 1 : 0 })), timestamp: T0 + i * 200 })));
      const [d] = await e.execute('DESCRIBE PIPELINE watch;');
      return d!.kind === 'text' && /version 4 in shadow: 0 labelled rows.*; [1-9]\d* predictions without label/.test(d!.text) ? d : null;
    });
    assert.equal(championOf(e, 'PROMO'), '1');
    assert.deepEqual(await predict(), [1, 0]);
    await p.close();
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
