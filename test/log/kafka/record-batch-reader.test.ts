import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordsBatch, crc32c, fetchV17, Reader, readRecordsBatches, Writer } from '@platformatic/kafka';
import type { ConsumedRecord } from '../../../src/log/log.ts';
import { CorruptRecordBatchError, parseFetchResponse, readBatchHeaders } from '../../../src/log/kafka/fetch-response.ts';
import { decodeBatchRecords, decodeLibraryBatch } from '../../../src/log/kafka/record-batch-reader.ts';
import { encodeRecordBatch, type BatchMessage } from '../../../src/log/kafka/record-batch.ts';

function messages(n: number, seed = 0): BatchMessage[] {
  const out: BatchMessage[] = [];
  for (let i = 0; i < n; i++) {
    const j = i + seed;
    out.push({
      topic: 't',
      partition: 0,
      key: j % 3 === 0 ? null : j % 5 === 0 ? Buffer.alloc(0) : Buffer.from(`key-${j}`),
      value: j % 7 === 6 ? null : Buffer.alloc((j * 37) % 700, j & 0xff),
      // Out of order and far apart: negative deltas, multi-byte varlongs (> 2^31 ms apart).
      timestamp: BigInt(1_700_000_000_000 + ((j * 7919) % 5000) - 2500 + (j % 11 === 10 ? 3_000_000_000 : 0)),
      headers:
        j % 4 === 1
          ? new Map([
              [Buffer.from('h1'), Buffer.from('v1')],
              [Buffer.from('ü'), null as unknown as Buffer],
              [Buffer.alloc(0), Buffer.alloc(0)],
            ])
          : undefined,
    });
  }
  return out;
}

/** A batch as it sits in a log: base offset set (the broker assigns it), CRC unchanged (it does not cover the base offset). */
function atOffset(batch: Buffer, baseOffset: bigint): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(baseOffset, 0);
  return copy;
}

function libraryBatch(ms: BatchMessage[], compression: string, baseOffset: bigint, producerId = -1n): Buffer {
  const copy = ms.map((m) => ({ ...m }));
  return atOffset(Buffer.from(createRecordsBatch(copy as never, { compression, producerId } as never).buffer), baseOffset);
}

/** Sets attributes (e.g. the control bit) and recomputes the CRC, as the broker would have written it. */
function withAttributes(batch: Buffer, attributes: number): Buffer {
  const copy = Buffer.from(batch);
  copy.writeInt16BE(attributes, 21);
  copy.writeUInt32BE(crc32c(copy.subarray(21)), 17);
  return copy;
}

/** `bytes` as the socket delivers them: in chunks of `size` bytes (the last one shorter). */
function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function ours(bytes: Buffer, fromOffset = 0, chunkSize = bytes.length): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  for (const batch of readBatchHeaders(chunks(bytes, chunkSize))) decodeBatchRecords(batch, 'topic', 3, fromOffset, out);
  return out;
}

function theirs(bytes: Buffer, fromOffset = 0): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  for (const batch of readRecordsBatches(Reader.from(bytes))) decodeLibraryBatch(batch, 'topic', 3, fromOffset, out);
  return out;
}

/** Records as plain data (Buffers as hex, null kept) for deepEqual. */
const plain = (rs: ConsumedRecord[]) =>
  rs.map((r) => ({
    ...r,
    key: r.key === null ? null : Buffer.from(r.key).toString('hex'),
    value: r.value === null ? null : Buffer.from(r.value).toString('hex'),
    headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value).toString('hex') })),
  }));

