/**
 * The web console in a real browser (Debian's Chromium via playwright-core) against a real
 * Riffle server with authentication on: log in, create a stream and run a push query from the
 * editor, see rows arrive while records are inserted (pause holds them back), an error marked at
 * its position, a query's plan, a trained model's chart moving, the processing log and the
 * message browser, and a read-only user refused DDL. Screenshots of every page go to
 * test-artifacts/console/; figures (first load, bundle sizes) to figures.json there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { hash } from '@node-rs/argon2';
import type { Browser, Page } from 'playwright-core';
import { Authenticator } from '../../src/server/auth.ts';
import { DEFAULT_CONSOLE_DIR } from '../../src/server/console-routes.ts';
import { startTestServer, h1, until, type TestServer } from '../../test/server/helpers.ts';
import { ARTIFACTS, launchChromium } from './browser.ts';
import { trainedRegistry } from '../../src/engine/model-train.ts';

const ADMIN = { authorization: `Basic ${Buffer.from('alice:alice-secret').toString('base64')}` };
let ts: TestServer;
let browser: Browser;
let page: Page;
const figures: Record<string, unknown> = {};
const pageErrors: string[] = [];

before(async () => {
  const auth = new Authenticator({
    users: [
      { name: 'alice', passwordHash: await hash('alice-secret'), role: 'admin' },
      { name: 'bob', passwordHash: await hash('bob-secret'), role: 'read-only' },
    ],
  });
  ts = await startTestServer({ authenticator: auth });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  writeFileSync(join(ARTIFACTS, 'figures.json'), JSON.stringify(figures, null, 2) + '\n');
  await browser?.close();
  await ts?.close();
});

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

async function insert(sql: string): Promise<void> {
  const r = await h1(ts.url, '/ksql', { ksql: sql }, ADMIN);
  assert.equal(r.status, 200, r.text);
}

/** Replaces the editor's text (insertText: no key events, so completion cannot take an Enter) and runs it. */
async function runInEditor(sql: string, how: 'statement' | 'script' = 'statement'): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(sql);
  await page.keyboard.press(how === 'statement' ? 'Control+Enter' : 'Control+Shift+Enter');
}

async function login(user: string, password: string): Promise<void> {
  await page.waitForSelector('#login');
  await page.fill('#login-user', user);
  await page.fill('#login-password', password);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#whoami');
}

