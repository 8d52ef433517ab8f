/**
 * Server load test (issue 10's acceptance): a `riffle server` process; CLIENTS HTTP/1.1 clients
 * hold push queries on a one-partition stream while RECORDS records are produced through the
 * server; every client must get every row, in order. One more client stops reading after its
 * first chunk: the server's RSS must stay bounded. Prints a JSON result; exits 1 on a failure.
 *   node bench/server-load.ts [CLIENTS=50] [RECORDS=1000000] [no-stalled]
 * `npm run load:server` runs the full size; test/server/load.test.ts a short one.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/riffle.js', import.meta.url));

export interface LoadResult {
  readonly clients: number;
  readonly records: number;
  readonly seconds: number;
  readonly allInOrder: boolean;
  readonly rowsPerSecondDelivered: number;
  readonly serverRssStartMb: number;
  readonly serverRssMaxMb: number;
  readonly serverRssEndMb: number;
  readonly stalledClientBytesRead: number;
  readonly failures: readonly string[];
}

const rssMb = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return NaN;
  }
};

async function post(url: string, path: string, body: unknown, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = http.request(url + path, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (out += d));
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(out) : reject(new Error(`${path}: ${res.statusCode} ${out}`))));
    });
    req.on('error', reject);
    req.end(text);
  });
}

export async function runLoad(clients: number, records: number, stalledClient = true): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-load-'));
  const server = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--data-dir', dir, '--log-level', 'warn', '--max-push-queries', String(clients + 10)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const failures: string[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients + 10 });
  try {
    let url = '';
    for (let i = 0; i < 300 && !url; i++) {
      if (existsSync(join(dir, 'server.json'))) url = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')).url;
      else await new Promise((r) => setTimeout(r, 100));
    }
    if (!url) throw new Error('the server did not start');
    await post(url, '/ksql', { ksql: "CREATE STREAM src (k STRING KEY, n BIGINT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON', PARTITIONS=1);" }, agent);
    const rssStart = rssMb(server.pid!);
    const query = JSON.stringify({ sql: 'SELECT n FROM src EMIT CHANGES;', properties: { 'auto.offset.reset': 'earliest' } });
    const open = (): Promise<http.IncomingMessage> =>
      new Promise((resolve, reject) => {
        const req = http.request(url + '/query-stream', { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, resolve);
        req.on('error', reject);
        req.end(query);
      });
    const counts = new Array<number>(clients).fill(0);
    let inOrder = true;
    const finished: Promise<void>[] = [];
    for (let c = 0; c < clients; c++) {
      const res = await open();
      if (res.statusCode !== 200) throw new Error(`client ${c}: HTTP ${res.statusCode}`);
      finished.push(
        new Promise<void>((resolve) => {
          let pending = '';
          let header = false;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            pending += chunk;
            let start = 0;
            for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', start)) {
              const line = pending.slice(start, nl);
              start = nl + 1;
              if (!header) {
                header = true;
                continue;
              }
              // Rows are `[n]`: the value must be the next one.
              if (Number(line.slice(1, -1)) !== counts[c]) {
                if (inOrder) failures.push(`client ${c}: expected ${counts[c]}, got ${line}`);
                inOrder = false;
              }
              counts[c]++;
            }
            pending = pending.slice(start);
            if (counts[c] >= records) {
              res.destroy();
              resolve();
            }
          });
          res.on('close', () => resolve());
        }),
      );
    }
    // The stalled client: reads one chunk, then never again.
    const stalled = stalledClient ? await open() : null;
    let stalledBytes = 0;
    stalled?.once('data', (d: Buffer) => {
      stalledBytes += d.length;
      stalled.pause();
    });
    let rssMax = rssStart;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMb(server.pid!))), 250);
    const started = Date.now();
    const BATCH = 5000;
    for (let i = 0; i < records; i += BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(records, i + BATCH); j++) batch.push({ key: `k${j % 1000}`, value: `{"N":${j}}`, timestamp: started + j });
      await post(url, '/riffle/topics/src/records', { records: batch }, agent);
    }
    const deadline = setTimeout(() => failures.push('timed out waiting for the clients'), Math.max(120_000, records / 5));
    await Promise.race([Promise.all(finished), new Promise((r) => setTimeout(r, Math.max(120_000, records / 5)))]);
    clearTimeout(deadline);
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    for (let c = 0; c < clients; c++) if (counts[c] !== records) failures.push(`client ${c} got ${counts[c]} of ${records} rows`);
    // How the stalled client weighs when everything has been produced and the others are done.
    await new Promise((r) => setTimeout(r, 2000));
    rssMax = Math.max(rssMax, rssMb(server.pid!));
    const rssEnd = rssMb(server.pid!);
    stalled?.destroy();
    return {
      clients,
      records,
      seconds,
      allInOrder: inOrder && failures.length === 0,
      rowsPerSecondDelivered: Math.round((clients * records) / seconds),
      serverRssStartMb: Math.round(rssStart),
      serverRssMaxMb: Math.round(rssMax),
      serverRssEndMb: Math.round(rssEnd),
      stalledClientBytesRead: stalledBytes,
      failures: failures.slice(0, 10),
    };
  } finally {
    agent.destroy();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const clients = Number(process.argv[2] ?? 50);
  const records = Number(process.argv[3] ?? 1_000_000);
  const r = await runLoad(clients, records, process.argv[4] !== 'no-stalled');
  console.log(JSON.stringify(r, null, 2));
  process.exit(r.allInOrder ? 0 : 1);
}
