/**
 * `npm run fuzz`: the long SQL fuzz run (default 200,000 inputs, seed 1, hang bar 2,000 ms).
 *   node test/fuzz/run.ts [--inputs N] [--seed S] [--from I] [--hang-ms MS] [--no-conformance] [--show I]
 * Prints progress every 1,000 inputs, then the figures and each distinct failure with an
 * example (rerun one with --from I --inputs 1, or print it with --show I). Exit code 1 when
 * there was a crash or a hang.
 */
import { parseArgs } from 'node:util';
import { inputOf, loadCorpus, runFuzz, summarize } from './sql-fuzz.ts';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '1' },
    from: { type: 'string', default: '0' },
    'hang-ms': { type: 'string', default: '2000' },
    'group-size': { type: 'string', default: '10' },
    'no-conformance': { type: 'boolean', default: false },
    show: { type: 'string' },
  },
});
const cases = loadCorpus(values['no-conformance'] ? null : undefined);
const seed = Number(values.seed);
const groupSize = Number(values['group-size']);
if (values.show !== undefined) {
  const { fuzzCase, sql } = inputOf(seed, Number(values.show), groupSize, cases);
  process.stdout.write(`-- case ${fuzzCase.name}\n${fuzzCase.setup.join('\n')}\n-- input ${values.show}\n${sql}\n`);
  process.exit(0);
}
process.stdout.write(`SQL fuzz: ${values.inputs} inputs from ${cases.length} seed cases, seed ${seed}\n`);
const report = await runFuzz({
  seed,
  inputs: Number(values.inputs),
  from: Number(values.from),
  hangMs: Number(values['hang-ms']),
  groupSize,
  cases,
  onFailure: (f) => process.stdout.write(`  ${f.kind} at input ${f.index} (${f.ms.toFixed(0)} ms): ${f.signature}\n`),
  onProgress: (r, i) =>
    process.stdout.write(`  ${i + 1}: ${r.accepted} accepted, ${r.rejected} rejected, ${r.crashes.length} crashes, ${r.hangs.length} hangs, max ${r.maxMs.toFixed(0)} ms\n`),
});
process.stdout.write(
  `\ninputs ${report.inputs}: accepted ${report.accepted}, rejected with line:column ${report.rejected}, ` +
    `crashes ${report.crashes.length}, hangs over ${values['hang-ms']} ms ${report.hangs.length}; ` +
    `slowest ${report.maxMs.toFixed(0)} ms (input ${report.slowest?.index}); ${report.seconds.toFixed(0)} s\n`,
);
for (const s of summarize([...report.crashes, ...report.hangs])) {
  process.stdout.write(`\n${s.count} x ${s.signature}\n  input ${s.example.index} (${s.example.ms.toFixed(0)} ms): ${s.example.error}\n  ${s.example.sql.replace(/\n/g, ' ')}\n`);
}
process.exit(report.crashes.length || report.hangs.length ? 1 : 0);
