/**
 * Request fuzzing of the server (issue 10's acceptance): PER_ENDPOINT mutated or random bodies
 * to each POST endpoint, with valid credentials so they reach the handlers. Every answer must be
 * < 500, and the server must still answer /healthcheck at the end. Mutations: byte flips,
 * inserted/deleted/duplicated ranges, truncation, JSON values replaced by other types, random
 * bytes, deep nesting, huge numbers, long strings, NUL and unpaired surrogates.
 *   node bench/server-fuzz.ts [PER_ENDPOINT=10000] [SEED=1]
 * `npm run fuzz:server` runs the full size; test/server/fuzz.test.ts a short one.
 */
import http from 'node:http';
import { hash } from '@node-rs/argon2';
import { Authenticator } from '../src/server/auth.ts';
import { startTestServer } from '../test/server/helpers.ts';
import { mulberry32 as rng } from '../test/helpers/random.ts';

export interface FuzzResult {
  readonly perEndpoint: number;
  readonly requests: number;
  readonly byStatus: Record<string, number>;
  readonly serverErrors: readonly string[];
  readonly aliveAtEnd: boolean;
}

const SEEDS: Record<string, string[]> = {
  '/ksql': [
    '{"ksql":"SHOW STREAMS;","streamsProperties":{}}',
    `{"ksql":"CREATE STREAM f1 (id STRING KEY, v INT, m MAP<STRING, DOUBLE>) WITH (KAFKA_TOPIC='f1', VALUE_FORMAT='JSON', PARTITIONS=1);"}`,
    `{"ksql":"INSERT INTO s (id, v) VALUES ('a', 1);","streamsProperties":{"auto.offset.reset":"earliest"}}`,
    '{"ksql":"DESCRIBE s; EXPLAIN SELECT * FROM s EMIT CHANGES;","sessionVariables":{"x":"1"}}',
    `{"ksql":"SELECT * FROM t WHERE id = 'a';"}`,
  ],
  '/query-stream': [`{"sql":"SELECT * FROM t WHERE id = 'a';"}`, '{"sql":"SELECT id, v * 2 FROM s EMIT CHANGES LIMIT 1;","properties":{"auto.offset.reset":"earliest"}}'],
  '/query': [`{"ksql":"SELECT * FROM t;"}`, '{"ksql":"SELECT id FROM s EMIT CHANGES LIMIT 1;","streamsProperties":{"ksql.streams.auto.offset.reset":"earliest"}}'],
  '/inserts-stream': ['{"target":"S"}\n{"ID":"a","V":1}\n{"ID":"b","V":2}\n'],
  '/close-query': ['{"queryId":"transient_S_1"}'],
  '/ksql/terminate': ['{"deleteTopicList":["x"]}', '{}'],
  '/is_valid_property/ksql.streams.foo': ['{}'],
  '/riffle/topics': ['{"name":"fz","partitions":2}'],
  '/riffle/topics/s/records': ['{"records":[{"key":"a","value":"{\\"V\\":1}","timestamp":1}]}'],
};

const ODD_VALUES: unknown[] = [null, true, 0, -1, 1e308, 9223372036854775808, '', 'x'.repeat(5000), [], {}, [[[]]], { a: { b: { c: 1 } } }, '\u0000', '\ud800', 'SELECT', ';;;', "'", '`'];