test('first load, bundle sizes, log in', async () => {
  // First load = a browser context with an empty cache, the browser itself already started. The
  // figure is the page's own Navigation Timing: from its fetchStart (the browser begins to fetch
  // the document; what came before is Chromium opening the tab and its renderer, not the page) to
  // the console's mark when the login form is in the DOM (shell.ts / main.ts). The breakdown and
  // the time the test itself sees are reported with it.
  type Sample = { screenMs: number; fromNavigationStartMs: number; documentMs: number; wallMs: number };
  const samples: Sample[] = [];
  const coldLoad = async (): Promise<Sample> => {
    const context = await browser.newContext();
    try {
      const fresh = await context.newPage();
      const started = Date.now();
      await fresh.goto(`${ts.url}/`);
      await fresh.waitForSelector('#login');
      const wallMs = Date.now() - started;
      // A string: it runs in the page.
      const t = (await fresh.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0]; const m = performance.getEntriesByName('riffle:first-screen')[0]; return { fetchStart: n.fetchStart, responseEnd: n.responseEnd, mark: m.startTime }; })()",
      )) as { fetchStart: number; responseEnd: number; mark: number };
      return { screenMs: Math.round(t.mark - t.fetchStart), fromNavigationStartMs: Math.round(t.mark), documentMs: Math.round(t.responseEnd - t.fetchStart), wallMs };
    } finally {
      await context.close();
    }
  };
  for (let i = 0; i < 3; i++) samples.push(await coldLoad());
  // A busy machine (other test suites, other builds) can slow every one of three: three more, all reported.
  if (Math.min(...samples.map((x) => x.screenMs)) >= 1000) for (let i = 0; i < 3; i++) samples.push(await coldLoad());
  const screens = samples.map((x) => x.screenMs);
  const loads = samples.map((x) => x.wallMs);
  // Also cold, but logged in already (the tab's credentials set before the page runs): to a ready editor.
  const context = await browser.newContext();
  await context.addInitScript({ content: `sessionStorage.setItem('riffle.console.auth', ${JSON.stringify(ADMIN.authorization)});` });
  const fresh = await context.newPage();
  const coldStarted = Date.now();
  await fresh.goto(`${ts.url}/`);
  await fresh.waitForSelector('.cm-content');
  figures.coldToEditorMs = Date.now() - coldStarted;
  figures.coldToEditorScreenMs = Math.round(Number(await fresh.evaluate("performance.getEntriesByName('riffle:first-screen')[0].startTime - performance.getEntriesByType('navigation')[0].fetchStart")));
  await context.close();
  const assets = readdirSync(join(DEFAULT_CONSOLE_DIR, 'assets')).map((f) => {
    const raw = readFileSync(join(DEFAULT_CONSOLE_DIR, 'assets', f));
    return { file: f, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  });
  const firstLoadMs = Math.min(...screens);
  Object.assign(figures, { firstScreenMs: screens, firstLoadSamples: samples, firstLoadWallMs: loads, assets, totalRaw: assets.reduce((n, a) => n + a.raw, 0), totalGzip: assets.reduce((n, a) => n + a.gzip, 0) });
  console.log(
    `first load, cold cache: login form at ${screens.join(', ')} ms after the page's fetchStart (${samples.map((x) => x.fromNavigationStartMs).join(', ')} ms after navigation start; document in ${samples.map((x) => x.documentMs).join(', ')} ms; ${loads.join(', ')} ms as the test sees it); ` +
      `logged in, to a ready editor ${String(figures.coldToEditorScreenMs)} ms after fetchStart (${String(figures.coldToEditorMs)} ms); bundle ${JSON.stringify(assets)}`,
  );
  // The fastest of three (six on a busy machine): a heavy bundle or a slow route still fails it.
  assert.ok(firstLoadMs < 1000, `first load took ${screens.join(', ')} ms (from fetchStart)`);
  await page.goto(`${ts.url}/`);
  await page.waitForSelector('#login');
  await shot('01-login');
  await page.fill('#login-user', 'alice');
  await page.fill('#login-password', 'wrong');
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#login-error:has-text("Wrong user name or password")');
  await login('alice', 'alice-secret');
  assert.equal(await page.textContent('#whoami'), 'alice (admin)');
  // A reload once logged in: assets from the browser's cache (immutable), the editor ready.
  const reloadStarted = Date.now();
  await page.reload();
  await page.waitForSelector('.cm-content');
  await page.waitForSelector('#whoami');
  figures.reloadToEditorMs = Date.now() - reloadStarted;
  console.log(`reload to a ready editor (logged in, cached assets) ${String(figures.reloadToEditorMs)} ms`);
});

test('editor: CREATE STREAM, push query with rows arriving, pause, stop', async () => {
  await runInEditor("CREATE STREAM readings (id STRING KEY, v DOUBLE, label INT) WITH (KAFKA_TOPIC='readings', PARTITIONS=1, VALUE_FORMAT='JSON');");
  await page.waitForSelector('.panel .entity >> text=Stream created');
  // Completion offers the new stream (and its columns) from the live catalog.
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('SELECT * FROM REA');
  await page.keyboard.press('Control+Space');
  await page.waitForSelector('.cm-tooltip-autocomplete li:has-text("READINGS")');
  await page.keyboard.press('Escape');
  await runInEditor('SELECT id, v, label FROM readings EMIT CHANGES;');
  const panel = page.locator('.panel[data-state]').first();
  await until(async () => (await panel.getAttribute('data-state')) === 'running', 15000, 'push query running');
  const rows = async () => Number((await panel.locator('.live').getAttribute('data-rows')) ?? 0);
  for (let i = 0; i < 5; i++) await insert(`INSERT INTO readings (id, v, label) VALUES ('k${i}', ${i}.5, ${i % 2});`);
  await until(async () => (await rows()) >= 5, 15000, '5 rows in the live table');
  // Paused: the console stops reading, the server holds the query back; rows show after resume.
  await panel.locator('button.pause').click();
  await until(async () => (await panel.getAttribute('data-state')) === 'paused', 5000, 'paused');
  const atPause = await rows();
  for (let i = 5; i < 8; i++) await insert(`INSERT INTO readings (id, v, label) VALUES ('k${i}', ${i}.5, ${i % 2});`);
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(await rows(), atPause, 'no rows are shown while paused');
  await panel.locator('button.pause').click();
  await until(async () => (await rows()) >= 8, 15000, 'rows after resume');
  assert.equal(await panel.locator('tbody tr').first().locator('td').first().textContent(), 'k0');
  await shot('02-editor-push-query');
  await panel.locator('button.stop').click();
  await until(async () => (await panel.getAttribute('data-state')) === 'stopped', 10000, 'stopped');
  await until(async () => (await h1(ts.url, '/riffle/console/queries', undefined, ADMIN)).status === 200 && ts.server.queries.size === 0, 10000, 'the server ended the push query');
});

