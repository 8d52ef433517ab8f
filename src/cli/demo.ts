/**
 * `riffle demo`: Riffle's main job on the embedded log. A generator writes device readings to a
 * topic; persistent queries filter, convert and re-key them; a push query shows hot readings
 * live; progress is printed as it runs, and at the end what to look at next.
 */
import { parseArgs } from 'node:util';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSession, presentResult } from './session.ts';
import { dataDirOf } from './open.ts';
import { formatError } from './errors.ts';
import type { Producer } from '../log/log.ts';

export const DEMO_SQL = `
-- Device readings, keyed by device id.
CREATE STREAM readings (device STRING KEY, site STRING, temp DOUBLE, vibration DOUBLE, status STRING)
  WITH (KAFKA_TOPIC='readings', VALUE_FORMAT='JSON', PARTITIONS=3);

SET 'auto.offset.reset' = 'earliest';

-- Hot readings, in Fahrenheit too.
CREATE STREAM hot_readings AS
  SELECT device, site, temp, ROUND(temp * 1.8 + 32, 1) AS temp_f, vibration
  FROM readings
  WHERE temp > 85 AND status <> 'maintenance';

-- Per-site statistics in 10-second tumbling windows (a table, updated as readings arrive).
CREATE TABLE site_stats AS
  SELECT site, COUNT(*) AS readings, ROUND(AVG(temp), 2) AS avg_temp, MAX(vibration) AS max_vibration
  FROM readings
  WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 2 SECONDS)
  GROUP BY site;

-- The same readings, re-keyed by site for a per-site consumer.
CREATE STREAM readings_by_site WITH (KAFKA_TOPIC='readings_by_site') AS
  SELECT site, device, temp, UCASE(status) AS status
  FROM readings
  PARTITION BY site;
`;

export async function demoCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'retraining') return retrainingDemo();
  const { values } = parseArgs({ args: argv, options: { duration: { type: 'string' }, rate: { type: 'string' }, 'data-dir': { type: 'string' } } });
  const durationS = Number(values.duration ?? 20);
  const rate = Number(values.rate ?? 2000);
  const dataDir = values['data-dir'] ?? join(dataDirOf({}), 'demo');
  rmSync(dataDir, { recursive: true, force: true });
  const session = await openSession({ dataDir });
  const write = (s: string) => process.stdout.write(s);
  write(`Riffle demo on the ${session.where}\n\nStatements:\n${DEMO_SQL}\n`);
  try {
    for (const r of await session.engine.execute(DEMO_SQL)) await presentResult(r, write);
  } catch (e) {
    write(formatError(e, DEMO_SQL) + '\n');
    await session.close();
    return 1;
  }
  const producer = session.log.producer();
  const gen = startGenerator(producer, rate);
  write(`\nGenerating ~${rate} readings/s for ${durationS}s. Live hot readings (push query, first 8 rows):\n`);
  const [push] = await session.engine.execute(`SELECT device, site, temp_f FROM hot_readings EMIT CHANGES LIMIT 8;`);
  await presentResult(push, write);
  const started = Date.now();
  while (durationS <= 0 || Date.now() - started < durationS * 1000) {
    await new Promise((r) => setTimeout(r, 2000));
    const stats = [...session.engine.tasks.values()].map((t) => `${t.queryId}: ${t.consumed} in, ${t.emitted} out`);
    write(`[${((Date.now() - started) / 1000).toFixed(0)}s] produced ${gen.count} | ${stats.join(' | ')}\n`);
  }
  await gen.stop();
  await new Promise((r) => setTimeout(r, 500));
  write(`\nPull query on the windowed table (current state of the latest windows):\n`);
  for (const r of await session.engine.execute(`SELECT site, WINDOWSTART AS window_start, readings, avg_temp FROM site_stats WHERE readings > 0 LIMIT 8;`)) {
    await presentResult(r, write);
  }
  write(`\nDone. The data stays in ${dataDir}. Look at it with:\n`);
  write(`  npx riffle topic list --data-dir ${dataDir}\n`);
  write(`  npx riffle topic consume HOT_READINGS --from-beginning --limit 5 --data-dir ${dataDir}\n`);
  write(`  npx riffle sql --data-dir ${dataDir}     (then: SHOW QUERIES; DESCRIBE EXTENDED hot_readings; SELECT * FROM site_stats;)\n`);
  await producer.close();
  await session.close();
  return 0;
}

function startGenerator(producer: Producer, ratePerSecond: number): { readonly count: number; stop(): Promise<void> } {
  const devices = Array.from({ length: 50 }, (_, i) => `dev-${String(i).padStart(3, '0')}`);
  const sites = ['berlin', 'lyon', 'austin', 'osaka'];
  let count = 0;
  let stopped = false;
  const loop = (async () => {
    const perTick = Math.max(1, Math.round(ratePerSecond / 10));
    while (!stopped) {
      const now = Date.now();
      const batch = [];
      for (let i = 0; i < perTick; i++) {
        const d = devices[(count + i) % devices.length];
        const value = {
          SITE: sites[d.charCodeAt(6) % sites.length],
          TEMP: Math.round((60 + Math.random() * 35) * 10) / 10,
          VIBRATION: Math.round(Math.random() * 1000) / 1000,
          STATUS: Math.random() < 0.05 ? 'maintenance' : 'ok',
        };
        batch.push({ key: Buffer.from(d), value: Buffer.from(JSON.stringify(value)), timestamp: now });
      }
      await producer.send('readings', batch);
      count += batch.length;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    get count() {
      return count;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * `riffle demo retraining`: the Kubeflow loop (examples/retraining/demo.sh: real MLServer, the KFP
 * stand-in with kfp's local runner, Python venvs installed by the project's scripts). Needs a
 * checkout of the repository (the scripts and the example are not part of an installed package).
 */
async function retrainingDemo(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const script = join(import.meta.dirname, '../../examples/retraining/demo.sh');
  if (!existsSync(script)) {
    process.stderr.write(`riffle demo retraining needs the repository checkout (${script} not found)\n`);
    return 1;
  }
  const child = spawn('bash', [script], { stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
