/**
 * Push-query delivery over HTTP against the same push query in-process (issue 10's benchmark):
 * RECORDS records in a one-partition stream; the same `SELECT ... EMIT CHANGES LIMIT RECORDS`
 * (a) in-process, rows counted in onRows, and (b) on POST /query-stream (HTTP/1.1, delimited),
 * rows framed (split at newlines, the last one parsed and checked) by a client in its own
 * process, or each row JSON-parsed with `parse`; alternated ROUNDS times in one run, best of
 * each. Prints rows/s of both and the ratio http / in-process (target >= 0.7).
 *   node bench/server-push.ts [RECORDS=500000] [ROUNDS=3] [parse]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../src/log/embedded/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { RiffleServer } from '../src/server/server.ts';
import { createLogger } from '../src/server/logger.ts';

export interface PushBenchResult {
  readonly records: number;
  readonly inProcessRowsPerSecond: number;
  readonly httpRowsPerSecond: number;
  readonly ratio: number;
}

const SQL = (n: number) => `SELECT k, n, s FROM src EMIT CHANGES LIMIT ${n};`;

/** The HTTP client: POST /query-stream, parse every row, report rows and seconds (request to last row). */
const CLIENT = `
import http from 'node:http';
const [url, body, mode] = process.argv.slice(-3);
const parse = mode === 'parse';
const started = performance.now();
const req = http.request(url + '/query-stream', { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
  let pending = '';
  let count = -1;
  let last = 0;
  let lastRow = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => {
    pending += chunk;
    let start = 0;
    let nl = pending.indexOf('\\n');
    for (; nl >= 0; nl = pending.indexOf('\\n', start)) {
      if (parse && count >= 0) JSON.parse(pending.slice(start, nl));
      count++;
      last = start;
      start = nl + 1;
    }
    lastRow = pending.slice(last, start - 1);
    pending = pending.slice(start);
    last = 0;
  });
  res.on('end', () => process.stdout.write(JSON.stringify({ rows: count, seconds: (performance.now() - started) / 1000, lastRow })));
});
req.end(body);
`;

export async function runPushBench(records: number, rounds: number, parseRows = false): Promise<PushBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-push-bench-'));
  const log = await openEmbeddedLog(dir);
  const engine = await Engine.open({ log });
  const server = new RiffleServer({ engine, port: 0, logger: createLogger('warn') });
  try {
    await server.start();
    await engine.execute("CREATE STREAM src (k STRING KEY, n BIGINT, s STRING) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON', PARTITIONS=1);");
    const producer = log.producer();
    for (let i = 0; i < records; i += 10_000) {
      const batch = [];
      for (let j = i; j < Math.min(records, i + 10_000); j++) batch.push({ key: Buffer.from(`key-${j % 1000}`), value: Buffer.from(`{"N":${j},"S":"value-${j % 97}"}`), timestamp: 1_700_000_000_000 + j });
      await producer.send('src', batch);
    }
    await producer.close();
    engine.properties.set('auto.offset.reset', 'earliest');
    const inProcess = async (): Promise<number> => {
      const started = performance.now();
      const [r] = await engine.execute(SQL(records));
      if (r.kind !== 'push') throw new Error('not a push query');
      let rows = 0;
      r.query.onRows = (batch) => (rows += batch.length);
      r.query.start();
      await r.query.done;
      if (rows !== records) throw new Error(`in-process: ${rows} rows`);
      return records / ((performance.now() - started) / 1000);
    };
    // The client is its own process, as a real client is: its parsing does not share the server's thread.
    const overHttp = async (): Promise<number> => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, server.url, JSON.stringify({ sql: SQL(records), properties: { 'auto.offset.reset': 'earliest' } }), parseRows ? 'parse' : 'count'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      await new Promise((r) => child.once('exit', r));
      const { rows, seconds, lastRow } = JSON.parse(out) as { rows: number; seconds: number; lastRow: string };
      if (rows !== records) throw new Error(`http: ${rows} rows`);
      // Every row was delivered, and the last one is the last record's.
      const [, n] = JSON.parse(lastRow) as [string, number, string];
      if (n !== records - 1) throw new Error(`http: last row ${lastRow}`);
      return records / seconds;
    };
    let bestIn = 0;
    let bestHttp = 0;
    for (let i = 0; i < rounds; i++) {
      bestIn = Math.max(bestIn, await inProcess());
      bestHttp = Math.max(bestHttp, await overHttp());
    }
    return { records, inProcessRowsPerSecond: Math.round(bestIn), httpRowsPerSecond: Math.round(bestHttp), ratio: Math.round((bestHttp / bestIn) * 100) / 100 };
  } finally {
    await server.stop();
    await engine.close();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runPushBench(Number(process.argv[2] ?? 500_000), Number(process.argv[3] ?? 3), process.argv[4] === 'parse');
  console.log(JSON.stringify(r, null, 2));
  process.exit(r.ratio >= 0.7 ? 0 : 1);
}