test('record for record what the library decodes: keys, empty and null fields, headers, timestamps, several batches', () => {
  const bytes = Buffer.concat([
    atOffset(encodeRecordBatch(messages(1)), 0n),
    atOffset(encodeRecordBatch(messages(120, 1)), 1n),
    atOffset(encodeRecordBatch(messages(33, 121)), 121n),
  ]);
  const mine = ours(bytes);
  assert.equal(mine.length, 154);
  assert.deepEqual(plain(mine), plain(theirs(bytes)));
  // Split over socket chunks anywhere (records, varints and batch headers straddling them): the same records.
  for (const size of [1, 2, 3, 7, 61, 64, 100, 1000, 4096]) assert.deepEqual(plain(ours(bytes, 0, size)), plain(mine), `chunks of ${size} bytes`);
  assert.deepEqual(
    mine.map((r) => r.offset),
    Array.from({ length: 154 }, (_, i) => i),
  );
  // Spot checks against the input, not only against the library.
  const m = messages(120, 1);
  assert.equal(mine[5].timestamp, Number(m[4].timestamp));
  assert.deepEqual(mine[5].headers.map((h) => h.key), ['h1', 'ü', '']);
  assert.equal(mine[5].headers[1].value, null);
});

for (const compression of ['gzip', 'snappy', 'lz4', 'zstd']) {
  test(`${compression} batches: the same records as the library, and those before the fetch offset skipped`, () => {
    const bytes = Buffer.concat([libraryBatch(messages(200), compression, 1000n), libraryBatch(messages(50, 7), compression, 1200n)]);
    assert.notEqual(bytes.readInt16BE(21) & 7, 0, 'the batch is compressed');
    assert.deepEqual(plain(ours(bytes)), plain(theirs(bytes)));
    assert.deepEqual(plain(ours(bytes, 0, 333)), plain(theirs(bytes)), 'compressed batches split over chunks');
    // A fetch from the middle of a compressed batch: the broker returns the whole batch.
    const from = ours(bytes, 1150);
    assert.equal(from[0].offset, 1150);
    assert.equal(from.length, 100);
  });
}

test('LogAppendTime batches take the batch max timestamp for every record', () => {
  const batch = withAttributes(atOffset(encodeRecordBatch(messages(10)), 0n), 0x08);
  const mine = ours(batch);
  const max = Number(batch.readBigInt64BE(35));
  assert.ok(mine.every((r) => r.timestamp === max));
  assert.deepEqual(plain(mine), plain(theirs(batch)));
});

test('a batch cut by the fetch size limit is left out; the complete ones before it are read', () => {
  const full = Buffer.concat([atOffset(encodeRecordBatch(messages(10)), 0n), atOffset(encodeRecordBatch(messages(10, 10)), 10n)]);
  const cut = full.subarray(0, full.length - 5);
  assert.equal(readBatchHeaders([cut]).length, 1);
  assert.equal(ours(cut).length, 10);
  assert.equal(ours(cut, 0, 50).length, 10);
  assert.equal(readBatchHeaders([cut.subarray(0, 11)]).length, 0); // not even the batch length is there
});

test('a corrupt batch (a flipped byte) fails its CRC check with a clear error', () => {
  const batch = atOffset(encodeRecordBatch(messages(20)), 500n);
  batch[200] ^= 0x40;
  assert.throws(() => readBatchHeaders(chunks(batch, 100)), (e: unknown) => e instanceof CorruptRecordBatchError && /offset 500 is corrupt: CRC-32C/.test(e.message));
});

test('a record claiming more bytes than its batch holds fails rather than reading the next batch', () => {
  const batch = atOffset(encodeRecordBatch(messages(3)), 0n);
  batch[61] = 0x7e; // first record's length varint: 63 bytes, past the batch; CRC made to match
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  assert.throws(() => ours(batch), CorruptRecordBatchError);
});

test('control batches: their record keys are decoded (the marker type), data batches carry none', () => {
  const marker = { topic: 't', partition: 0, key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]), timestamp: 1n };
  const control = withAttributes(atOffset(encodeRecordBatch([marker], { producerId: 9n }), 7n), (1 << 5) | (1 << 4));
  const [header] = readBatchHeaders(chunks(control, 30));
  assert.equal(header.producerId, 9n);
  assert.equal(header.firstOffset, 7n);
  assert.deepEqual(header.records.map((r) => r.key?.readInt16BE(2)), [0]);
  const plainBatch = atOffset(encodeRecordBatch(messages(2)), 0n);
  const [data] = readBatchHeaders([plainBatch]);
  assert.equal(data.records.length, 0);
});

