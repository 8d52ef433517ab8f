/** `riffle topic ...` against a Riffle server (it owns the data directory): /riffle/topics and PRINT. */
import { createInterface } from 'node:readline';
import { renderTable } from './render.ts';
import type { RemoteClient } from './remote.ts';

type Values = { readonly [k: string]: string | boolean | undefined };

interface WireRecord {
  key: string | null;
  value: string;
  timestamp: number;
}

export async function remoteTopicCommand(client: RemoteClient, sub: string | undefined, name: string | undefined, rest: readonly string[], values: Values): Promise<number> {
  switch (sub) {
    case 'list': {
      const { topics } = (await client.json('GET', '/riffle/topics')) as { topics: { name: string; partitions: number; records: number }[] };
      process.stdout.write(renderTable(['Topic', 'Partitions', 'Records'], topics.map((t) => [t.name, t.partitions, t.records])) + '\n');
      return 0;
    }
    case 'create': {
      if (!name) throw new Error('topic create: need a topic name');
      const partitions = Number(values.partitions ?? 1);
      await client.json('POST', '/riffle/topics', { name, partitions });
      process.stdout.write(`Created topic ${name} with ${partitions} partition(s).\n`);
      return 0;
    }
    case 'produce': {
      if (!name) throw new Error('topic produce: need a topic name');
      const toRecord = (line: string): WireRecord => {
        if (values['tab-key']) {
          const tab = line.indexOf('\t');
          return { key: tab < 0 ? null : line.slice(0, tab), value: tab < 0 ? line : line.slice(tab + 1), timestamp: Date.now() };
        }
        return { key: typeof values.key === 'string' ? values.key : null, value: line, timestamp: Date.now() };
      };
      const send = (records: WireRecord[]) => client.json('POST', `/riffle/topics/${encodeURIComponent(name)}/records`, { records });
      let count = 0;
      if (rest.length) {
        await send(rest.map(toRecord));
        count = rest.length;
      } else {
        let batch: WireRecord[] = [];
        for await (const line of createInterface({ input: process.stdin })) {
          if (!line) continue;
          batch.push(toRecord(line));
          if (batch.length >= 1000) {
            await send(batch);
            count += batch.length;
            batch = [];
          }
        }
        if (batch.length) await send(batch);
        count += batch.length;
      }
      process.stdout.write(`Produced ${count} record(s) to ${name}.\n`);
      return 0;
    }
    case 'consume': {
      if (!name) throw new Error('topic consume: need a topic name');
      const limit = values.limit ? ` LIMIT ${Number(values.limit)}` : '';
      const from = values['from-beginning'] ? ' FROM BEGINNING' : '';
      const idleMs = Number(values['timeout-ms'] ?? 2000);
      await client.stream(`PRINT '${name.replace(/'/g, "''")}'${from}${limit};`, {}, process.stdout, undefined, idleMs);
      return 0;
    }
    default:
      process.stderr.write('Usage: riffle topic list | create NAME [--partitions N] | produce NAME [--key K] [VALUE...] | consume NAME [--from-beginning] [--limit N]\n');
      return 2;
  }
}
