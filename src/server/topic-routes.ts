/**
 * Riffle's own topic endpoints (not part of ksqlDB's API), used by `riffle topic ...` when a
 * server owns the data directory: GET /riffle/topics, POST /riffle/topics, POST
 * /riffle/topics/:name/records. Consuming goes through PRINT on /query-stream.
 */
import type { Engine } from '../engine/engine.ts';
import type { ProducerRecord } from '../log/log.ts';
import { badRequest } from './errors.ts';
import { jsonRoute, type Route } from './routes.ts';
import { expectObject } from './validate.ts';

export function topicRoutes(engine: Engine): Route[] {
  return [
    jsonRoute('GET', '/riffle/topics', 'read', async () => {
      const topics = [];
      for (const t of await engine.log.listTopics()) {
        const offs = await engine.log.offsets(t.name);
        topics.push({ name: t.name, partitions: t.partitions, records: offs.reduce((n, o) => n + o.end - o.start, 0) });
      }
      return { status: 200, body: { topics } };
    }),
    jsonRoute('POST', '/riffle/topics', 'write', async ({ body }) => {
      const b = expectObject(body, ['name', 'partitions']);
      if (typeof b.name !== 'string' || !b.name) throw badRequest("'name' must be a topic name");
      const partitions = b.partitions ?? 1;
      if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) throw badRequest("'partitions' must be a positive integer");
      try {
        await engine.log.createTopic(b.name, { partitions });
      } catch (e) {
        throw badRequest((e as Error).message);
      }
      return { status: 200, body: { name: b.name, partitions } };
    }),
    jsonRoute('POST', '/riffle/topics/:name/records', 'write', async ({ params, body }) => {
      const b = expectObject(body, ['records']);
      if (!Array.isArray(b.records)) throw badRequest("'records' must be an array");
      const now = Date.now();
      const records: ProducerRecord[] = b.records.map((r: unknown, i: number) => {
        const x = expectObject(r, ['key', 'value', 'timestamp', 'partition']);
        const bytes = (v: unknown, f: string) => {
          if (v === null || v === undefined) return null;
          if (typeof v !== 'string') throw badRequest(`records[${i}].${f} must be a string or null`);
          return Buffer.from(v);
        };
        if (x.timestamp !== undefined && (typeof x.timestamp !== 'number' || !Number.isSafeInteger(x.timestamp))) throw badRequest(`records[${i}].timestamp must be an integer`);
        if (x.partition !== undefined && (typeof x.partition !== 'number' || !Number.isInteger(x.partition) || x.partition < 0)) throw badRequest(`records[${i}].partition must be a partition number`);
        return { key: bytes(x.key, 'key'), value: bytes(x.value, 'value'), timestamp: (x.timestamp as number | undefined) ?? now, ...(x.partition !== undefined ? { partition: x.partition as number } : {}) };
      });
      const described = await engine.log.describeTopic(params.name);
      if (!described) throw badRequest(`Topic '${params.name}' does not exist`);
      if (records.some((r) => r.partition !== undefined && r.partition >= described.partitions)) throw badRequest(`Topic '${params.name}' has ${described.partitions} partitions`);
      if (records.length) await engine.producer.send(params.name, records);
      return { status: 200, body: { produced: records.length } };
    }),
  ];
}
