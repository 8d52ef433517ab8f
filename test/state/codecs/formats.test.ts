/**
 * Versioned state formats: every format round-trips its current version, reads version 1 (the
 * unprefixed objects of releases before versioned formats) and refuses a newer version; and a data
 * directory written by the v1 release (test-fixtures/state/v1, made at e11f950 by
 * ../fixtures/make-format-fixture.ts) is restored by today's code — from its LMDB state, and from
 * its changelogs alone — and continues with the same output the v1 release gave.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Packr } from 'msgpackr';
import { formatCodec, readsCodec, StateFormatError, VERSIONED } from '../../../src/state/codecs/format.ts';
import {
  aggregateFormat,
  appliedOffsetFormat,
  overFrameFormat,
  pendingJoinRowFormat,
  pendingWindowFormat,
  rowColumnsFormat,
  stateFormats,
  storedRowFormat,
} from '../../../src/state/codecs/formats.ts';
import { msgpackCodec } from '../../../src/state/codec.ts';
import { LmdbEnv } from '../../../src/state/lmdb-env.ts';
import { Decimal } from '../../../src/types/decimal.ts';
import { openEmbeddedLog } from '../../../src/log/embedded/index.ts';
import { Engine } from '../../../src/engine/engine.ts';
import { continueAndRead, T0, type OutputRecord } from '../fixtures/format-scenario.ts';
import { readTopic } from '../../engine/helpers.ts';

const FIXTURE = fileURLToPath(new URL('../../../test-fixtures/state/v1/', import.meta.url));

/** [format, a value, the same value as e11f950 kept it in memory and wrote it (version 1)]. */
const samples: [string, unknown, unknown][] = [
  ['aggregate', { states: [3, 8n, new Decimal(875n, 2), ['a1', null]], maxTs: 1_700_000_000_123 }, { a: [3, 8n, new Decimal(875n, 2), ['a1', null]], t: 1_700_000_000_123 }],
  ['pending-window', { group: ['k', 7], start: 10_000, end: 20_000 }, { g: ['k', 7], s: 10_000, e: 20_000 }],
  ['row', { cols: ['x', 1.5, null], ts: 5 }, { c: ['x', 1.5, null], t: 5 }],
  [
    'row',
    { cols: [Buffer.from([1, 2])], ts: 5, partition: 3, offset: 99, sideTimes: [1, null], sidePartitions: [0, null], sideOffsets: [4, null] },
    { c: [Buffer.from([1, 2])], t: 5, p: 3, o: 99, s: [1, null], sp: [0, null], so: [4, null] },
  ],
  ['pending-join-row', { cols: ['x'], ts: 5, partition: 0, offset: 2, right: true, due: 900 }, { c: ['x'], t: 5, p: 0, o: 2, right: true, due: 900 }],
  ['over-frame', { state: [4, 10n] }, { s: [4, 10n] }],
  ['over-frame', { window: [{ ts: 1, args: [2] }, { ts: 3, args: [null] }] }, { w: [{ t: 1, a: [2] }, { t: 3, a: [null] }] }],
  ['row-columns', ['a', 1, null], ['a', 1, null]],
  ['applied-offset', 12345, 12345],
];

test('each format round-trips its current version, with the version in the value', () => {
  for (const [name, value] of samples) {
    const format = stateFormats.get(name)!;
    const codec = formatCodec(format);
    const bytes = codec.encode(value);
    assert.equal(bytes[0], VERSIONED);
    assert.equal(bytes[1], format.version);
    assert.deepEqual(codec.decode(bytes), value, name);
    assert.equal(codec.id, `${name}@v${format.version}`);
  }
});

test('version 1 (plain MessagePack of the one-letter objects e11f950 wrote) reads as the named value', () => {
  for (const [name, value, v1] of samples) {
    const codec = formatCodec(stateFormats.get(name)!);
    assert.deepEqual(codec.decode(msgpackCodec.encode(v1)), value, name);
  }
});

test('positional payloads: field names are not in the stored bytes', () => {
  const bytes = formatCodec(aggregateFormat).encode({ states: [1], maxTs: 2 });
  assert.deepEqual(new Packr({ useRecords: false }).unpack(bytes.subarray(2)), [[1], 2]);
  const legacy = msgpackCodec.encode({ a: [1], t: 2 });
  assert.ok(bytes.length < legacy.length, `${bytes.length} bytes against ${legacy.length} in v1`);
});

test('a value of a newer version than this release reads is refused with a clear error', () => {
  const codec = formatCodec(pendingWindowFormat);
  const bytes = codec.encode({ group: [], start: 1, end: 2 });
  bytes[1] = pendingWindowFormat.version + 1;
  assert.throws(() => codec.decode(bytes), (e: unknown) => e instanceof StateFormatError && /written by a newer release/.test((e as Error).message));
});

test('checkpoints: a format reads its own and older versions and the legacy codec, not other formats or newer versions', () => {
  assert.ok(readsCodec(aggregateFormat, 'msgpack-v1'));
  assert.ok(readsCodec(aggregateFormat, 'aggregate@v1'));
  assert.ok(readsCodec(aggregateFormat, `aggregate@v${aggregateFormat.version}`));
  assert.ok(!readsCodec(aggregateFormat, `aggregate@v${aggregateFormat.version + 1}`));
  assert.ok(!readsCodec(aggregateFormat, 'row@v2'));
  assert.ok(!readsCodec(storedRowFormat, 'raw'));
});

