/**
 * Recognising broker errors in what @platformatic/kafka reports. Its errors nest: a
 * `ResponseError` / `MultipleErrors` (retries) holds `ProtocolError`s whose `apiId` is the Kafka
 * error name (e.g. 'REBALANCE_IN_PROGRESS'); `findErrorBy` searches the whole tree.
 */
import { findErrorBy } from '@platformatic/kafka';

/** True when `error` is, or contains, the broker error named `apiId` (Kafka's error name). */
export function hasKafkaError(error: unknown, ...apiIds: string[]): boolean {
  if (!(error instanceof Error)) return false;
  return apiIds.some((id) => findErrorBy(error, 'apiId', id) !== null);
}

/** The Kafka error names found in `error`, for messages and tests. */
export function kafkaErrorIds(error: unknown): string[] {
  const out = new Set<string>();
  const walk = (e: unknown): void => {
    if (!e || typeof e !== 'object') return;
    const id = (e as { apiId?: unknown }).apiId;
    if (typeof id === 'string') out.add(id);
    const nested = (e as { errors?: unknown }).errors;
    if (Array.isArray(nested)) nested.forEach(walk);
    const cause = (e as { cause?: unknown }).cause;
    if (cause && cause !== e) walk(cause);
  };
  walk(error);
  return [...out];
}

/** Errors that mean the group moved on without this member: rejoin before committing again. */
export const REJOIN_ERRORS = ['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID'];
/** Errors that mean the group coordinator moved or is loading: find it again and retry. */
export const COORDINATOR_ERRORS = ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'];

/** A commit rejected because the group rebalanced: the offsets were not stored. */
export class CommitFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommitFailedError';
  }
}

/** Wraps a client error with a short context line, keeping the original as `cause`. */
export function wrapKafkaError(context: string, error: unknown): Error {
  const ids = kafkaErrorIds(error);
  const detail = ids.length > 0 ? ids.join(', ') : error instanceof Error ? error.message : String(error);
  return new Error(`${context}: ${detail}`, { cause: error });
}

/** The topic (or partition) does not exist on the cluster. */
export function isUnknownTopic(error: unknown): boolean {
  return hasKafkaError(error, 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID') || (error instanceof Error && /^Unknown topic /.test(error.message));
}
