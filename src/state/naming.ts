/**
 * Stable names of state, derived from the plan (never auto-numbered), so a restarted or upgraded
 * server finds the same stores, files and changelog topics:
 *
 *   store name       <queryId>/<operator path>          CTAS_COUNTS_3/Aggregate/state
 *   changelog topic  <serviceId>-<queryId>-<operator>-changelog, '/' → '-', other characters
 *                    Kafka does not allow → '_'          riffle-CTAS_COUNTS_3-Aggregate-state-changelog
 *   state directory  <dataDir>/state/<queryId>/         (one LMDB environment per query)
 *   checkpoint file  <state directory>/<operator path, '/' → '-'>.checkpoint
 */
import path from 'node:path';
import { crc32 } from 'node:zlib';

const KAFKA_MAX = 249;
const ILLEGAL = /[^a-zA-Z0-9._-]/g;

/** Replaces characters Kafka topic names (and portable file names) do not allow with '_'. */
export function sanitizeName(s: string): string {
  return s.replace(ILLEGAL, '_');
}

export function checkNamePart(what: string, s: string): void {
  if (s.length === 0 || s.startsWith('/') || s.endsWith('/') || s.includes('//')) {
    throw new RangeError(`Invalid ${what} '${s}': non-empty path segments separated by '/' expected`);
  }
}

export function storeName(queryId: string, operator: string): string {
  checkNamePart('query id', queryId);
  checkNamePart('operator name', operator);
  if (queryId.includes('/')) throw new RangeError(`Invalid query id '${queryId}': '/' is not allowed`);
  return `${queryId}/${operator}`;
}

/**
 * The changelog topic of a store. Names above Kafka's 249 characters are cut and end with a hash
 * of the full name, so they stay unique and stable.
 */
export function changelogTopicName(serviceId: string, queryId: string, operator: string): string {
  const full = sanitizeName(`${serviceId}-${queryId}-${operator.replaceAll('/', '-')}-changelog`);
  if (full.length <= KAFKA_MAX) return full;
  const hash = crc32(full).toString(16).padStart(8, '0');
  return `${full.slice(0, KAFKA_MAX - 9 - '-changelog'.length)}-${hash}-changelog`;
}

export function queryStateDir(dataDir: string, queryId: string): string {
  return path.join(dataDir, 'state', sanitizeName(queryId));
}
