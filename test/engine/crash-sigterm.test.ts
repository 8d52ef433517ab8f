/**
 * A query in ERROR never keeps `riffle run` from stopping: SIGTERM ends the process (the failed
 * query's uncommitted state is dropped, not flushed), and the reason the query stopped is in the
 * processing log. The query is made to fail by a regular file where its state directory belongs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { PROCESSING_LOG_TOPIC } from '../../src/exec/processing-log.ts';

const BIN = fileURLToPath(new URL('../../bin/riffle.js', import.meta.url));

test('riffle run with a query in ERROR stops on SIGTERM, and the processing log says why the query stopped', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-sigterm-'));
  try {
    const data = join(dir, 'data');
    mkdirSync(join(data, 'state', 'state'), { recursive: true });
    writeFileSync(join(data, 'state', 'state', 'CTAS_TOTALS_0'), 'not a directory');
    const sql = join(dir, 'q.sql');
    writeFileSync(
      sql,
      `CREATE STREAM clicks (user STRING KEY, v INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
       CREATE TABLE totals AS SELECT user, COUNT(*) AS n FROM clicks GROUP BY user EMIT CHANGES;
       INSERT INTO clicks (user, v) VALUES ('a', 1);`,
    );
    const child = spawn(process.execPath, [BIN, 'run', sql, '--data-dir', data], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    const deadline = Date.now() + 30_000;
    while (!/CTAS_TOTALS_0: ERROR/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(err, /CTAS_TOTALS_0: ERROR/, 'the query is in ERROR');
    child.kill('SIGTERM');
    const t0 = Date.now();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const end = await exited;
    clearTimeout(timer);
    assert.notEqual(end.signal, 'SIGKILL', `riffle run ignored SIGTERM (stderr: ${err.slice(-300)})`);
    assert.ok(Date.now() - t0 < 15_000);

    const log = await openEmbeddedLog(data);
    try {
      const c = log.consumer({ groupId: 'check', topics: [PROCESSING_LOG_TOPIC], fromBeginning: true });
      const entries = (await c.poll(1000, 500)).map((r) => JSON.parse(Buffer.from(r.value!).toString()) as { type: string; queryId: string; reason: string });
      await c.close();
      const e = entries.find((x) => x.type === 'QUERY_ERROR' && x.queryId === 'CTAS_TOTALS_0');
      assert.ok(e, `a QUERY_ERROR entry: ${JSON.stringify(entries)}`);
      assert.match(e.reason, /Query stopped: /);
    } finally {
      await log.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