test('editor: an error is marked at its line:column', async () => {
  await runInEditor('SHOW STREAMS;\nCREATE STREAM bad AS\n  SELECT nope FROM readings;', 'script');
  await page.waitForSelector('.panel.failed .error');
  const message = await page.textContent('.panel.failed .error');
  assert.match(message ?? '', /^3:10: (Line: 3, Col: 10: )?SELECT column 'NOPE' cannot be resolved/);
  const marked = page.locator('.cm-lintRange-error');
  await marked.waitFor();
  assert.equal(await marked.textContent(), 'nope');
  await shot('03-editor-error');
});

test('editor: a script with SET applies it to the statements after it; a pull query gives a table', async () => {
  await runInEditor("SET 'auto.offset.reset' = 'earliest';\nCREATE TABLE counts AS SELECT label, COUNT(*) AS n FROM readings GROUP BY label;", 'script');
  await page.waitForSelector('.entity >> text=/Created query with ID CTAS_COUNTS/');
  await until(async () => {
    await runInEditor('SELECT label, n FROM counts;');
    const panel = page.locator('.panel[data-state]').first();
    await until(async () => (await panel.getAttribute('data-state')) === 'done', 10000, 'the pull query ended');
    return Number(await panel.locator('.live').getAttribute('data-rows')) === 2;
  }, 15000, 'the pull query gives both labels (the table read the stream from the beginning)');
  const cells = await page.locator('.panel[data-state=done]').first().locator('tbody td').allTextContents();
  assert.deepEqual(cells.sort(), ['0', '1', '4', '4']);
  await shot('04-editor-pull-query');
});

