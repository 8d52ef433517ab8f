/**
 * The command log: every statement that changes the catalog (CREATE/DROP of streams, tables,
 * models; persistent queries with their plans; TERMINATE) is appended to a single-partition topic.
 * On start the engine replays it, so the catalog and the running queries survive a restart, and
 * every instance sharing the log (Kafka) runs the same queries. Persistent queries are restored
 * from their stored plans, never re-planned, so a restarted query keeps its state names.
 */
import type { Log, Producer } from '../log/log.ts';
import type { QueryPlan } from '../plan/steps.ts';

export const COMMAND_TOPIC = '_riffle_commands';

export interface Command {
  readonly version: 1;
  readonly sql: string;
  /** Properties in force (SET) when the statement ran. */
  readonly properties: Readonly<Record<string, string>>;
  readonly plan?: QueryPlan;
  /** Set (by readCommands, never written) when the record is not a command: why, and where. */
  readonly unreadable?: string;
}

export async function readCommands(log: Log): Promise<Command[]> {
  await log.ensureTopic(COMMAND_TOPIC, { partitions: 1, retentionMs: -1, cleanupPolicy: 'delete' });
  const [{ end }] = await log.offsets(COMMAND_TOPIC);
  if (end === 0) return [];
  const groupId = `riffle-command-replay-${process.pid}-${Date.now()}`;
  const consumer = log.consumer({ groupId, topics: [COMMAND_TOPIC], fromBeginning: true });
  const out: Command[] = [];
  try {
    let last = -1;
    // Read up to `end`: on Kafka an empty poll only means the fetch has not arrived yet (the
    // first one follows a group join), so only a long silence ends the replay early.
    const quietMs = log.kind === 'kafka' ? 30_000 : 1000;
    let quietSince = Date.now();
    while (last < end - 1) {
      const batch = await consumer.poll(1000, 1000);
      if (batch.length === 0) {
        if (Date.now() - quietSince >= quietMs) break;
        continue;
      }
      quietSince = Date.now();
      for (const r of batch) {
        last = r.offset;
        if (r.value) out.push(decodeCommand(Buffer.from(r.value).toString('utf8'), r.offset));
      }
    }
  } finally {
    await consumer.close();
    // The replay group commits nothing; on Kafka it would linger in the group list until it expires.
    if (log.kind === 'kafka') await log.deleteGroup(groupId).catch(() => undefined);
  }
  return out;
}

/** A record of the command topic; one that is not a command is returned as unreadable (quarantined on replay, not fatal). */
function decodeCommand(text: string, offset: number): Command {
  try {
    const c = JSON.parse(text) as Command;
    if (c && typeof c.sql === 'string' && typeof c.properties === 'object' && c.properties !== null) return c;
    return { version: 1, sql: text, properties: {}, unreadable: `record at offset ${offset} of ${COMMAND_TOPIC} is not a command` };
  } catch (e) {
    return { version: 1, sql: text, properties: {}, unreadable: `record at offset ${offset} of ${COMMAND_TOPIC} is not valid JSON (${(e as Error).message})` };
  }
}

export async function appendCommand(producer: Producer, command: Command): Promise<void> {
  await producer.send(COMMAND_TOPIC, [{ key: null, value: Buffer.from(JSON.stringify(command)), timestamp: Date.now(), partition: 0 }]);
}