/** A Fetch v17 response: one topic, given partitions (records bytes, aborted transactions, error). */
function fetchResponse(partitions: { index: number; records: Buffer | null; aborted?: { producerId: bigint; firstOffset: bigint }[] | null; errorCode?: number }[]): Buffer {
  const w = Writer.create().appendInt32(0).appendInt16(0).appendInt32(77).appendUnsignedVarInt(2);
  w.appendUUID('0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9').appendUnsignedVarInt(partitions.length + 1);
  for (const p of partitions) {
    w.appendInt32(p.index).appendInt16(p.errorCode ?? 0).appendInt64(100n).appendInt64(90n).appendInt64(0n);
    if (p.aborted === null || p.aborted === undefined) w.appendUnsignedVarInt(0);
    else {
      w.appendUnsignedVarInt(p.aborted.length + 1);
      for (const a of p.aborted) w.appendInt64(a.producerId).appendInt64(a.firstOffset).appendTaggedFields();
    }
    w.appendInt32(-1);
    if (p.records === null) w.appendUnsignedVarInt(0);
    else w.appendUnsignedVarInt(p.records.length + 1).append(p.records);
    // Tagged field 1: current leader.
    w.appendUnsignedVarInt(1).appendUnsignedVarInt(1).appendUnsignedVarInt(8).appendInt32(4).appendInt32(12);
  }
  w.appendTaggedFields(); // topic
  w.appendTaggedFields(); // response
  return Buffer.from(w.buffer);
}

/** The reader the connection hands to a parser: a DynamicBuffer of several socket chunks. */
function chunkedReader(bytes: Buffer, chunk: number) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const reader = Reader.from(Buffer.alloc(0));
  reader.reset(chunks.length === 1 ? chunks[0] : undefined);
  for (const c of chunks.length === 1 ? [] : chunks) reader.buffer.append(c);
  reader.length = reader.buffer.length;
  return reader;
}

test('a Fetch v17 response parses like the library parses it (fields, aborted transactions, tagged fields), across socket chunks', () => {
  const records = Buffer.concat([atOffset(encodeRecordBatch(messages(40)), 0n), libraryBatch(messages(30, 40), 'lz4', 40n)]);
  const bytes = fetchResponse([
    { index: 0, records, aborted: [{ producerId: 5n, firstOffset: 3n }] },
    { index: 1, records: null },
    { index: 2, records: Buffer.alloc(0), aborted: [] },
  ]);
  const mine = parseFetchResponse(0, 1, 17, chunkedReader(bytes, 97) as never);
  const lib = fetchV17.parseResponse(0, 1, 17, chunkedReader(bytes, 97) as never);
  const strip = (r: typeof mine | typeof lib) => ({ ...r, responses: r.responses.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, records: p.records?.length ?? null })) })) });
  assert.deepEqual(strip(mine), strip(lib));
  assert.deepEqual(mine.responses[0].partitions[0].currentLeader, { leaderId: 4, leaderEpoch: 12 });
  const decoded: ConsumedRecord[] = [];
  for (const b of mine.responses[0].partitions[0].records!) decodeBatchRecords(b, 'topic', 3, 0, decoded);
  const expected: ConsumedRecord[] = [];
  for (const b of lib.responses[0].partitions[0].records ?? []) decodeLibraryBatch(b, 'topic', 3, 0, expected);
  assert.equal(decoded.length, 70);
  assert.deepEqual(plain(decoded), plain(expected));
});

test('a partition error fails the response like the library does (ResponseError with the response attached)', () => {
  const bytes = fetchResponse([{ index: 0, records: null, errorCode: 1 }]);
  assert.throws(
    () => parseFetchResponse(0, 1, 17, chunkedReader(bytes, 1000) as never),
    (e: unknown) => {
      const err = e as { code: string; errors: { apiId: string }[]; response: { responses: unknown[] } };
      return err.code === 'PLT_KFK_RESPONSE' && err.errors[0].apiId === 'OFFSET_OUT_OF_RANGE' && err.response.responses.length === 1;
    },
  );
});
