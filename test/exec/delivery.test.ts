import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atLeastOnce, emptyOutputs, addOutputs } from '../../src/exec/delivery.ts';
import type { Consumer, OutputBuffer, PartitionOffset, Producer, ProducerRecord } from '../../src/log/log.ts';

/** A producer with an output buffer, recording what happens in order (the Kafka one is covered by it/kafka/linger.test.ts). */
function recording() {
  const events: string[] = [];
  let buffered: string[] = [];
  const buffer: OutputBuffer = {
    get records() {
      return buffered.length;
    },
    add(topic, records) {
      for (const r of records) buffered.push(`${topic}:${Buffer.from(r.value!).toString()}`);
    },
    async flush() {
      if (buffered.length) events.push(`flush ${buffered.join(',')}`);
      buffered = [];
    },
    clear() {
      buffered = [];
    },
  };
  const producer: Producer = {
    async send(topic, records) {
      events.push(`send ${topic} ${records.length}`);
      return [];
    },
    outputBuffer: () => buffer,
    async close() {},
  };
  const consumer = {
    async commit(offsets: readonly PartitionOffset[]) {
      events.push(`commit ${offsets.map((o) => o.offset).join(',')}`);
    },
  } as unknown as Consumer;
  return { events, producer, consumer };
}

const rec = (v: string): ProducerRecord => ({ key: null, value: Buffer.from(v), timestamp: 0 });
const outputsOf = (...values: string[]) => {
  const o = emptyOutputs();
  addOutputs(o, 'out', values.map(rec));
  return o;
};

test('lingering at-least-once outputs go to the producer\'s output buffer and are flushed before their offsets commit', async () => {
  const { events, producer, consumer } = recording();
  const delivery = atLeastOnce(producer, consumer, true, true);
  const first = outputsOf('a', 'b');
  await delivery.complete(first, [], async () => void events.push('before-commit'));
  assert.equal(first.byTopic.size, 0, 'the batch lets go of its outputs');
  await delivery.complete(outputsOf('c'), [{ topic: 'in', partition: 0, offset: 3 }], async () => void events.push('before-commit'));
  assert.deepEqual(events, ['before-commit', 'flush out:a,out:b,out:c', 'before-commit', 'commit 3']);
  // Aborted: what lingered is dropped (its input is processed again), never written.
  await delivery.complete(outputsOf('d'), [], async () => {});
  await delivery.abort();
  await delivery.flush!();
  await delivery.complete(outputsOf('e'), [{ topic: 'in', partition: 0, offset: 5 }], async () => {});
  assert.deepEqual(events.slice(4), ['flush out:e', 'commit 5']);
  assert.ok(!events.some((e) => e.startsWith('send')), 'nothing through send()');
});

test('idle: flush() writes what lingered', async () => {
  const { events, producer, consumer } = recording();
  const delivery = atLeastOnce(producer, consumer, true, true);
  await delivery.complete(outputsOf('a'), [], async () => {});
  assert.deepEqual(events, []);
  await delivery.flush!();
  assert.deepEqual(events, ['flush out:a']);
});

test('no linger (local log) or no commits (no group): outputs are sent with their batch, the buffer is not used', async () => {
  for (const [commit, linger] of [
    [true, false],
    [false, true],
  ]) {
    const { events, producer, consumer } = recording();
    const delivery = atLeastOnce(producer, consumer, commit, linger);
    await delivery.complete(outputsOf('a', 'b'), [], async () => {});
    assert.deepEqual(events, ['send out 2'], `commit ${commit}, linger ${linger}`);
  }
});
