/**
 * One Riffle instance of the scale-out test (scale-out.test.ts): an engine with service id
 * `scale` on the namespace RIFFLE_IT_PREFIX of the broker at RIFFLE_BOOTSTRAP_SERVERS, its own
 * state directory RIFFLE_IT_STATE_DIR, `processing.guarantee` from RIFFLE_IT_GUARANTEE. Creates
 * the input stream and the windowed aggregation unless the command log already has them (the
 * parent starts the first instance alone, so only that one creates them), prints READY, then runs
 * until killed or SIGTERM (a graceful stop: the engine commits what it processed).
 *
 * What the parent reads on stdout, one JSON object per line:
 * - `{"t":"status", ...}` every 200 ms: query state (and error), records consumed, the query
 *   consumer's assignment, fetch positions and buffered records, records consumed per partition;
 * - `{"t":"restore", ...}` each time a partition's window store is opened: how it was restored
 *   (none / partial from the local checkpoint / full from the changelog), records, time.
 * Markers in `<state dir>/markers` (written synchronously, so they survive kill -9) say where in its
 * commit cycle the query was: `poll <ranges>` (a batch taken: partition → [first, last] offset),
 * `flush` / `flushed` (the state stores' changelogs sent), `fence` / `fenced` (the applied-offset
 * stores' changelogs, src/exec/applied-offsets.ts, then the local commit), `committed` (the input
 * offsets: the consumer's commit under at-least-once, the transaction's under exactly-once).
 * RIFFLE_IT_KILL_AT=flushed|fenced with RIFFLE_IT_KILL_AFTER=<n>: once this instance has consumed
 * n records, it kills itself (SIGKILL) right after the next such marker, before the commit.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine/engine.ts';
import { queryGroupId } from '../../src/engine/persistent.ts';
import { kafkaConfigFromEnv, NamespacedKafkaLog, openKafkaLog } from '../../src/log/kafka/index.ts';
import type { ConsumedRecord } from '../../src/log/log.ts';
import { StoreRegistry } from '../../src/state/registry.ts';

export const SERVICE_ID = 'scale';
export const QUERY_ID = 'CTAS_COUNTS_0';
export const GROUP = queryGroupId(SERVICE_ID, QUERY_ID);
export const PARTITIONS = 4;
export const DDL = `
  CREATE STREAM events (id STRING KEY, v BIGINT) WITH (KAFKA_TOPIC='events', VALUE_FORMAT='JSON', PARTITIONS=${PARTITIONS});
  CREATE TABLE counts AS SELECT id, COUNT(*) AS n, SUM(v) AS total FROM events WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY id EMIT CHANGES;`;
export const markersFile = (stateDir: string): string => join(stateDir, 'markers');

// Run as a process (not when the test imports the constants above).
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

async function main(): Promise<void> {
  const prefix = process.env.RIFFLE_IT_PREFIX!;
  const stateDir = process.env.RIFFLE_IT_STATE_DIR;
  const guarantee = process.env.RIFFLE_IT_GUARANTEE ?? 'at_least_once';
  const killAt = process.env.RIFFLE_IT_KILL_AT ?? null;
  const killAfter = Number(process.env.RIFFLE_IT_KILL_AFTER ?? 0);
  if (!stateDir) throw new Error('RIFFLE_IT_STATE_DIR is required');
  mkdirSync(stateDir, { recursive: true });
  const mark = (what: string) => appendFileSync(markersFile(stateDir), `${what}\n`);
  const emit = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

  const shared = await openKafkaLog({ ...kafkaConfigFromEnv(process.env), clientId: `riffle-scale-${process.pid}` });
  const log = new NamespacedKafkaLog(shared, prefix);

  // The query's consumer: count records per partition, mark each batch and each offset commit.
  const perPartition = new Map<number, number>();
  let consumed = 0;
  const makeConsumer = log.consumer.bind(log);
  log.consumer = (options) => {
    const c = makeConsumer(options);
    if (options.groupId !== GROUP) return c;
    const poll = c.poll.bind(c);
    c.poll = async (max, timeoutMs) => {
      const records = await poll(max, timeoutMs);
      if (records.length > 0) {
        for (const r of records) perPartition.set(r.partition, (perPartition.get(r.partition) ?? 0) + 1);
        consumed += records.length;
        mark(`poll ${JSON.stringify(ranges(records))}`);
      }
      return records;
    };
    const commit = c.commit.bind(c);
    c.commit = async (offsets) => {
      await commit(offsets);
      mark(`committed ${JSON.stringify(offsets.map((o) => [o.partition, o.offset]))}`);
    };
    return c;
  };
  // Exactly-once: the transaction's commit carries the input offsets.
  const makeTxProducer = log.transactionalProducer.bind(log);
  log.transactionalProducer = (id, options) => {
    const p = makeTxProducer(id, options);
    const commit = p.commit.bind(p);
    p.commit = async () => {
      await commit();
      mark('committed');
    };
    return p;
  };
  // State flushes (the changelog writes that precede every offset commit) and store restores.
  // Patched on the prototype: the engine's registry exists only inside Engine.open, whose replay
  // already starts the query.
  // flushAll(query) sends the state stores' changelogs, then the applied-offset stores'
  // (src/exec/applied-offsets.ts), then commits the local store: 'flush' at its start, 'flushed'
  // when the first applied-offset store starts its flush (state changelogs sent), 'fence' right
  // after, 'fenced' at its end.
  const flushAll = StoreRegistry.prototype.flushAll;
  let killArmed = killAt !== null;
  const killIfArmed = (at: string) => {
    if (killArmed && killAt === at && consumed >= killAfter) {
      killArmed = false;
      emit({ t: 'self-kill', at: Date.now(), consumed });
      process.kill(process.pid, 'SIGKILL');
    }
  };
  let inFlush = false;
  let statesSent = false;
  StoreRegistry.prototype.flushAll = async function (this: StoreRegistry, queryId?: string) {
    if (queryId !== QUERY_ID) return flushAll.call(this, queryId);
    mark('flush');
    inFlush = true;
    statesSent = false;
    try {
      await flushAll.call(this, queryId);
    } finally {
      inFlush = false;
    }
    mark('fenced');
    killIfArmed('fenced');
  };
  const internalStore = StoreRegistry.prototype.internalStore;
  StoreRegistry.prototype.internalStore = async function <V>(this: StoreRegistry, queryId: string, operator: string) {
    const store = await internalStore.call(this, queryId, operator);
    if (queryId !== QUERY_ID) return store as Awaited<ReturnType<typeof internalStore<V>>>;
    const flush = store.flush.bind(store);
    store.flush = async () => {
      if (inFlush && !statesSent) {
        statesSent = true;
        mark('flushed');
        killIfArmed('flushed');
        mark('fence');
      }
      await flush();
    };
    return store as Awaited<ReturnType<typeof internalStore<V>>>;
  };
  const windowStore = StoreRegistry.prototype.windowStore;
  StoreRegistry.prototype.windowStore = async function (this: StoreRegistry, queryId: string, operator: string, options: Parameters<typeof windowStore>[2]) {
    const t0 = performance.now();
    const store = await windowStore.call(this, queryId, operator, options);
    const info = this.stats(queryId).find((s) => s.name.endsWith(operator));
    emit({ t: 'restore', at: Date.now(), store: operator, ...info?.restore, wallMs: Math.round(performance.now() - t0) });
    return store;
  } as typeof windowStore;

  const engine = await Engine.open({
    log,
    serviceId: SERVICE_ID,
    stateDir,
    background: true,
    properties: { 'auto.offset.reset': 'earliest', 'processing.guarantee': guarantee },
  });
  if (!engine.catalog.getSource('COUNTS')) await engine.execute(DDL);
  process.stdout.write(`READY ${[...engine.tasks.keys()].join(',')}\n`);

  const timer = setInterval(() => {
    const task = engine.tasks.get(QUERY_ID);
    const consumer = log.consumersOf(GROUP)[0];
    emit({
      t: 'status',
      at: Date.now(),
      state: task?.state ?? 'MISSING',
      ...(task?.error ? { error: task.error.message } : {}),
      consumed,
      joined: consumer?.joined ?? false,
      assigned: (consumer?.assignment() ?? []).map((p) => p.partition).sort((a, b) => a - b),
      positions: Object.fromEntries((consumer?.positions() ?? []).map((p) => [p.partition, p.offset])),
      buffered: consumer?.buffered ?? 0,
      perPartition: Object.fromEntries([...perPartition].sort((a, b) => a[0] - b[0])),
    });
  }, 200);

  const stop = async () => {
    clearInterval(timer);
    await engine.close();
    await log.close();
    await shared.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

/** partition → [first offset, last offset] of a batch. */
function ranges(records: readonly ConsumedRecord[]): Record<number, [number, number]> {
  const out: Record<number, [number, number]> = {};
  for (const r of records) {
    const cur = out[r.partition];
    out[r.partition] = cur ? [Math.min(cur[0], r.offset), Math.max(cur[1], r.offset)] : [r.offset, r.offset];
  }
  return out;
}
