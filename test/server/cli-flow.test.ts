/**
 * The README's server flow, as a user runs it: `riffle server --detach` owns the data directory;
 * `riffle sql`, `riffle topic ...` and `riffle run` from "another terminal" find it and talk to
 * it; `riffle server stop` stops it cleanly. Without a server, a second process on the same data
 * directory gets a one-line lock error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'riffle.js');

function riffle(args: string[], input?: string, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, RIFFLE_SERVER: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`riffle ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

test('README server flow: detached server, then sql, topic and run from another process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-cli-flow-'));
  try {
    const started = await riffle(['server', '--detach', '--data-dir', dir, '--listen', '127.0.0.1:0']);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /riffle server running at http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(existsSync(join(dir, 'server.pid')));

    const ddl = await riffle(
      ['sql', '--data-dir', dir],
      "CREATE STREAM readings (device STRING KEY, temp DOUBLE, status STRING) WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=3);\n" +
        "SET 'auto.offset.reset' = 'earliest';\n" +
        'CREATE STREAM hot AS SELECT device, ROUND(temp * 1.8 + 32, 1) AS temp_f FROM readings WHERE temp > 85;\n',
    );
    assert.equal(ddl.code, 0, ddl.stderr);
    assert.match(ddl.stdout, /on the Riffle server at http/);
    assert.match(ddl.stdout, /Stream created/);
    assert.match(ddl.stdout, /Created query with ID CSAS_HOT_\d+/);

    for (const [key, value] of [['dev-1', '{"TEMP": 91.2}'], ['dev-2', '{"TEMP": 20}'], ['dev-3', '{"TEMP": 95}']]) {
      const p = await riffle(['topic', 'produce', 'readings', '--key', key, value, '--data-dir', dir]);
      assert.equal(p.code, 0, p.stderr);
      assert.match(p.stdout, /Produced 1 record/);
    }
    const script = join(dir, 'query.sql');
    writeFileSync(script, "SET 'auto.offset.reset' = 'earliest';\nSELECT device, temp_f FROM hot EMIT CHANGES LIMIT 2;\n");
    const run = await riffle(['run', script, '--data-dir', dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /dev-1\s+\|\s+196\.2/);
    assert.match(run.stdout, /dev-3\s+\|\s+203/);
    assert.match(run.stdout, /2 rows\. Query terminated\./);

    const list = await riffle(['topic', 'list', '--data-dir', dir]);
    assert.match(list.stdout, /\| readings\s+\| 3\s+\| 3\s+\|/);
    const consumed = await riffle(['topic', 'consume', 'HOT', '--from-beginning', '--limit', '2', '--data-dir', dir]);
    assert.equal(consumed.stdout.trim().split('\n').length, 2, consumed.stdout + consumed.stderr);
    assert.match(consumed.stdout, /key: dev-1, value: \{"TEMP_F":196.2\}/);

    const stopped = await riffle(['server', 'stop', '--data-dir', dir]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.ok(!existsSync(join(dir, 'server.json')));
    assert.ok(!existsSync(join(dir, 'server.pid')));

    // The server committed and closed: a local run over the same directory sees the catalog.
    const after = await riffle(['sql', '--data-dir', dir], 'SHOW QUERIES;\n');
    assert.match(after.stdout, /CSAS_HOT_\d+/);
  } finally {
    await riffle(['server', 'stop', '--data-dir', dir]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a server, a second process on the data directory gets a one-line lock error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-lock-'));
  const log = await openEmbeddedLog(dir);
  try {
    const r = await riffle(['topic', 'list', '--data-dir', dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /locked by process \d+.*riffle server/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