test('catalog and a query plan with live rates', async () => {
  await runInEditor(
    "CREATE STREAM doubled AS SELECT id, v * 2 AS w FROM readings WHERE v > 1;\nCREATE MODEL trained WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'label', METRICS_EVERY = 5) AS SELECT v, label FROM readings;",
    'script',
  );
  await page.waitForSelector('.entity >> text=Created model TRAINED');
  await page.goto(`${ts.url}/#/catalog`);
  const link = page.locator('#catalog-queries a', { hasText: /^CSAS_DOUBLED/ });
  await link.waitFor();
  await page.waitForSelector('#catalog-topics td >> text=readings');
  await shot('05-catalog');
  await link.click();
  await page.waitForSelector('#plan-graph svg .step');
  const steps = await page.locator('#plan-graph svg .step .kind').allTextContents();
  assert.deepEqual(steps, ['SINK', 'PROJECT', 'FILTER', 'SOURCE']);
  // Records keep flowing (one every 100 ms) while the page polls: every step, the intermediate
  // filter and projection included, shows its own rows out per second (src/exec/step-rows.ts).
  let flowing = true;
  const producing = (async () => {
    for (let i = 0; flowing; i++) {
      await insert(`INSERT INTO readings (id, v, label) VALUES ('p${i}', ${i % 5}.0, 1);`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const stepRate = async (kind: string) => {
    const g = page.locator(`#plan-graph .step-${kind}`);
    return { rate: Number((await g.getAttribute('data-rate')) || 0), rows: Number((await g.getAttribute('data-rows')) || 0), text: (await g.locator('.rate').textContent()) ?? '' };
  };
  try {
    await until(async () => {
      const [source, filter, project, sink] = await Promise.all(['source', 'filter', 'project', 'sink'].map(stepRate));
      // v > 1 passes 3 of every 5 records: the filter's rate is below the source's
      return source.rate > 0 && filter.rate > 0 && project.rate > 0 && sink.rate > 0 && filter.rows < source.rows;
    }, 20000, 'every step shows a non-zero rate while records flow');
  } finally {
    flowing = false;
    await producing;
  }
  const filter = await stepRate('filter');
  assert.match(filter.text, /^[\d.]+k?\/s · [1-9]\d* rows out$/);
  figures.planFilterStep = filter;
  console.log(`plan page, filter step while records flow: ${filter.text}`);
  await page.waitForSelector('#query-stats [data-role=state]:has-text("RUNNING")');
  await shot('06-plan');
});

test('a trained model page: its metric chart moves as records arrive', async () => {
  await page.goto(`${ts.url}/#/models/TRAINED`);
  const chart = page.locator('#trained .chart').first();
  await chart.waitFor({ timeout: 15000 });
  const points = async () => Number((await chart.getAttribute('data-points')) ?? 0);
  const before = await points();
  for (let i = 0; i < 20; i++) await insert(`INSERT INTO readings (id, v, label) VALUES ('m${i}', ${i % 7}.0, ${i % 7 > 3 ? 1 : 0});`);
  await until(async () => (await points()) > before, 15000, 'the metric chart got new points');
  assert.match((await page.textContent('#model-describe')) ?? '', /Training query/);
  await shot('07-model');
});

test('a model called by a query: its call charts move (ONNX, exported from the trained one, run in process)', async () => {
  const file = join(ts.dir, 'trained.onnx');
  await insert(`EXPORT MODEL trained TO '${file}';`);
  await insert(`CREATE MODEL scorer WITH (PROVIDER = 'onnx', MODEL_PATH = '${file}');`);
  await insert('CREATE STREAM scored AS SELECT id, PREDICT(scorer, v)->probability AS p FROM readings;');
  await page.goto(`${ts.url}/#/models/SCORER`);
  const latency = page.locator('#chart-latency');
  await latency.waitFor();
  const points = async () => Number((await latency.getAttribute('data-points')) ?? 0);
  const before = await points();
  for (let i = 0; i < 10; i++) await insert(`INSERT INTO readings (id, v, label) VALUES ('s${i}', ${i}.0, 0);`);
  await until(async () => (await points()) > before && Number(await page.locator('#chart-batch').getAttribute('data-points')) > 0, 15000, 'the call charts got points');
  await page.waitForSelector('#chart-latency polyline.series', { state: 'attached' });
  await page.waitForSelector('#no-calls', { state: 'hidden' });
  await shot('08-model-calls');
});

/** Deterministic uniform(-1, 1) rows; concept 'a': LABEL = x1 > 0, concept 'b': LABEL = x1 < 0. */
function labelled(seed: number, n: number, concept: 'a' | 'b', t0: number) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: n }, (_, i) => {
    const x1 = rnd();
    const x2 = rnd();
    return { value: JSON.stringify({ X1: x1, X2: x2, LABEL: (concept === 'a' ? x1 > 0 : x1 < 0) ? 1 : 0 }), timestamp: t0 + i };
  });
}

test('champion against challenger: a trained model\'s new version in shadow, both versions\' accuracy side by side, then promoted', async () => {
  const produce = async (records: { value: string; timestamp: number }[]) => {
    const r = await h1(ts.url, '/riffle/topics/cc_readings/records', { records }, ADMIN);
    assert.equal(r.status, 200, r.text);
  };
  await insert("CREATE STREAM cc_readings (x1 DOUBLE, x2 DOUBLE, label INT) WITH (KAFKA_TOPIC='cc_readings', VALUE_FORMAT='JSON', PARTITIONS=1);");
  await insert("CREATE MODEL cc WITH (TYPE = 'LOGISTIC_REGRESSION', LABEL = 'label', SNAPSHOT_EVERY = 400) AS SELECT x1, x2, label FROM cc_readings;");
  await produce(labelled(1, 400, 'a', 0));
  const registry = trainedRegistry(ts.server.engine);
  await until(() => registry.versions.get('CC')?.length === 1, 20000, 'version 1');
  await insert('ALTER MODEL cc PROMOTE WHEN accuracy BETTER BY 0.2 AFTER 200 ROWS;');
  await until(() => registry.pinned.get('CC') === 1, 20000, 'version 1 pinned');
  await page.goto(`${ts.url}/#/models/CC`);
  const section = page.locator('#champion-challenger');
  await section.waitFor();
  // The concept flips: its 400 rows make version 2, taken as the challenger.
  await produce(labelled(2, 400, 'b', 1000));
  await page.waitForSelector('#champion-challenger >> text=/Version 2 in shadow against champion 1/', { timeout: 20000 });
  await new Promise((r) => setTimeout(r, 700)); // the shadow reader starts at the end of the stream
  // Labelled rows a few at a time: the chart gets points while the evaluation is under way.
  for (let i = 0; i < 40 && Number((await page.locator('#chart-champion-challenger').getAttribute('data-points', { timeout: 200 }).catch(() => null)) ?? 0) < 4; i++) {
    await produce(labelled(3 + i, 5, 'b', 2000 + i * 5));
    await new Promise((r) => setTimeout(r, 250));
  }
  const rows = Number(await section.getAttribute('data-rows'));
  const champion = Number(await section.getAttribute('data-champion-value'));
  const challenger = Number(await section.getAttribute('data-challenger-value'));
  assert.ok(rows > 0 && rows < 200, `under way: ${rows} rows`);
  assert.ok(challenger > champion, `challenger ${challenger} vs champion ${champion}`);
  assert.match((await section.locator('.bar-challenger .bar-value').textContent()) ?? '', /^ACCURACY 0\.\d{4}|^ACCURACY 1\.0000/);
  await shot('12-champion-challenger');
  figures.championChallengerUnderWay = { rows, champion, challenger };
  await produce(labelled(99, 300, 'b', 5000));
  await page.waitForSelector('#champion-challenger li >> text=/PROMOTE version 2 \\(\\d+ rows: ACCURACY 0\\.\\d+ → 0\\.9\\d+\\)/', { timeout: 30000 });
  await page.waitForSelector('#champion-challenger >> text=No challenger in shadow now.');
  await shot('13-champion-promoted');
});

test('processing log and the message browser', async () => {
  const bad = await h1(ts.url, '/riffle/topics/readings/records', { records: [{ key: 'x', value: '{not json' }] }, ADMIN);
  assert.equal(bad.status, 200, bad.text);
  await page.goto(`${ts.url}/#/log`);
  await page.waitForSelector('#log-table tbody tr', { timeout: 15000 });
  await page.fill('#log-filter', 'CSAS_DOUBLED');
  await page.waitForSelector('#log-table tbody tr td >> text=CSAS_DOUBLED');
  await shot('09-processing-log');
  await page.goto(`${ts.url}/#/topic/readings`);
  await page.waitForSelector('#topic-records:has-text("k0")');
  await shot('10-topic');
});

test('a read-only user cannot run DDL from the console', async () => {
  await page.goto(`${ts.url}/#/editor`);
  await page.click('nav button.link');
  await login('bob', 'bob-secret');
  assert.equal(await page.textContent('#whoami'), 'bob (read-only)');
  await runInEditor("CREATE STREAM sneaky (v INT) WITH (KAFKA_TOPIC='sneaky', PARTITIONS=1, VALUE_FORMAT='JSON');");
  await page.waitForSelector('.panel.failed .error');
  assert.match((await page.textContent('.panel.failed .error')) ?? '', /may not run CreateSource/);
  await runInEditor('SELECT * FROM readings EMIT CHANGES;');
  await page.waitForSelector('.panel[data-state=running]');
  await shot('11-read-only');
  // Over plain HTTP (HTTP/1.1, 6 connections per server) a fifth running query is refused with the reason.
  for (let i = 0; i < 3; i++) await runInEditor(`SELECT id, ${i} AS q FROM readings EMIT CHANGES;`);
  await until(async () => (await page.locator('.panel[data-state=running]').count()) === 4, 15000, 'four queries running');
  await runInEditor('SELECT v FROM readings EMIT CHANGES;');
  await page.waitForSelector('.panel.failed .error >> text=/4 queries are running: over plain HTTP/');
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  const streams = await h1(ts.url, '/ksql', { ksql: 'SHOW STREAMS;' }, ADMIN);
  assert.doesNotMatch(streams.text, /SNEAKY/);
});
