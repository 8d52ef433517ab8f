/**
 * The tables the suite prints at the end: end-to-end records per CPU-second (START→DONE) with
 * peak RSS, then the steady-state rates (between ~25% and ~90% of the input, steady.ts), each
 * with the ratios of Riffle on Kafka against the others measured in the same run.
 */
import type { OutputSummary } from './summary.ts';
import type { SteadyRate } from './steady.ts';

interface EngineResult {
  engine: string;
  query: string;
  recordsPerCpuS: number;
  peakRssMb: number;
  steady: SteadyRate | null;
  summary: OutputSummary;
}

interface ReportInput {
  bids: number;
  auctions: number;
  ceiling: number;
  queries: readonly string[];
  engines: readonly string[];
  results: readonly EngineResult[];
  /** Queries whose outputs differed between engines. */
  differing: ReadonlySet<string>;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const num = (n: number | undefined) => (n === undefined ? '-' : n.toLocaleString('en-US'));
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? (a / b).toFixed(2) : '-');

/** What the engines' outputs had in common, or that they differed. */
function outputNote(rs: readonly EngineResult[], differing: boolean): string {
  if (differing) return 'DIFFERENT';
  const updates = rs.filter((r) => r.summary.emits === 'updates');
  const finals = rs.filter((r) => r.summary.emits === 'final');
  if (finals.length === 0) return `same (${num(rs[0]?.summary.records)} records)`;
  const parts = [`same final values of ${num(finals[0].summary.keys)} windows`];
  if (updates.length) parts.push(`${updates.map((r) => r.engine).join(', ')}: every update, ${num(updates[0].summary.records)} records`);
  parts.push(`${finals.map((r) => r.engine).join(', ')}: final only, ${num(finals[0].summary.records)} records`);
  return parts.join('; ');
}

export function formatReport(r: ReportInput): string {
  const out: string[] = [];
  const find = (q: string, e: string) => r.results.find((x) => x.query === q && x.engine === e);
  const has = (e: string) => r.engines.includes(e);
  const width = (e: string) => Math.max(17, e.length + 2);
  out.push(
    `\nNexmark: ${num(r.bids)} bids, ${num(r.auctions)} auctions, 4 partitions, one core per engine; JSON parse+stringify ceiling ${num(r.ceiling)} records/CPU-s`,
  );

  out.push('\nEnd to end (START→DONE): records per CPU-second, peak RSS');
  const ends: [string, string, string][] = [
    ['rk/ks', 'riffle-kafka', 'kstreams'],
    ['rk/fl', 'riffle-kafka', 'flink'],
    ['rk/flu', 'riffle-kafka', 'flink-updates'],
    ['rk/re', 'riffle-kafka', 'riffle-embedded'],
    ['rk/lib', 'riffle-kafka', 'riffle-kafka-libenc'],
  ];
  const endRatios = ends.filter(([, a, b]) => has(a) && has(b));
  out.push(
    `${'query'.padEnd(6)}${r.engines.map((e) => pad(e, width(e)) + pad('RSS MB', 8)).join('')}${endRatios.map(([n]) => pad(n, 7)).join('')}${has('riffle-embedded') ? pad('re/ceil', 8) : ''}  output`,
  );
  for (const q of r.queries) {
    const cells = r.engines.map((e) => {
      const m = find(q, e);
      return pad(num(m?.recordsPerCpuS), width(e)) + pad(m ? m.peakRssMb : '-', 8);
    });
    const ratios = endRatios.map(([, a, b]) => pad(ratio(find(q, a)?.recordsPerCpuS, find(q, b)?.recordsPerCpuS), 7));
    const ceil = has('riffle-embedded') ? pad(ratio(find(q, 'riffle-embedded')?.recordsPerCpuS, r.ceiling), 8) : '';
    const rs = r.engines.map((e) => find(q, e)).filter((m): m is EngineResult => m !== undefined);
    out.push(`${q.padEnd(6)}${cells.join('')}${ratios.join('')}${ceil}  ${outputNote(rs, r.differing.has(q))}`);
  }

  out.push('\nSteady state (from ~25% to ~90% of the input bids through the last stage): records per CPU-second');
  const steadyRatios = endRatios.filter(([n]) => n !== 'rk/re' || has('riffle-embedded'));
  out.push(`${'query'.padEnd(6)}${r.engines.map((e) => pad(e, width(e))).join('')}${steadyRatios.map(([n]) => pad(n, 7)).join('')}  measured between`);
  for (const q of r.queries) {
    const cells = r.engines.map((e) => pad(num(find(q, e)?.steady?.recordsPerCpuS), width(e)));
    const ratios = steadyRatios.map(([, a, b]) => pad(ratio(find(q, a)?.steady?.recordsPerCpuS, find(q, b)?.steady?.recordsPerCpuS), 7));
    const spans = r.engines.map((e) => {
      const s = find(q, e)?.steady;
      return s ? `${Math.round(s.from * 100)}-${Math.round(s.to * 100)}%` : '-';
    });
    out.push(`${q.padEnd(6)}${cells.join('')}${ratios.join('')}  ${spans.join(' ')}`);
  }
  out.push(
    'records per CPU-second of the engine process (input bids / CPU-s); rk = Riffle on Kafka, re = Riffle embedded, ks = Kafka Streams, fl = Flink SQL, flu = Flink SQL emitting every update,' +
      " lib = Riffle on Kafka with the library's record-batch encoder and decoder. Flink emits each window once (final), the others (flink-updates too) every update.",
  );
  return out.join('\n');
}
