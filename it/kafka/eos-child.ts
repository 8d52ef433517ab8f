/**
 * A Riffle instance for the crash tests (exactly-once.test.ts): opens an engine on the namespace
 * RIFFLE_IT_PREFIX of the broker at RIFFLE_BOOTSTRAP_SERVERS, with `processing.guarantee` from
 * RIFFLE_IT_GUARANTEE, creates the filter + projection query unless the command log already has
 * it (a restart replays it), prints READY, then runs until killed. Prints `consumed <n>` now and
 * then so the parent can see it work.
 */
import { Engine } from '../../src/engine/engine.ts';
import { kafkaConfigFromEnv, NamespacedKafkaLog, openKafkaLog } from '../../src/log/kafka/index.ts';

const prefix = process.env.RIFFLE_IT_PREFIX;
const guarantee = process.env.RIFFLE_IT_GUARANTEE ?? 'exactly_once_v2';
const stateDir = process.env.RIFFLE_IT_STATE_DIR;
if (!prefix || !stateDir) throw new Error('RIFFLE_IT_PREFIX and RIFFLE_IT_STATE_DIR are required');

const shared = await openKafkaLog({ ...kafkaConfigFromEnv(process.env), clientId: 'riffle-eos-child' });
const log = new NamespacedKafkaLog(shared, prefix);
const engine = await Engine.open({
  log,
  serviceId: 'eos',
  stateDir,
  background: true,
  properties: { 'auto.offset.reset': 'earliest', 'processing.guarantee': guarantee },
});
if (!engine.catalog.getSource('OUT')) {
  await engine.execute(`
    CREATE STREAM events (k STRING KEY, id BIGINT, v BIGINT) WITH (KAFKA_TOPIC='events', VALUE_FORMAT='JSON', PARTITIONS=3);
    CREATE STREAM out AS SELECT k, id, v * 2 AS v2 FROM events WHERE v % 5 <> 0;`);
}
process.stdout.write(`READY ${[...engine.tasks.keys()].join(',')}\n`);

const timer = setInterval(() => {
  for (const [id, task] of engine.tasks) {
    process.stdout.write(`consumed ${task.consumed} ${task.state}${task.error ? ` ${task.error.message}` : ''} ${id}\n`);
  }
}, 250);

const stop = async () => {
  clearInterval(timer);
  await engine.close();
  await log.close();
  await shared.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
