import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import { startTestServer, type TestServer } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'riffle-console-'));
const built = join(dir, 'built');
const script = `console.log(${JSON.stringify('x'.repeat(5000))});`;
let withConsole: TestServer;
let withoutConsole: TestServer;

before(async () => {
  mkdirSync(join(built, 'assets'), { recursive: true });
  writeFileSync(join(built, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(join(built, 'assets', 'index-abc123.js'), script);
  withConsole = await startTestServer({ consoleDir: built });
  withoutConsole = await startTestServer({ consoleDir: join(dir, 'missing') });
});

after(async () => {
  await withConsole.close();
  await withoutConsole.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw HTTP/1.1 GET (fetch would undo gzip and hide content-encoding). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('/ serves the built page, revalidated, with a content security policy', async () => {
  const r = await get(`${withConsole.url}/`);
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/html/);
  assert.equal(r.headers['cache-control'], 'no-cache');
  assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
  assert.match(r.body.toString(), /index-abc123\.js/);
});

test('hashed assets are immutable and gzipped for clients that accept it', async () => {
  const plain = await get(`${withConsole.url}/assets/index-abc123.js`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(plain.headers['content-type']), /^text\/javascript/);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString(), script);
  const gz = await get(`${withConsole.url}/assets/index-abc123.js`, { 'accept-encoding': 'gzip, br' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.body.length < script.length / 10);
  assert.equal(gunzipSync(gz.body).toString(), script);
});

test('unknown and escaping asset paths are 404', async () => {
  assert.equal((await get(`${withConsole.url}/assets/nope.js`)).status, 404);
  assert.equal((await get(`${withConsole.url}/assets/..%2Findex.html`)).status, 404);
  assert.equal((await get(`${withConsole.url}/assets/.hidden`)).status, 404);
});

test('without a build, / says how to build the console (and the API still works)', async () => {
  const r = await get(`${withoutConsole.url}/`);
  assert.equal(r.status, 503);
  assert.match(r.body.toString(), /not built[\s\S]*npm run build:console/);
  assert.equal((await get(`${withoutConsole.url}/info`)).status, 200);
});
