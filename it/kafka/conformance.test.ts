/**
 * The ksqlDB conformance cases on a real broker, sampled for CI time: every 10th case (sorted by
 * name; RIFFLE_KAFKA_CONFORMANCE_EVERY=1 runs them all) runs on the embedded log and on Kafka
 * (`riffle test --kafka`'s path: a namespace per case, queries driven by consumer positions), and
 * each must have the same outcome on both, with the same outputs when it passes.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { KafkaLog } from '../../src/log/kafka/index.ts';
import { kafkaCaseLog } from '../../src/testing/kafka-runner.ts';
import { readCaseDir, runCase } from '../../src/testing/runner.ts';
import { stringifyTestJson } from '../../src/testing/test-records.ts';
import { openTestLog } from './helpers.ts';

const DIR = process.env.RIFFLE_CONFORMANCE_DIR ?? new URL('../../../shared/conformance/ksql', import.meta.url).pathname;
const EVERY = Number(process.env.RIFFLE_KAFKA_CONFORMANCE_EVERY ?? 10);

let shared: KafkaLog;
before(async () => {
  shared = await openTestLog();
});
after(async () => {
  await shared?.close();
});

test(`conformance sample (every ${EVERY}th case): same outcome on Kafka as on the embedded log`, { skip: !existsSync(DIR) && `no conformance cases at ${DIR}`, timeout: 900_000 }, async (t) => {
  const names = readdirSync(DIR)
    .filter((d) => statSync(join(DIR, d)).isDirectory())
    .sort()
    .filter((_, i) => i % EVERY === 0);
  const onKafka = kafkaCaseLog(shared);
  const differences: string[] = [];
  let passedEmbedded = 0;
  let passedKafka = 0;
  const started = Date.now();
  for (const name of names) {
    const files = readCaseDir(join(DIR, name));
    const embedded = await runCase(files);
    const kafka = await runCase(files, onKafka);
    if (embedded.passed) passedEmbedded++;
    if (kafka.passed) passedKafka++;
    if (embedded.passed !== kafka.passed) {
      differences.push(`${name}: embedded ${embedded.passed ? 'passed' : 'failed'}, Kafka ${kafka.passed ? 'passed' : `failed: ${kafka.reason?.split('\n')[0]}`}`);
    } else if (embedded.passed && stringifyTestJson(embedded.actual) !== stringifyTestJson(kafka.actual)) {
      differences.push(`${name}: both passed with different outputs`);
    }
  }
  t.diagnostic(`${names.length} cases: ${passedEmbedded} pass on the embedded log, ${passedKafka} on Kafka, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  assert.deepEqual(differences, []);
});
