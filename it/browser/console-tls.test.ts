/**
 * The console over HTTPS: the browser and the server agree on HTTP/2 (ALPN), so one connection
 * carries any number of running queries (over plain HTTP/1.1 the browser's 6 connections per
 * server limit the console to 4). Six push queries run at once and each gets its rows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, until, type TestServer } from '../../test/server/helpers.ts';
import { ARTIFACTS, launchChromium } from './browser.ts';

let ts: TestServer;
let browser: Browser;
let page: Page;
let cert: Buffer;

before(async () => {
  const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'riffle-console-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'));
  ts = await startTestServer({ tls: { cert, key: readFileSync(join(dir, 'key.pem')) } });
  browser = await launchChromium();
  // The certificate is the test's own, self-signed.
  page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } })).newPage();
});

after(async () => {
  await browser?.close();
  await ts?.close();
});

/** Statements from the test itself, over HTTP/2 like the browser (the CA is the test's certificate). */
async function ksql(sql: string): Promise<void> {
  const http2 = await import('node:http2');
  await new Promise<void>((resolve, reject) => {
    const session = http2.connect(ts.url, { ca: cert });
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': '/ksql', 'content-type': 'application/json' });
    let status = 0;
    let text = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      session.close();
      if (status === 200) resolve();
      else reject(new Error(`${status}: ${text}`));
    });
    req.end(JSON.stringify({ ksql: sql }));
  });
}

test('over HTTPS the console speaks HTTP/2 and runs more queries than HTTP/1.1 connections allow', async () => {
  await page.goto(`${ts.url}/`);
  await page.waitForSelector('.cm-content');
  const protocols = String(await page.evaluate("[...new Set(performance.getEntriesByType('resource').map((e) => e.nextHopProtocol))].join(',')"));
  assert.equal(protocols, 'h2');
  await ksql("CREATE STREAM r (id STRING KEY, v INT) WITH (KAFKA_TOPIC='r', PARTITIONS=1, VALUE_FORMAT='JSON');");
  for (let i = 0; i < 6; i++) {
    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(`SELECT id, v, ${i} AS q FROM r EMIT CHANGES;`);
    await page.keyboard.press('Control+Enter');
  }
  await until(async () => (await page.locator('.panel[data-state=running]').count()) === 6, 15000, 'six queries running');
  await ksql("INSERT INTO r (id, v) VALUES ('a', 1);");
  await until(async () => (await page.locator('.live[data-rows="1"]').count()) === 6, 15000, 'each query got the row');
  await page.screenshot({ path: join(ARTIFACTS, '12-https-six-queries.png'), fullPage: true });
});
