/**
 * A real Prometheus (Debian's package, fetched by scripts/prometheus/ensure.sh) scrapes the
 * server's /metrics; a PromQL query for a persistent query's input counter returns exactly the
 * number of records produced. The exposition itself is checked for the documented families.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { startTestServer, h1, ksql, until } from './helpers.ts';

const ENSURE = join(import.meta.dirname, '..', '..', 'scripts', 'prometheus', 'ensure.sh');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

test('Prometheus scrapes /metrics; PromQL gives the query input count', { timeout: 120_000 }, async () => {
  const bin = execFileSync('bash', [ENSURE], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const ts = await startTestServer();
  const promPort = await freePort();
  const promDir = join(ts.dir, 'prometheus');
  mkdirSync(promDir, { recursive: true });
  const config = join(promDir, 'prometheus.yml');
  writeFileSync(config, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: riffle\n    metrics_path: /metrics\n    static_configs:\n      - targets: ['127.0.0.1:${ts.port}']\n`);
  const prom = spawn(bin, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${promPort}`, `--storage.tsdb.path=${join(promDir, 'data')}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let promLog = '';
  prom.stderr.on('data', (d) => (promLog += d));
  try {
    const created = await ksql(
      ts.url,
      "CREATE STREAM src (id STRING KEY, v INT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON', PARTITIONS=2); CREATE STREAM doubled AS SELECT id, v * 2 AS v2 FROM src WHERE v >= 0;",
      {},
      { 'auto.offset.reset': 'earliest' },
    );
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const queryId = (created.body as { commandStatus: { queryId: string } }[])[1].commandStatus.queryId;
    const N = 1234;
    const records = Array.from({ length: N }, (_, i) => ({ key: `k${i % 17}`, value: JSON.stringify({ V: i % 50 === 0 ? 'bad' : i }) }));
    const sent = await h1(ts.url, '/riffle/topics/src/records', { records });
    assert.equal(sent.status, 200, sent.text);
    await until(() => ts.server.engine.tasks.get(queryId)!.consumed === N, 20000, 'the query to consume everything');

    const exposition = (await h1(ts.url, '/metrics')).text;
    for (const family of [
      'riffle_query_records_in_total',
      'riffle_query_records_out_total',
      'riffle_query_lag_records',
      'riffle_processing_log_errors_total',
      'riffle_query_batch_seconds',
      'riffle_query_end_to_end_latency_seconds',
      'riffle_state_store_entries',
      'riffle_push_queries_active',
      'riffle_process_resident_memory_bytes',
      'riffle_http_request_seconds',
      'riffle_state_store_bytes',
      'riffle_model_requests_total',
      'riffle_model_breaker_state',
    ]) {
      assert.match(exposition, new RegExp(`^# TYPE ${family} `, 'm'), family);
    }
    assert.match(exposition, new RegExp(`^riffle_query_batch_seconds_count\\{query_id="${queryId}"\\} [1-9]`, 'm'));
    assert.match(exposition, new RegExp(`^riffle_query_end_to_end_latency_seconds_count\\{query_id="${queryId}"\\} [1-9]`, 'm'));
    assert.match(exposition, new RegExp(`riffle_processing_log_errors_total\\{type="DESERIALIZATION_ERROR",query_id="${queryId}"\\} 25`));
    assert.match(exposition, new RegExp(`riffle_query_lag_records\\{query_id="${queryId}",topic="src",partition="\\d"\\} 0`));

    const ask = async (promql: string) => {
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => null);
      if (!res?.ok) return null;
      const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      return body.data.result;
    };
    const result = await until(async () => {
      const r = await ask(`riffle_query_records_in_total{query_id="${queryId}"}`);
      return r && r.length === 1 && r[0].value[1] === String(N) ? r : null;
    }, 60000, `Prometheus to report the input counter (log: ${promLog})`);
    assert.equal(result[0].metric.job, 'riffle');
    assert.equal(Number(result[0].value[1]), N);
    const out = await until(() => ask(`sum(riffle_query_records_out_total{query_id="${queryId}"})`), 10000, 'the output counter');
    assert.equal(Number(out[0].value[1]), N - 25);
  } finally {
    prom.kill('SIGTERM');
    await new Promise((r) => prom.once('exit', r));
    await ts.close();
  }
});
