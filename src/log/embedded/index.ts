/** The embedded, durable, file-backed log (used when no Kafka is configured). */
export { EmbeddedLog, openEmbeddedLog } from './embedded-log.ts';
export type { EmbeddedLogOptions } from './options.ts';
export { EmbeddedConsumer } from './consumer.ts';
export { EmbeddedProducer } from './producer.ts';
export { CorruptRecordError } from './cursor.ts';
export { LogLockedError } from './lock.ts';
export { CorruptLogError, type Recovery } from './partition.ts';
export { InvalidTopicError, validateTopicName } from './topics.ts';
export { describeRecovery, recoverySummary, type JournalEntry, type RecoveryMetrics } from './recovery-report.ts';
