import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConsumedRecord, TopicPartition } from '../../src/log/log.ts';
import { CommitFailedError, type KafkaConsumer, type KafkaLog } from '../../src/log/kafka/index.ts';
import { dec, enc, openTestLog, pollCount, pollFor, unique } from './helpers.ts';

const names = (ps: readonly TopicPartition[]): number[] => ps.map((p) => p.partition).sort((a, b) => a - b);

describe('consumer groups', { timeout: 180_000 }, () => {
  let log: KafkaLog;
  before(async () => {
    log = await openTestLog();
  });
  after(async () => {
    await log?.close();
  });

  test('commit, close, resume from the committed offsets', async () => {
    const topic = unique('resume');
    const group = unique('g');
    await log.createTopic(topic, { partitions: 2 });
    const producer = log.producer();
    await producer.send(topic, Array.from({ length: 20 }, (_, i) => ({ key: enc(`k${i}`), value: enc(`v${i}`), timestamp: Date.now() })));

    const first = log.consumer({ groupId: group, topics: [topic], fromBeginning: true });
    const batch = await pollCount(first, 20);
    // Commit the first half of each partition (next offset = last processed + 1).
    const commits = [0, 1].map((partition) => {
      const mine = batch.filter((r) => r.partition === partition);
      return { topic, partition, offset: mine[Math.floor(mine.length / 2)].offset };
    });
    await first.commit(commits);
    await first.close();
    assert.deepEqual(await log.committed(group, topic), commits);

    const second = log.consumer({ groupId: group, topics: [topic], fromBeginning: true });
    const rest = await pollCount(second, 20 - commits[0].offset - commits[1].offset);
    for (const c of commits) {
      const offsets = rest.filter((r) => r.partition === c.partition).map((r) => r.offset);
      assert.equal(offsets[0], c.offset, `partition ${c.partition} resumes at the committed offset`);
    }
    assert.deepEqual(await pollFor(second, 500), []);
    await second.close();
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('two members split the partitions; the survivor takes over all when one closes', async () => {
    const topic = unique('split');
    const group = unique('g');
    await log.createTopic(topic, { partitions: 4 });
    const producer = log.producer();
    const events: string[] = [];
    const hooks = (name: string) => ({
      onAssigned: (ps: readonly TopicPartition[]) => void events.push(`${name}+${names(ps).join(',')}`),
      onRevoked: (ps: readonly TopicPartition[], reason: string) => void events.push(`${name}-${names(ps).join(',')}:${reason}`),
    });
    const a = log.consumer({ groupId: group, topics: [topic], fromBeginning: true, heartbeatIntervalMs: 300, ...hooks('a') });
    const b = log.consumer({ groupId: group, topics: [topic], fromBeginning: true, heartbeatIntervalMs: 300, ...hooks('b') });
    const seen = { a: [] as ConsumedRecord[], b: [] as ConsumedRecord[] };
    let stop = false;
    const loop = async (c: KafkaConsumer, into: ConsumedRecord[]) => {
      while (!stop) into.push(...(await c.poll(100, 200)));
    };
    const loops = [loop(a, seen.a), loop(b, seen.b)];
    const deadline = Date.now() + 30_000;
    while (!(a.assignment().length === 2 && b.assignment().length === 2)) {
      assert.ok(Date.now() < deadline, `no 2+2 split: a=${names(a.assignment())} b=${names(b.assignment())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual([...names(a.assignment()), ...names(b.assignment())].sort(), [0, 1, 2, 3]);

    await producer.send(topic, [0, 1, 2, 3].map((partition) => ({ key: null, value: enc(`p${partition}`), timestamp: Date.now(), partition })));
    while (seen.a.length + seen.b.length < 4) {
      assert.ok(Date.now() < deadline, 'records reach both members');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(names(seen.a), names(a.assignment()), 'a reads exactly its partitions');
    assert.deepEqual(names(seen.b), names(b.assignment()), 'b reads exactly its partitions');
    await a.commit(seen.a.map((r) => ({ topic, partition: r.partition, offset: r.offset + 1 })));
    await b.commit(seen.b.map((r) => ({ topic, partition: r.partition, offset: r.offset + 1 })));

    // b leaves: a gets all four partitions and continues after b's commits.
    const bHad = names(b.assignment());
    stop = true;
    await Promise.all(loops);
    stop = false;
    await b.close();
    assert.ok(events.includes(`b-${bHad.join(',')}:close`), `b's hook saw the close: ${events}`);
    const aLoop = loop(a, seen.a);
    while (a.assignment().length !== 4) {
      assert.ok(Date.now() < deadline + 30_000, `a did not take over: ${names(a.assignment())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await producer.send(topic, [0, 1, 2, 3].map((partition) => ({ key: null, value: enc(`second-p${partition}`), timestamp: Date.now(), partition })));
    while (seen.a.filter((r) => dec(r.value)!.startsWith('second')).length < 4) {
      assert.ok(Date.now() < deadline + 60_000, 'a reads all partitions after the takeover');
      await new Promise((r) => setTimeout(r, 50));
    }
    stop = true;
    await aLoop;
    // No record was read twice: b's committed offsets were honoured.
    const keys = seen.a.map((r) => `${r.partition}@${r.offset}`);
    assert.equal(new Set(keys).size, keys.length, 'no duplicates after the takeover');
    assert.equal(seen.a.length + seen.b.length, 8);
    // Eager rebalance: a revoked everything it had before getting all four.
    const aEvents = events.filter((e) => e.startsWith('a'));
    assert.equal(aEvents.at(-1), 'a+0,1,2,3');
    assert.match(aEvents.at(-2)!, /^a-\d,\d:rebalance$/);
    await a.close();
    assert.match(events.at(-1)!, /^a-0,1,2,3:close$/);
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('onRevoked runs before the partitions move, and may commit', async () => {
    const topic = unique('handover');
    const group = unique('g');
    await log.createTopic(topic, { partitions: 2 });
    const producer = log.producer();
    await producer.send(topic, Array.from({ length: 10 }, (_, i) => ({ key: null, value: enc(`v${i}`), timestamp: Date.now(), partition: i % 2 })));
    const processed = new Map<number, number>(); // partition -> next offset
    const reasons: string[] = [];
    let a: KafkaConsumer | undefined;
    a = log.consumer({
      groupId: group,
      topics: [topic],
      fromBeginning: true,
      heartbeatIntervalMs: 200,
      onRevoked: async (ps, reason) => {
        reasons.push(reason);
        // The coordinator still accepts commits of the current generation here.
        await a!.commit(ps.filter((p) => processed.has(p.partition)).map((p) => ({ ...p, offset: processed.get(p.partition)! })));
      },
    });
    for (const r of await pollCount(a, 10)) processed.set(r.partition, r.offset + 1);
    // A second member joins: a's next poll revokes (committing), then both get one partition.
    const b = log.consumer({ groupId: group, topics: [topic], fromBeginning: true, heartbeatIntervalMs: 200 });
    const bPoll = (async () => {
      const out: ConsumedRecord[] = [];
      const until = Date.now() + 20_000;
      while (Date.now() < until && b.assignment().length === 0) out.push(...(await b.poll(100, 200)));
      out.push(...(await pollFor(b, 500)));
      return out;
    })();
    const until = Date.now() + 20_000;
    while (a.assignment().length !== 1 && Date.now() < until) await a.poll(100, 200);
    assert.equal(a.assignment().length, 1);
    assert.deepEqual(await bPoll, [], 'b starts after a committed in onRevoked: nothing is re-read');
    assert.deepEqual(reasons, ['rebalance']);
    await Promise.all([a.close(), b.close()]);
    assert.deepEqual(reasons, ['rebalance', 'close']);
    await producer.close();
    await log.deleteTopic(topic);
  });

  test('a member the group dropped: commit fails, the next poll reports the partitions lost and rejoins', async () => {
    const topic = unique('fenced');
    const group = unique('g');
    await log.createTopic(topic, { partitions: 1 });
    const revoked: string[] = [];
    // Session timeout 2 s and (practically) no heartbeats: the coordinator drops the member.
    const a = log.consumer({
      groupId: group,
      topics: [topic],
      fromBeginning: true,
      sessionTimeoutMs: 2000,
      heartbeatIntervalMs: 60_000,
      onRevoked: (_ps, reason) => void revoked.push(reason),
    });
    await a.poll(10, 500);
    assert.equal(a.assignment().length, 1);
    await new Promise((r) => setTimeout(r, 4000));
    await assert.rejects(a.commit([{ topic, partition: 0, offset: 1 }]), CommitFailedError);
    await a.poll(10, 500);
    assert.deepEqual(revoked, ['lost']);
    assert.equal(a.assignment().length, 1, 'rejoined');
    await a.commit([{ topic, partition: 0, offset: 0 }]); // the new generation commits fine
    await a.close();
    assert.deepEqual(revoked, ['lost', 'close']);
    await log.deleteTopic(topic);
  });
});