function mutate(seed: string, r: () => number): string | Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const n = seed.length;
  const at = () => Math.floor(r() * (n + 1));
  switch (Math.floor(r() * 12)) {
    case 0: {
      const b = Buffer.from(seed);
      for (let i = 0, k = 1 + Math.floor(r() * 4); i < k; i++) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
      return b;
    }
    case 1: {
      const i = at();
      return seed.slice(0, i) + String.fromCharCode(Math.floor(r() * 0x3000)) + seed.slice(i);
    }
    case 2: {
      const i = at();
      return seed.slice(0, i) + seed.slice(i + 1 + Math.floor(r() * 20));
    }
    case 3: {
      const i = at();
      const j = Math.min(n, i + Math.floor(r() * 30));
      return seed.slice(0, j) + seed.slice(i, j) + seed.slice(j);
    }
    case 4:
      return seed.slice(0, at());
    case 5:
    case 6:
    case 7: {
      // Structural: replace a value (or a key) somewhere in the JSON by something of another type.
      const lines = seed.split('\n');
      const li = Math.floor(r() * lines.length);
      let obj: unknown;
      try {
        obj = JSON.parse(lines[li]);
      } catch {
        return seed;
      }
      const walk = (v: unknown, depth: number): unknown => {
        if (v && typeof v === 'object' && depth < 4 && r() < 0.7) {
          if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
          const out: Record<string, unknown> = {};
          for (const [k, x] of Object.entries(v)) {
            if (r() < 0.1) continue;
            out[r() < 0.1 ? pick(['bogus', 'KSQL', '__proto__', 'constructor', '']) : k] = walk(x, depth + 1);
          }
          if (r() < 0.1) out[pick(['extra', 'sql', 'ksql', 'target'])] = pick(ODD_VALUES);
          return out;
        }
        if (typeof v === 'string' && r() < 0.5) {
          const s = v;
          const i = Math.floor(r() * (s.length + 1));
          return s.slice(0, i) + pick(['(', ')', "'", ',', ' EMIT CHANGES', ' WHERE ', 'NULL', '${x}', '\u0000', '1e999', ' -- ', ';', 'CAST(', ' LIMIT -1']) + s.slice(i);
        }
        return r() < 0.5 ? pick(ODD_VALUES) : v;
      };
      lines[li] = JSON.stringify(walk(obj, 0));
      return lines.join('\n');
    }
    case 8: {
      const len = Math.floor(r() * 300);
      const b = Buffer.alloc(len);
      for (let i = 0; i < len; i++) b[i] = Math.floor(r() * 256);
      return b;
    }
    case 9: {
      const d = 1 + Math.floor(r() * 20000);
      return '['.repeat(d) + ']'.repeat(r() < 0.5 ? d : 0);
    }
    case 10:
      return `{"ksql":${'9'.repeat(1 + Math.floor(r() * 400))},"sql":-0.${'0'.repeat(300)}1e-99999}`;
    default:
      return pick(['', 'null', '[]', '{}', '"str"', '123', 'true', '{"a":', '\u0000\u0000', '{"ksql":"\\ud800"}', '{"sql":"\\u0000"}']);
  }
}

export async function runFuzz(perEndpoint: number, seed = 1): Promise<FuzzResult> {
  const auth = new Authenticator({ users: [{ name: 'fuzz', passwordHash: await hash('fuzz'), role: 'admin' }] });
  const ts = await startTestServer({ authenticator: auth, maxPushQueriesPerUser: 1000 });
  const authorization = `Basic ${Buffer.from('fuzz:fuzz').toString('base64')}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const byStatus: Record<string, number> = {};
  const serverErrors: string[] = [];
  const r = rng(seed);
  const send = (path: string, body: string | Buffer): Promise<number> =>
    new Promise((resolve) => {
      const req = http.request(ts.url + path, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const status = res.statusCode ?? 0;
        // Streaming answers (push queries) are read briefly, then dropped: the server must end the query.
        const timer = setTimeout(() => res.destroy(), 200);
        res.resume();
        res.on('close', () => {
          clearTimeout(timer);
          resolve(status);
        });
      });
      req.on("error", () => resolve(-1));
      req.end(body);
    });
  try {
    const setup = await send('/ksql', JSON.stringify({ ksql: "CREATE STREAM s (id STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE TABLE t (id STRING PRIMARY KEY, v INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);" }));
    if (setup !== 200) throw new Error(`setup failed: ${setup}`);
    let requests = 0;
    for (const [path, seeds] of Object.entries(SEEDS)) {
      const jobs: Promise<void>[] = [];
      let next = 0;
      const worker = async () => {
        while (next < perEndpoint) {
          next++;
          const body = mutate(seeds[Math.floor(r() * seeds.length)], r);
          const status = await send(path, body);
          requests++;
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          if (status >= 500 || status === -1) {
            if (serverErrors.length < 20) serverErrors.push(`${path} ${status}: ${Buffer.from(body).toString('utf8').slice(0, 200)}`);
          }
        }
      };
      for (let w = 0; w < 8; w++) jobs.push(worker());
      await Promise.all(jobs);
    }
    const health = await fetch(ts.url + '/healthcheck').then((x) => x.status).catch(() => 0);
    return { perEndpoint, requests, byStatus, serverErrors, aliveAtEnd: health === 200 };
  } finally {
    agent.destroy();
    await ts.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const res = await runFuzz(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 1));
  console.log(JSON.stringify(res, null, 2));
  process.exit(res.serverErrors.length === 0 && res.aliveAtEnd ? 0 : 1);
}
