/**
 * `npm run chaos`: the long kill -9 loop (./runner.ts): 500K click records over 1K keys (plus 100K
 * views and the users table), 30 kills, compared with an uninterrupted run. Prints the figures and
 * exits non-zero unless the windowed aggregation has 0 wrong and 0 missing windows, the joins
 * have no missing, made-up or wrong results, every query wrote as many output records as in the
 * uninterrupted run (exactly-once outputs, none repeated), and every per-user model trained is
 * bit for bit the uninterrupted run's, having learned every click once.
 *   node test/chaos/main.ts [--clicks N] [--keys K] [--kills N] [--commit-interval MS]
 */
import { parseArgs } from 'node:util';
import { runChaos } from './runner.ts';

const { values } = parseArgs({ options: { clicks: { type: 'string' }, keys: { type: 'string' }, kills: { type: 'string' }, 'commit-interval': { type: 'string' } } });
// The workers inherit it (./worker.ts).
if (values['commit-interval']) process.env.RIFFLE_CHAOS_COMMIT_INTERVAL_MS = values['commit-interval'];
const clicks = Number(values.clicks ?? 500_000);
const keys = Number(values.keys ?? 1000);
const kills = Number(values.kills ?? 30);
const say = (l: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);
say(`chaos: ${clicks} clicks, ${keys} keys, ${kills} kills, commit.interval.ms ${values['commit-interval'] ?? 0}`);
const r = await runChaos({ clicks, keys, kills, minGapMs: 200, maxGapMs: 1500, log: say });
const c = r.comparison;
say(`${r.killsLanded} kills in ${r.lives} lives, ${r.replayedBatches} interrupted batches processed again; reference ${(r.referenceMs / 1000).toFixed(1)} s, with kills ${(r.chaosMs / 1000).toFixed(1)} s`);
say(`AGG: ${c.agg.windows} windows, ${c.agg.wrong} wrong, ${c.agg.missing} missing, ${c.agg.extra} extra; ${c.agg.outputs} outputs (uninterrupted ${c.agg.referenceOutputs})`);
say(`SS:  ${c.ss.pairs} pairs, ${c.ss.missing} missing, ${c.ss.madeUp} made up, ${c.ss.repeated} repeated; ${c.ss.outputs} outputs (uninterrupted ${r.reference.SS.length})`);
say(`ST:  ${c.st.clicks} clicks, ${c.st.missing} missing, ${c.st.wrong} wrong, ${c.st.repeated} repeated; ${c.st.outputs} outputs (uninterrupted ${r.reference.ST.length})`);
say(`CLICKMODEL: ${c.model.models} per-user models, ${c.model.different} different, ${c.model.missing} missing; ${c.model.rows} rows learned (uninterrupted ${c.model.referenceRows})`);
const unjoined = r.reference.ST.filter((o) => o.name === null).length;
say(`reference stream-table join: ${r.reference.ST.length - unjoined} of ${r.reference.ST.length} clicks joined their (older) user`);
// Exactly-once outputs (the embedded log's default): as many output records as the uninterrupted run.
const exactOutputs = c.agg.outputs === c.agg.referenceOutputs && c.ss.outputs === r.reference.SS.length && c.st.outputs === r.reference.ST.length && c.ss.repeated === 0 && c.st.repeated === 0;
const ok = c.agg.wrong === 0 && c.agg.missing === 0 && c.agg.extra === 0 && c.ss.missing === 0 && c.ss.madeUp === 0 && c.st.missing === 0 && c.st.wrong === 0 && unjoined === 0 && r.killsLanded === kills && exactOutputs && c.model.different === 0 && c.model.missing === 0 && c.model.rows === c.model.referenceRows && c.model.referenceRows === clicks;
say(ok ? 'PASS' : 'FAIL');
process.exitCode = ok ? 0 : 1;
