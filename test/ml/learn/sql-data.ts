/** Produces an ml-data CSV into a topic as JSON rows (one record per row, in file order) and declares its stream. */
import type { Engine } from '../../../src/engine/engine.ts';
import type { Log } from '../../../src/log/log.ts';
import type { Dataset } from './data.ts';

export async function produceDataset(engine: Engine, log: Log, stream: string, d: Dataset, labelType = 'INTEGER', partitions = 1): Promise<void> {
  const topic = stream.toLowerCase();
  const label = 'label';
  await log.ensureTopic(topic, { partitions, replicationFactor: 1 });
  const producer = log.producer();
  const enc = new TextEncoder();
  const batch = [];
  for (let i = 0; i < d.x.length; i++) {
    const row: Record<string, unknown> = {};
    d.columns.forEach((c, j) => (row[c] = d.x[i][j]));
    row[label] = labelType === 'STRING' ? d.y[i] : Number(d.y[i]);
    batch.push({ key: null, value: enc.encode(JSON.stringify(row)), timestamp: i, partition: 0 });
  }
  for (let i = 0; i < batch.length; i += 5000) await producer.send(topic, batch.slice(i, i + 5000));
  await producer.close?.();
  const cols = d.columns.map((c) => `${c} DOUBLE`).join(', ');
  await engine.execute(`CREATE STREAM ${stream} (${cols}, label ${labelType}) WITH (KAFKA_TOPIC='${topic}', VALUE_FORMAT='JSON');`);
}

/** DESCRIBE MODEL's metric lines as numbers (the first model key's block). */
export function describedMetrics(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^ {2}([A-Z0-9_]+)\s*: (-?[0-9.eE+-]+|NaN)$/.exec(line);
    if (m && !(m[1] in out)) out[m[1]] = Number(m[2]);
  }
  return out;
}
