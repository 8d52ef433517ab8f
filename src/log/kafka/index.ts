/**
 * Apache Kafka behind the Log interface (../log.ts), on @platformatic/kafka.
 *
 *   const log = await openKafkaLog(kafkaConfigFromEnv(process.env));
 *
 * Beyond `Log`: `KafkaLog.transactionalProducer(id)` (exactly-once writes), consumer options
 * `isolationLevel` and the rebalance hooks `onAssigned`/`onRevoked` (see ./consumer.ts).
 * A broker for development and tests: scripts/kafka/start.sh, or scripts/kafka/with-broker.sh CMD.
 */
export { type KafkaConfig, type SaslMechanism, kafkaConfigFromEnv } from './config.ts';
export { KafkaLog, openKafkaLog } from './kafka-log.ts';
export {
  KafkaConsumer,
  type KafkaConsumerOptions,
  type RebalanceHooks,
  type RevokeReason,
} from './consumer.ts';
export {
  type Compression,
  type GroupMemberMetadata,
  KafkaProducer,
  type KafkaProducerOptions,
  KafkaTransactionalProducer,
  type TransactionalProducer,
} from './producer.ts';
export { CommitFailedError } from './errors.ts';
export { NamespacedConsumer, NamespacedKafkaLog } from './namespaced-log.ts';
export { murmur2, partitionForKey } from '../partitioner.ts';
