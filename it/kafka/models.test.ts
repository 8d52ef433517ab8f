/**
 * Training queries on a real broker: a `PARTITION BY` model per key, and its state opened when the
 * consumer group assigns the partitions (after the first poll on Kafka), not with their first
 * record, so every key's model is back after a restart before any new input arrives.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NamespacedKafkaLog } from '../../src/log/kafka/index.ts';
import { trainedRegistry } from '../../src/engine/model-train.ts';
import { runUntilIdleOnKafka } from '../../src/testing/kafka-runner.ts';
import { useTestBroker } from './helpers.ts';

describe('models on Kafka', { timeout: 120_000 }, () => {
  const broker = useTestBroker();

  test('PARTITION BY: every key model is restored at assignment after a restart, bit for bit', async () => {
    const first = await broker.engine();
    const keys = Array.from({ length: 6 }, (_, i) => `d${i}`);
    const row = (k: string, i: number) => ({ key: null, value: Buffer.from(JSON.stringify({ DEV: k, X: i % 7, Y: (i % 7) * 3 - 1 })), timestamp: i, partition: i % 3 });
    await first.engine.execute(`CREATE STREAM obs (dev STRING, x DOUBLE, y DOUBLE) WITH (KAFKA_TOPIC='obs', VALUE_FORMAT='JSON', PARTITIONS=3);`);
    await first.log.producer().send('obs', Array.from({ length: 300 }, (_, i) => row(keys[i % keys.length], i)));
    await first.engine.execute(`CREATE MODEL m WITH (TYPE = 'LINEAR_REGRESSION', LABEL = 'y') AS SELECT dev, x, y FROM obs PARTITION BY dev;`);
    await runUntilIdleOnKafka(first.engine);
    const live = trainedRegistry(first.engine).live.get('M')!;
    assert.deepEqual([...live.keys()].sort(), keys);
    assert.equal(live.get('d0')!.state.rows, 50, "each key's rows, from whichever partition, in one model");
    const before = JSON.stringify(keys.map((k) => live.get(k)!.state));
    await first.close();

    const second = await broker.engine({}, new NamespacedKafkaLog(broker.shared, first.log.prefix));
    try {
      // Nothing new to read: the first polls only join the group and get the assignment.
      await runUntilIdleOnKafka(second.engine);
      const back = trainedRegistry(second.engine).live.get('M');
      assert.deepEqual([...(back?.keys() ?? [])].sort(), keys, 'every key model restored at assignment');
      assert.equal(JSON.stringify(keys.map((k) => back!.get(k)!.state)), before);
    } finally {
      await second.close();
    }
  });
});
