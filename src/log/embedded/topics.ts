/**
 * Topic names, configs and `topic.json`. A topic directory is complete once its topic.json
 * exists: it is written (atomically) after the partition directories, so a directory without it
 * is a creation interrupted by a crash and is removed on open.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TopicConfig, TopicDescription } from '../log.ts';
import { readJsonFile, writeFileAtomic } from './fsutil.ts';
import type { PartitionLog } from './partition.ts';

export class InvalidTopicError extends Error {}

const LEGAL = /^[a-zA-Z0-9._-]+$/;
const MAX_NAME = 249;
export const MAX_PARTITIONS = 100_000;

/** Kafka's rules (org.apache.kafka.common.internals.Topic.validate). */
export function validateTopicName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidTopicError('Topic name is empty');
  if (name === '.' || name === '..') throw new InvalidTopicError(`Topic name cannot be '.' or '..'`);
  if (name.length > MAX_NAME) {
    throw new InvalidTopicError(
      `Topic name '${name.slice(0, 40)}...' is ${name.length} characters long; the maximum is ${MAX_NAME}`,
    );
  }
  if (!LEGAL.test(name)) {
    throw new InvalidTopicError(
      `Topic name '${name}' is illegal: it may only contain ASCII letters, digits, '.', '_' and '-'`,
    );
  }
}

/** Checks a config and fills in what describeTopic reports. */
export function normalizeConfig(name: string, config: TopicConfig): TopicConfig {
  const p = config.partitions;
  if (!Number.isInteger(p) || p < 1 || p > MAX_PARTITIONS) {
    throw new RangeError(`Topic '${name}': partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${p}`);
  }
  for (const k of ['retentionMs', 'retentionBytes'] as const) {
    const v = config[k];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= -1)) {
      throw new RangeError(`Topic '${name}': ${k} must be -1 or a non-negative integer, got ${v}`);
    }
  }
  const rf = config.replicationFactor;
  if (rf !== undefined && !(Number.isInteger(rf) && (rf >= 1 || rf === -1))) {
    throw new RangeError(`Topic '${name}': replicationFactor must be a positive integer, got ${rf}`);
  }
  const out: { -readonly [K in keyof TopicConfig]: TopicConfig[K] } = { partitions: p };
  if (rf !== undefined) out.replicationFactor = rf;
  if (config.retentionMs !== undefined) out.retentionMs = config.retentionMs;
  if (config.retentionBytes !== undefined) out.retentionBytes = config.retentionBytes;
  if (config.cleanupPolicy !== undefined) out.cleanupPolicy = config.cleanupPolicy;
  return out;
}

interface TopicFile {
  readonly version: 1;
  readonly name: string;
  readonly config: TopicConfig;
}

export const TOPIC_FILE = 'topic.json';

export function writeTopicFile(dir: string, name: string, config: TopicConfig, fsync: boolean): void {
  const data: TopicFile = { version: 1, name, config };
  writeFileAtomic(path.join(dir, TOPIC_FILE), `${JSON.stringify(data, null, 2)}\n`, fsync);
}

/**
 * The topic's config, or null when the directory has no topic.json (interrupted creation).
 * A topic.json that exists but cannot be read (truncated, garbage) is rebuilt from the partition
 * directories, and `onRecovered` says so: the data is kept, the config (retention, cleanup
 * policy) falls back to the defaults.
 */
export function readTopicFile(dir: string, fsync = false, onRecovered?: (problem: string, action: string) => void): TopicConfig | null {
  const file = path.join(dir, TOPIC_FILE);
  if (!fs.existsSync(file)) return null;
  let problem: string;
  try {
    const data = readJsonFile(file) as TopicFile;
    const config = data?.config;
    if (config && Number.isInteger(config.partitions) && config.partitions >= 1) return config;
    problem = `${file} has no valid config`;
  } catch (e) {
    problem = (e as Error).message;
  }
  let partitions = 0;
  while (fs.existsSync(path.join(dir, String(partitions)))) partitions++;
  if (partitions === 0) throw new Error(`${problem}, and ${dir} has no partition directories to rebuild it from`);
  const config: TopicConfig = { partitions };
  writeTopicFile(dir, path.basename(dir), config, fsync);
  onRecovered?.(problem, `rebuilt with ${partitions} partition(s) from the partition directories; retention and cleanup policy reset to the defaults`);
  return config;
}

export class TopicState {
  readonly name: string;
  readonly dir: string;
  readonly config: TopicConfig;
  readonly partitions: readonly PartitionLog[];
  deleted = false;

  constructor(name: string, dir: string, config: TopicConfig, partitions: readonly PartitionLog[]) {
    this.name = name;
    this.dir = dir;
    this.config = config;
    this.partitions = partitions;
  }

  describe(): TopicDescription {
    // The embedded log keeps one copy; a requested replication factor is reported as 1.
    return { name: this.name, partitions: this.partitions.length, replicationFactor: 1, config: this.config };
  }
}
