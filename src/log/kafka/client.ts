/**
 * Promise wrappers over the lower layer of @platformatic/kafka (exported symbols of its `Base`
 * client): version-negotiated API functions, pooled connections, coordinator lookup. Used where the
 * high-level clients do not fit: the consumer group protocol (./group.ts) and committing offsets
 * inside a transaction (./producer.ts).
 */
import {
  type Base,
  type Broker,
  type ClusterMetadata,
  type Connection,
  FindCoordinatorKeyTypes,
  kGetApi,
  kGetConnection,
  kMetadata,
} from '@platformatic/kafka';
import { COORDINATOR_ERRORS, hasKafkaError } from './errors.ts';

// The API functions differ per request; callers pass the argument list of the version they get
// (all versions of one request share the same JS signature in the library).
export type AnyApi = { async: (connection: Connection, ...args: any[]) => Promise<any>; version: number };

type Callback<T> = (error: Error | null, value?: T) => void;
// The symbol-keyed methods are public exports of the library but typed on `Base` generics; this
// narrow view keeps the casts in one place.
interface LowLevel {
  [kGetApi](name: string, cb: Callback<AnyApi>): void;
  [kGetConnection](broker: Broker, cb: Callback<Connection>): void;
  [kMetadata](options: { topics?: string[]; forceUpdate?: boolean }, cb: Callback<ClusterMetadata>): void;
}

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));
}

export function getApi(client: Base, name: string): Promise<AnyApi> {
  const c = client as unknown as LowLevel;
  return call((cb) => c[kGetApi](name, cb));
}

export function getConnection(client: Base, broker: Broker): Promise<Connection> {
  const c = client as unknown as LowLevel;
  return call((cb) => c[kGetConnection](broker, cb));
}

export function clusterMetadata(client: Base, topics: string[] = [], forceUpdate = false): Promise<ClusterMetadata> {
  const c = client as unknown as LowLevel;
  return call((cb) => c[kMetadata]({ topics, forceUpdate }, cb));
}

class NoCoordinatorError extends Error {}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Finds the coordinator of a group (or transactional id) and returns its node id and a connection
 * to it. Retries while the coordinator is unknown or loading (e.g. right after the broker starts
 * and creates __consumer_offsets).
 */
export async function coordinatorConnection(
  client: Base,
  key: string,
  keyType: number = FindCoordinatorKeyTypes.GROUP,
  deadlineMs = 30_000,
): Promise<{ nodeId: number; connection: Connection }> {
  const until = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const metadata = await clusterMetadata(client, [], attempt > 0);
      const broker = metadata.brokers.values().next().value;
      if (!broker) throw new Error('no broker in cluster metadata');
      const api = await getApi(client, 'FindCoordinator');
      const bootstrap = await getConnection(client, broker);
      const response = await api.async(bootstrap, keyType, [key]);
      // v0-v3 answer for a single key at the top level; v4+ list coordinators per key.
      const entry = response.coordinators ? response.coordinators.find((c: { key: string }) => c.key === key) : response;
      if (!entry || entry.errorCode) throw new NoCoordinatorError(`FindCoordinator for '${key}' failed (error code ${entry?.errorCode})`);
      const target = metadata.brokers.get(entry.nodeId) ?? { host: entry.host, port: entry.port };
      return { nodeId: entry.nodeId, connection: await getConnection(client, target) };
    } catch (error) {
      const retriable =
        error instanceof NoCoordinatorError ||
        hasKafkaError(error, ...COORDINATOR_ERRORS) ||
        (error as { code?: string }).code === 'PLT_KFK_NETWORK';
      if (!retriable || Date.now() > until) throw error;
      await sleep(Math.min(100 * 2 ** attempt, 1000));
    }
  }
}