test('format names are unique and every format of the operators is in the table', () => {
  for (const f of [aggregateFormat, pendingWindowFormat, storedRowFormat, pendingJoinRowFormat, overFrameFormat, rowColumnsFormat, appliedOffsetFormat]) {
    assert.equal(stateFormats.get(f.name), f);
  }
});

test('the v1 fixture\'s LMDB values decode with today\'s formats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-format-'));
  try {
    cpSync(join(FIXTURE, 'data/state/state'), dir, { recursive: true });
    const env = LmdbEnv.open(join(dir, 'CTAS_TOTALS_0'));
    const totals = [...env.store('Aggregate/p0', formatCodec(aggregateFormat)).range(null, null)].map((e) => e.value);
    assert.equal(totals.length, 3);
    // Group 'a' after a1, a2, a3: COUNT 3, SUM(v) 8, COLLECT_LIST in order; newest time 12 s.
    const a = totals.find((v) => JSON.stringify(v.states[4]) === '["a1","a2","a3"]');
    assert.ok(a, JSON.stringify(totals, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    assert.equal(a.states[0], 3);
    assert.equal(a.states[1], 8);
    assert.equal(String(a.states[3]), '8.75');
    assert.equal(a.maxTs, 4_102_444_812_000);
    env.close();
    const joins = LmdbEnv.open(join(dir, 'CSAS_ENRICHED_6'));
    const users = [...joins.store('Join/right/p0', formatCodec(storedRowFormat)).range(null, null)].map((e) => e.value);
    assert.deepEqual(users, [
      { cols: ['a', 'Ann'], ts: 4_102_444_800_000, partition: 0, offset: 0 },
      { cols: ['b', 'Bob'], ts: 4_102_444_800_000, partition: 0, offset: 1 },
    ]);
    joins.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Continues the fixture's workload on a copy (minus `drop`) with today's code; then, with the
 * local state deleted, restores from the changelogs (now v1 and v2 records) and adds a record.
 */
async function continueFixture(drop: string | null): Promise<{ out: OutputRecord[]; modes: Set<string>; formats: string[]; total: unknown }> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-format-'));
  const properties = { 'auto.offset.reset': 'earliest' };
  try {
    cpSync(join(FIXTURE, 'data'), dir, { recursive: true });
    if (drop) rmSync(join(dir, drop), { recursive: true, force: true });
    let log = await openEmbeddedLog(dir);
    let engine = await Engine.open({ log, background: false, properties });
    let out: OutputRecord[];
    let modes: Set<string>;
    try {
      out = await continueAndRead(engine, log);
      modes = new Set(engine.stores.stats().map((s) => s.restore.mode));
    } finally {
      await engine.close();
      await log.close();
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'state/state/CTAS_TOTALS_0/stores.json'), 'utf8')) as { stores: { format?: string }[] };
    rmSync(join(dir, 'state'), { recursive: true, force: true });
    log = await openEmbeddedLog(dir);
    engine = await Engine.open({ log, background: false, properties });
    try {
      await engine.execute(`INSERT INTO ev (ROWTIME, id, v, big, amt, name) VALUES (${T0 + 200_000}, 'a', 13, 0, 0.00, 'a6');`);
      await engine.runUntilIdle();
      const totals = await readTopic(log, 'TOTALS');
      return { out, modes, formats: manifest.stores.map((x) => x.format ?? '?'), total: JSON.parse(Buffer.from(totals.at(-1)!.value!).toString()) };
    } finally {
      await engine.close();
      await log.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const expected = (): OutputRecord[] => JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as OutputRecord[];

test('a data dir written by the v1 release: restored from its LMDB state, queries continue as they did there', { timeout: 120_000 }, async () => {
  const { out, modes, formats, total } = await continueFixture(null);
  assert.deepEqual([...modes], ['partial'], 'the v1 checkpoints are accepted: no store was rebuilt');
  assert.ok(out.length > 50);
  assert.deepEqual(out, expected());
  assert.deepEqual(formats, ['aggregate@v2', 'applied-offset@v2'], 'stores.json records the formats');
  // Rebuilt from a changelog of v1 and v2 records: a's total goes on from 5 records (25) to 6 (38).
  assert.deepEqual(total, { N: 6, S: 38, BIGS: 250000000000, AMTS: 26.25, NAMES: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'] });
});

test('a data dir written by the v1 release: restored from its v1 changelogs alone, queries continue as they did there', { timeout: 120_000 }, async () => {
  const { out, modes } = await continueFixture('state');
  assert.deepEqual([...modes], ['full']);
  assert.deepEqual(out, expected());
});

test('a joined row of windowed sources keeps its window; rows without one encode exactly as before', () => {
  const rows = formatCodec(storedRowFormat);
  const windowed = { cols: ['k', 1], ts: 5, partition: 0, offset: 3, windowStart: 0, windowEnd: 1000 };
  assert.deepEqual(rows.decode(rows.encode(windowed)), windowed);
  const plain = { cols: ['k', 1], ts: 5, partition: 0, offset: 3 };
  assert.equal((storedRowFormat.toPayload(plain) as unknown[]).length, 7);
  assert.deepEqual(rows.decode(rows.encode(plain)), plain);
  const pending = formatCodec(pendingJoinRowFormat);
  for (const p of [{ ...windowed, right: true, due: 90 }, { ...plain, right: false, due: 7 }]) assert.deepEqual(pending.decode(pending.encode(p)), p);
  assert.equal((pendingJoinRowFormat.toPayload({ ...plain, right: false, due: 7 }) as unknown[]).length, 9, 'right and due stay at 7 and 8');
});
