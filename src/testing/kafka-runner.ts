/**
 * Conformance cases (and engine tests) on Apache Kafka: each case gets a namespace of its own on
 * a shared cluster (NamespacedKafkaLog: every topic, the engine's internal ones included, and
 * every consumer group is prefixed), the queries are driven until idle by watching consumer
 * positions against end offsets, and the namespace is deleted afterwards.
 *
 * Why a progress check instead of `Engine.runUntilIdle()`: on the embedded log an empty poll
 * means no input is left. On Kafka a poll comes back empty while the first fetch after a join,
 * or a fetch for records an upstream query just wrote, is still on its way; only "every query's
 * consumer has fetched up to the end offset of every partition it owns, and taken it all" says
 * that no input is left.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KafkaLog, NamespacedKafkaLog, kafkaConfigFromEnv, openKafkaLog } from '../log/kafka/index.ts';
import type { CaseLog, OpenCaseLog } from './runner.ts';

export { runUntilIdleOnKafka, type IdleOptions } from '../engine/idle.ts';
import { runUntilIdleOnKafka, type IdleOptions } from '../engine/idle.ts';

/** One connection to the cluster from RIFFLE_BOOTSTRAP_SERVERS, shared by every case of a run. */
export async function openSharedKafka(env: NodeJS.ProcessEnv = process.env): Promise<KafkaLog> {
  const config = kafkaConfigFromEnv(env);
  if (config.bootstrapServers.length === 0) throw new Error('--kafka needs RIFFLE_BOOTSTRAP_SERVERS=host:port (the broker to run the cases on)');
  return openKafkaLog({ ...config, clientId: config.clientId ?? 'riffle-test' });
}

let caseSeq = 0;
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

/** A fresh namespace prefix: `rt-<run>-<n>-` (letters, digits and '-' only). */
export function freshPrefix(label = 'rt'): string {
  return `${label}-${runId}-${++caseSeq}-`;
}

/**
 * `runCase(files, kafkaCaseLog(shared))`: each case in a new namespace on the shared cluster,
 * deleted (topics and groups) once the case is over.
 */
export function kafkaCaseLog(shared: KafkaLog, options: IdleOptions = {}): OpenCaseLog {
  return async (): Promise<CaseLog> => {
    const log = new NamespacedKafkaLog(shared, freshPrefix());
    // Local state stores of the case's own (on Kafka the engine would default to ./.riffle/state,
    // where the same query ids of other cases would meet).
    const stateDir = mkdtempSync(join(tmpdir(), 'riffle-kafka-case-'));
    return {
      log,
      engineOptions: { stateDir },
      runUntilIdle: (engine) => runUntilIdleOnKafka(engine, options),
      // Outputs are all written when the queries are idle; the wait only covers the reader's join.
      readTimeoutMs: 5000,
      dispose: async () => {
        rmSync(stateDir, { recursive: true, force: true });
        await log.destroy({ wait: false });
      },
    };
  };
}
