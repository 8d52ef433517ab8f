/**
 * `riffle topic list | create NAME [--partitions N] | produce NAME [--key K] [VALUE...] |
 * consume NAME [--from-beginning] [--limit N]`. `produce` without values reads lines from stdin
 * (`key<TAB>value` with --tab-key, else the whole line is the value), in batches.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { openLog } from './open.ts';
import { serverUrlFor } from './backend.ts';
import { RemoteClient } from './remote.ts';
import { remoteTopicCommand } from './topic-remote.ts';
import { renderTable } from './render.ts';
import { formatRecord } from '../engine/print.ts';
import type { ProducerRecord } from '../log/log.ts';
import { EmbeddedLog, describeRecovery, type JournalEntry } from '../log/embedded/index.ts';

export async function topicCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      'bootstrap-servers': { type: 'string' },
      partitions: { type: 'string' },
      key: { type: 'string' },
      'tab-key': { type: 'boolean' },
      'from-beginning': { type: 'boolean' },
      limit: { type: 'string' },
      'timeout-ms': { type: 'string' },
      server: { type: 'string' },
    },
  });
  const [sub, name, ...rest] = positionals;
  const url = serverUrlFor({ dataDir: values['data-dir'], bootstrapServers: values['bootstrap-servers'], server: values.server });
  if (url) {
    const client = new RemoteClient(url);
    try {
      return await remoteTopicCommand(client, sub, name, rest, values);
    } finally {
      client.close();
    }
  }
  const log = await openLog({ dataDir: values['data-dir'], bootstrapServers: values['bootstrap-servers'] });
  try {
    switch (sub) {
      case 'list': {
        const topics = await log.listTopics();
        // On the embedded log: what repairs after damage lost, per topic, with a footnote each.
        const history = log instanceof EmbeddedLog ? log.recoveryHistory() : [];
        const rows = [];
        for (const t of topics) {
          const offs = await log.offsets(t.name);
          const row: (string | number)[] = [t.name, t.partitions, offs.reduce((n, o) => n + o.end - o.start, 0)];
          if (history.length > 0) row.push(lostColumn(history.filter((e) => e.topic === t.name)));
          rows.push(row);
        }
        const header = history.length > 0 ? ['Topic', 'Partitions', 'Records', 'Lost to damage'] : ['Topic', 'Partitions', 'Records'];
        process.stdout.write(renderTable(header, rows) + '\n');
        if (history.length > 0) {
          process.stdout.write(`Repairs of damaged files in this log (${history.length}):\n`);
          for (const e of history) process.stdout.write(`  ${e.at}  ${describeRecovery(e)}\n`);
        }
        return 0;
      }
      case 'create': {
        if (!name) throw new Error('topic create: need a topic name');
        const partitions = Number(values.partitions ?? 1);
        await log.createTopic(name, { partitions });
        process.stdout.write(`Created topic ${name} with ${partitions} partition(s).\n`);
        return 0;
      }
      case 'produce': {
        if (!name) throw new Error('topic produce: need a topic name');
        const producer = log.producer();
        const toRecord = (line: string): ProducerRecord => {
          if (values['tab-key']) {
            const tab = line.indexOf('\t');
            return { key: tab < 0 ? null : Buffer.from(line.slice(0, tab)), value: Buffer.from(tab < 0 ? line : line.slice(tab + 1)), timestamp: Date.now() };
          }
          return { key: values.key !== undefined ? Buffer.from(values.key) : null, value: Buffer.from(line), timestamp: Date.now() };
        };
        let count = 0;
        if (rest.length) {
          await producer.send(name, rest.map(toRecord));
          count = rest.length;
        } else {
          let batch: ProducerRecord[] = [];
          for await (const line of createInterface({ input: process.stdin })) {
            if (!line) continue;
            batch.push(toRecord(line));
            if (batch.length >= 1000) {
              await producer.send(name, batch);
              count += batch.length;
              batch = [];
              if (process.stderr.isTTY) process.stderr.write(`\r${count} records`);
            }
          }
          if (batch.length) await producer.send(name, batch);
          count += batch.length;
        }
        await producer.close();
        process.stdout.write(`Produced ${count} record(s) to ${name}.\n`);
        return 0;
      }
      case 'consume': {
        if (!name) throw new Error('topic consume: need a topic name');
        const limit = values.limit ? Number(values.limit) : Infinity;
        const idleMs = Number(values['timeout-ms'] ?? 2000);
        const consumer = log.consumer({ groupId: `riffle-cli-${process.pid}`, topics: [name], fromBeginning: values['from-beginning'] ?? false });
        let seen = 0;
        let idleSince = Date.now();
        while (seen < limit && Date.now() - idleSince < idleMs) {
          const batch = await consumer.poll(Math.min(500, limit - seen), 200);
          if (batch.length) idleSince = Date.now();
          for (const r of batch) {
            process.stdout.write(formatRecord(r) + '\n');
            if (++seen >= limit) break;
          }
        }
        await consumer.close();
        return 0;
      }
      default:
        process.stderr.write('Usage: riffle topic list | create NAME [--partitions N] | produce NAME [--key K] [VALUE...] | consume NAME [--from-beginning] [--limit N]\n');
        return 2;
    }
  } catch (e) {
    process.stderr.write(`Error: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await log.close();
  }
}

/** The "lost to damage" cell of one topic: records known lost, plus cut writes of unknown size. */
function lostColumn(entries: readonly JournalEntry[]): string {
  let records = 0;
  let unknown = 0;
  let metadata = 0;
  for (const e of entries) {
    switch (e.kind) {
      case 'torn-tail':
        if (e.lostRecords === null) unknown++;
        else records += e.lostRecords;
        break;
      case 'lost-frames':
        records += e.lostRecords;
        break;
      case 'metadata':
        metadata++;
        break;
    }
  }
  const parts: string[] = [];
  if (records > 0 || (unknown === 0 && metadata === 0)) parts.push(`${records} record(s)`);
  if (unknown > 0) parts.push(`${unknown} cut write(s)`);
  if (metadata > 0) parts.push('config rebuilt');
  return parts.join(', ');
}
