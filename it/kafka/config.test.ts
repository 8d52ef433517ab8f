/**
 * KafkaConfig from the environment, and SASL against the test broker's SASL_PLAINTEXT listener
 * (with-broker.sh starts it and sets RIFFLE_TEST_SASL_BOOTSTRAP; user riffle / riffle-secret).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { kafkaConfigFromEnv, openKafkaLog, type SaslMechanism } from '../../src/log/kafka/index.ts';
import { dec, enc, pollCount, unique } from './helpers.ts';

describe('kafkaConfigFromEnv', () => {
  test('bootstrap servers, SASL and TLS settings', () => {
    assert.deepEqual(kafkaConfigFromEnv({}), { bootstrapServers: [], clientId: undefined, tls: undefined, sasl: undefined });
    assert.deepEqual(kafkaConfigFromEnv({ RIFFLE_BOOTSTRAP_SERVERS: ' a:9092, b.example:19092 ,' }).bootstrapServers, ['a:9092', 'b.example:19092']);
    const sasl = kafkaConfigFromEnv({
      RIFFLE_BOOTSTRAP_SERVERS: 'k:9093',
      RIFFLE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      RIFFLE_KAFKA_SASL_USERNAME: 'u',
      RIFFLE_KAFKA_SASL_PASSWORD: 'p',
      RIFFLE_KAFKA_TLS: 'true',
    });
    assert.deepEqual(sasl.sasl, { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' });
    assert.equal(sasl.tls, true);
    const dir = mkdtempSync(join(tmpdir(), 'riffle-ca-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const ca = kafkaConfigFromEnv({ RIFFLE_BOOTSTRAP_SERVERS: 'k:9093', RIFFLE_KAFKA_TLS_CA: join(dir, 'ca.pem') });
    assert.ok(typeof ca.tls === 'object' && Buffer.isBuffer(ca.tls.ca));
    assert.equal(kafkaConfigFromEnv({ RIFFLE_KAFKA_BATCH_ENCODER: 'Library' }).batchEncoder, 'library');
  });

  test('inconsistent settings are rejected, not ignored', () => {
    assert.throws(() => kafkaConfigFromEnv({ RIFFLE_BOOTSTRAP_SERVERS: 'nohost' }), /not host:port/);
    assert.throws(() => kafkaConfigFromEnv({ RIFFLE_BOOTSTRAP_SERVERS: 'k:1', RIFFLE_KAFKA_SASL_MECHANISM: 'GSSAPI' }), /expected one of/);
    assert.throws(() => kafkaConfigFromEnv({ RIFFLE_BOOTSTRAP_SERVERS: 'k:1', RIFFLE_KAFKA_SASL_MECHANISM: 'PLAIN' }), /USERNAME and RIFFLE_KAFKA_SASL_PASSWORD are required/);
    assert.throws(() => kafkaConfigFromEnv({ RIFFLE_BOOTSTRAP_SERVERS: 'k:1', RIFFLE_KAFKA_TLS: 'yes please' }), /RIFFLE_KAFKA_TLS/);
    assert.throws(() => kafkaConfigFromEnv({ RIFFLE_KAFKA_BATCH_ENCODER: 'fast' }), /RIFFLE_KAFKA_BATCH_ENCODER: expected riffle or library/);
  });
});

describe('SASL', { timeout: 120_000 }, () => {
  const bootstrap = process.env.RIFFLE_TEST_SASL_BOOTSTRAP;
  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as SaslMechanism[]) {
    test(`${mechanism}: admin, produce and consume through an authenticated listener`, { skip: bootstrap ? false : 'RIFFLE_TEST_SASL_BOOTSTRAP not set (no SASL listener)' }, async () => {
      const config = kafkaConfigFromEnv({
        RIFFLE_BOOTSTRAP_SERVERS: bootstrap,
        RIFFLE_KAFKA_SASL_MECHANISM: mechanism,
        RIFFLE_KAFKA_SASL_USERNAME: 'riffle',
        RIFFLE_KAFKA_SASL_PASSWORD: 'riffle-secret',
      });
      const log = await openKafkaLog(config);
      const topic = unique('sasl');
      await log.createTopic(topic, { partitions: 1 });
      const producer = log.producer();
      await producer.send(topic, [{ key: enc('k'), value: enc(mechanism), timestamp: Date.now() }]);
      const consumer = log.consumer({ groupId: unique('g'), topics: [topic], fromBeginning: true });
      assert.deepEqual((await pollCount(consumer, 1)).map((r) => dec(r.value)), [mechanism]);
      await log.deleteTopic(topic);
      await log.close();
    });
  }

  test('a wrong password is refused', { skip: bootstrap ? false : 'no SASL listener' }, async () => {
    await assert.rejects(
      openKafkaLog({ bootstrapServers: [bootstrap!], sasl: { mechanism: 'SCRAM-SHA-256', username: 'riffle', password: 'wrong' } }),
      /cannot reach Kafka/,
    );
  });
});
