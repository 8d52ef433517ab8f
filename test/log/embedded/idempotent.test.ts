/**
 * Idempotent producers of the embedded log (capabilities.idempotence): frames carry the producer's
 * number, so a producer counts its own records beyond given offsets (not other producers', not
 * anonymous ones), the same after a reopen; `skip` leaves out what is already written; null-key
 * records go to the partition the caller names.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import type { ProducerRecord } from '../../../src/log/log.ts';
import { partitionForKey } from '../../../src/log/partitioner.ts';
import { bytes, pollN, tempDir, text } from './helpers.ts';

const rec = (key: string | null, value: string): ProducerRecord => ({ key: key === null ? null : bytes(key), value: bytes(value), timestamp: 1 });

test('a producer counts its own records beyond offsets, also after a reopen; others are not counted', async (t) => {
  const dir = tempDir(t);
  let log = await openEmbeddedLog(dir);
  await log.createTopic('out', { partitions: 2 });
  const idem = log.capabilities.idempotence;
  assert.ok(idem, 'the embedded log has idempotent producers');
  const a = idem.idempotentProducer('query:A');
  const b = idem.idempotentProducer('query:B');
  const anon = log.producer();
  const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'];
  const inP0 = keys.filter((k) => partitionForKey(bytes(k), 2) === 0).length;
  await a.send('out', keys.map((k) => rec(k, `a1-${k}`)), { sticky: 0 });
  const ends = (await log.offsets('out')).map((p) => p.end);
  await anon.send('out', keys.map((k) => rec(k, 'anon')));
  await b.send('out', keys.map((k) => rec(k, 'b')), { sticky: 0 });
  await a.send('out', [rec(null, 'a2-null'), rec(null, 'a2-null')], { sticky: 1 });
  await a.send('out', keys.map((k) => rec(k, `a3-${k}`)), { sticky: 0 });
  assert.deepEqual(await a.countSince('out', ends), [inP0, 2 + keys.length - inP0], "A's records beyond `ends` (null keys: partition 1)");
  assert.deepEqual(await b.countSince('out', ends), [inP0, keys.length - inP0]);
  assert.deepEqual(await a.countSince('out', [0, 0]), [2 * inP0, 2 * (keys.length - inP0) + 2]);
  await log.close();

  // The numbers are kept: after a reopen the same names count the same records.
  assert.ok(fs.existsSync(path.join(dir, 'producers.json')));
  log = await openEmbeddedLog(dir);
  const a2 = log.capabilities.idempotence!.idempotentProducer('query:A');
  assert.deepEqual(await a2.countSince('out', ends), [inP0, 2 + keys.length - inP0]);
  assert.deepEqual(await log.capabilities.idempotence!.idempotentProducer('query:C').countSince('out', [0, 0]), [0, 0], 'a new name counts nothing');
  await log.close();
});

test('skip leaves out the first records routed to each partition; the rest are appended in order', async (t) => {
  const log = await openEmbeddedLog(tempDir(t));
  await log.createTopic('out', { partitions: 2 });
  const p = log.capabilities.idempotence!.idempotentProducer('q');
  const records = [0, 1, 2, 3, 4, 5].map((i) => ({ ...rec(null, `v${i}`), partition: i % 2 }));
  const results = await p.send('out', records, { sticky: 0, skip: [2, 0] });
  assert.deepEqual(results.map((r) => r.offset), [-1, 0, -1, 1, 0, 2], 'skipped records have no offset');
  const c = log.consumer({ groupId: 'g', topics: ['out'], fromBeginning: true });
  const got = await pollN(c, 4);
  assert.deepEqual(got.filter((r) => r.partition === 0).map((r) => text(r.value)), ['v4']);
  assert.deepEqual(got.filter((r) => r.partition === 1).map((r) => text(r.value)), ['v1', 'v3', 'v5']);
  await c.close();
  await log.close();
});
