/**
 * `npm run bench`: the embedded-log hot-path benchmarks one after the other (each in its own
 * process, so one's heap does not slow the next), each printing its JSON result with the ratio to
 * the ceiling it measured in the same run. The Kafka and model-server benchmarks need their
 * servers (kafka-query.bench.ts, ml*.bench.ts) and the 10M-record memory run takes minutes
 * (rss.bench.ts): run those by hand.
 *   node bench/run.ts [name ...]     e.g. node bench/run.ts window-agg join
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ALL: Record<string, string[]> = {
  'filter-project': [],
  'window-agg': [],
  'window-agg-churn': ['1000000', '1000'],
  join: [],
  serde: [],
  state: [],
  expr: [],
  log: [],
  'sql-parse': [],
};
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(ALL);
let failed = 0;
for (const name of chosen) {
  const args = ALL[name];
  if (!args) {
    console.error(`unknown benchmark '${name}' (known: ${Object.keys(ALL).join(', ')})`);
    process.exit(2);
  }
  const file = fileURLToPath(new URL(`./${name.replace(/-churn$/, '')}.bench.ts`, import.meta.url));
  console.log(`\n== ${name} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [file, ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
