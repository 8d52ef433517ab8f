/** Runs the KeyValueStore contract against every implementation and decorator stack. */
import path from 'node:path';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { CachingStore } from '../../src/state/caching-store.ts';
import { CacheBudget } from '../../src/state/cache-budget.ts';
import { ChangeLoggingStore } from '../../src/state/change-logging-store.ts';
import { InMemoryStore } from '../../src/state/in-memory-store.ts';
import { LmdbEnv } from '../../src/state/lmdb-env.ts';
import { MeteredStore } from '../../src/state/metered-store.ts';
import type { KeyValueStore } from '../../src/state/store.ts';
import { tempDir } from './helpers.ts';
import { runKvContract, type Fixture } from './kv-contract.ts';

runKvContract('InMemoryStore', async () => {
  const store = new InMemoryStore('mem');
  return { store, close: () => store.close() };
});

/** An LMDB store, optionally wrapped; `reopen` re-opens the environment on the same directory. */
async function lmdbFixture(wrap: (s: KeyValueStore<unknown>) => KeyValueStore<unknown>): Promise<Fixture> {
  const { dir, cleanup } = tempDir('kv');
  let env = LmdbEnv.open(dir);
  let store = wrap(env.store('q/op'));
  return {
    store,
    reopen: async () => {
      await store.close();
      await env.close();
      env = LmdbEnv.open(dir);
      store = wrap(env.store('q/op'));
      return store;
    },
    close: async () => {
      await store.close();
      await env.close();
      cleanup();
    },
  };
}

runKvContract('LmdbStore', () => lmdbFixture((s) => s));
runKvContract('CachingStore(LmdbStore), tiny cache (evictions write through)', () =>
  lmdbFixture((s) => new CachingStore(s, { maxEntries: 4 })),
);
runKvContract('CachingStore(LmdbStore), large cache', () => lmdbFixture((s) => new CachingStore(s, { maxEntries: 100_000 })));
runKvContract('CachingStore(LmdbStore), tiny byte budget shared with another cache (evictions write through)', () => {
  const budget = new CacheBudget(1_000);
  const other = new CachingStore<unknown>(new InMemoryStore<unknown>('other'), { budget });
  other.put(Buffer.from('held by another store'), { v: 1 });
  return lmdbFixture((s) => new CachingStore(s, { maxEntries: 100_000, budget }));
});

/** A change-logging stack over `base`, writing to an embedded log in a temporary directory. */
async function loggedFixture(
  base: () => KeyValueStore<unknown>,
  wrap: (s: KeyValueStore<unknown>) => KeyValueStore<unknown>,
): Promise<Fixture> {
  const { dir, cleanup } = tempDir('kvlog');
  const log = await openEmbeddedLog(path.join(dir, 'log'));
  await log.createTopic('changelog', { partitions: 1, cleanupPolicy: 'compact' });
  const producer = log.producer();
  const store = wrap(new ChangeLoggingStore(base(), { producer, topic: 'changelog' }));
  return {
    store,
    close: async () => {
      await store.close();
      await log.close();
      cleanup();
    },
  };
}

runKvContract('ChangeLoggingStore(InMemoryStore)', () =>
  loggedFixture(
    () => new InMemoryStore('mem'),
    (s) => s,
  ),
);

runKvContract('ChangeLoggingStore(LmdbStore)', async () => {
  const { dir, cleanup } = tempDir('kvlmdblog');
  const env = LmdbEnv.open(path.join(dir, 'state'));
  const f = await loggedFixture(
    () => env.store('q/op'),
    (s) => s,
  );
  return {
    store: f.store,
    close: async () => {
      await f.close();
      await env.close();
      cleanup();
    },
  };
});

runKvContract('MeteredStore(CachingStore(ChangeLoggingStore(LmdbStore)))', async () => {
  const { dir, cleanup } = tempDir('kvstack');
  const env = LmdbEnv.open(path.join(dir, 'state'));
  const f = await loggedFixture(
    () => env.store('q/op'),
    (s) => new MeteredStore(new CachingStore(s, { maxEntries: 16 }), { sampleEvery: 4 }),
  );
  return {
    store: f.store,
    close: async () => {
      await f.close();
      await env.close();
      cleanup();
    },
  };
});
