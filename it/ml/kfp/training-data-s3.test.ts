/**
 * The training-data sink's S3-compatible target against a real S3 server (moto's, from
 * scripts/ml/setup-s3.sh): with the server down the files wait, the upload error shows in
 * DESCRIBE PIPELINE and no file is handed on; once it is up every file is uploaded (data, then
 * manifest); the files read back from the bucket with pyarrow's S3 filesystem equal the query's
 * rows (count and checksum); after a restart nothing is uploaded again and the files are known.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { until } from './loop-fixture.ts';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
import { testEngine, removeDir, readTopic } from '../../../test/engine/helpers.ts';
import { readingsQuery } from '../../../test/ml/training-data/fixture.ts';
import { RowChecksum, storedKind, storedValue } from '../../../src/ml/training-data/format.ts';
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, STRING, TIMESTAMP } from '../../../src/types/sql-type.ts';

const scripts = join(import.meta.dirname, '../../../scripts/ml');
const motoServer = execFileSync('bash', [join(scripts, 'setup-s3.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
const python = execFileSync('bash', [join(scripts, 'setup-kfp.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const endpoint = `http://127.0.0.1:${port}`;
let server: ChildProcess | null = null;
after(() => server?.kill('SIGKILL'));
const creds = { accessKeyId: 'riffle', secretAccessKey: 'riffle-secret' };
const s3 = new AwsClient({ ...creds, service: 's3', region: 'us-east-1' });

async function startServer(): Promise<void> {
  server = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await until('moto_server', async () => (await fetch(`${endpoint}/moto-api/`).catch(() => null))?.ok ?? false, 60_000);
  const res = await s3.fetch(`${endpoint}/riffle-training`, { method: 'PUT' });
  assert.ok(res.ok, `create bucket: ${res.status}`);
}

test('S3 target: waits for the server, uploads every file, pyarrow reads back the query rows from the bucket, nothing twice after restart', { timeout: 300_000 }, async () => {
  let t = await testEngine();
  try {
    await readingsQuery(t.engine, t.log, 2500, 1);
    await t.engine.runUntilIdle();
    const sql = `CREATE PIPELINE d FROM features WITH (PROVIDER = 'none', TRAINING_DATA = 's3://riffle-training/exports/features', S3_ENDPOINT = '${endpoint}',
      S3_ACCESS_KEY_ID = '${creds.accessKeyId}', S3_SECRET_ACCESS_KEY = '${creds.secretAccessKey}', ROLL_ROWS = 1000, RETRY_BACKOFF = '100 MILLISECONDS');`;
    // bad S3 options are errors with the option's position
    await assert.rejects(t.engine.execute(`CREATE PIPELINE e FROM features WITH (PROVIDER = 'none', TRAINING_DATA = 's3://riffle-training/x')`), /needs S3_ENDPOINT/);
    await assert.rejects(t.engine.execute(`CREATE PIPELINE e FROM features WITH (PROVIDER = 'none', TRAINING_DATA = 's3://Bad_Bucket/x', S3_ENDPOINT = '${endpoint}')`), /expected s3:\/\/<bucket>\/<prefix>/);
    await assert.rejects(t.engine.execute(`CREATE PIPELINE e FROM features WITH (PROVIDER = 'none', S3_ENDPOINT = '${endpoint}')`), /S3_ENDPOINT is for an S3 target/);

    // 1. the server is down: files are committed locally, none handed on, the error is visible
    await t.engine.execute(sql);
    const describe = async () => {
      const [d] = await t.engine.execute('DESCRIBE PIPELINE d;');
      return d!.kind === 'text' ? d!.text : '';
    };
    await until('upload error in DESCRIBE', async () => /Upload error\s+: upload of features-000001\.manifest\.json to s3:\/\/riffle-training\/exports\/features\/: .*retrying/.test(await describe()));
    assert.match(await describe(), /-> s3:\/\/riffle-training\/exports\/features\/ \(staged in .*\) \(0 files, 0 rows/);

    // 2. the server comes up: both full files are uploaded, in order
    await startServer();
    await until('2 files in the bucket', async () => /\(2 files, 2000 rows/.test(await describe()));
    assert.doesNotMatch(await describe(), /Upload error/);
    const list = await (await s3.fetch(`${endpoint}/riffle-training?list-type=2&prefix=exports/`)).text();
    const keys = [...list.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    assert.deepEqual(keys, ['exports/features/features-000001.manifest.json', 'exports/features/features-000001.parquet', 'exports/features/features-000002.manifest.json', 'exports/features/features-000002.parquet']);

    // 3. read back from the bucket with pyarrow: the query's rows, count and checksum
    const topicRows = await readTopic(t.log, 'FEATURES');
    const types = [STRING, BIGINT, DOUBLE, BOOLEAN, STRING, BIGINT, TIMESTAMP, INTEGER, BOOLEAN];
    const env = { ...process.env, RIFFLE_S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey };
    for (const i of [0, 1]) {
      const uri = `s3://riffle-training/exports/features/features-00000${i + 1}.manifest.json`;
      const theirs = JSON.parse(execFileSync(python, [join(scripts, 'training_data_check.py'), uri], { encoding: 'utf8', env })) as { rows: number; rowsChecksum: string };
      const sum = new RowChecksum(types.map(storedKind));
      for (const r of topicRows.slice(i * 1000, (i + 1) * 1000)) {
        const v = JSON.parse(Buffer.from(r.value!).toString('utf8'));
        const cols = [Buffer.from(r.key!).toString('utf8'), v.SEQ, v.TEMP2, v.OK, v.NOTE, v.BIG, v.AT, v.N, v.LABEL];
        sum.add(cols.map((c, j) => storedValue(c ?? null, types[j]!)));
      }
      assert.equal(theirs.rows, 1000);
      assert.equal(theirs.rowsChecksum, sum.digest(), `file ${i + 1}: the bucket's rows differ from the query's`);
    }

    // 4. restart: the files are found in the bucket (HEAD), nothing is uploaded again
    const stamps = (xml: string) => [...xml.matchAll(/<LastModified>([^<]+)<\/LastModified>/g)].map((m) => m[1]);
    const before = stamps(list);
    await new Promise((r) => setTimeout(r, 1100)); // LastModified has a resolution of a second
    await t.close();
    t = await testEngine({}, t.dir);
    await t.engine.runUntilIdle();
    await until('files known after restart', async () => /\(2 files, 2000 rows/.test(await describe()));
    await new Promise((r) => setTimeout(r, 500));
    const again = stamps(await (await s3.fetch(`${endpoint}/riffle-training?list-type=2&prefix=exports/`)).text());
    assert.equal(again.length, 4);
    assert.deepEqual(again, before, 'no object was written again');
  } finally {
    await t.close();
    removeDir(t.dir);
  }
});
