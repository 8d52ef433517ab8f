/**
 * The SQL fuzz test: mutated statements through the path every statement takes (Engine.execute:
 * parse -> analyze -> plan -> build, and the command log), on scratch engines over temp dirs.
 *
 * Seeds: the statements of test/fuzz/seeds.sql, plus those of ../shared/conformance/*\/*\/
 * statements.sql when that folder exists. Inputs come in groups: each group opens a fresh engine,
 * runs the CREATE STREAM/TABLE statements of one seed case, then executes mutated versions of the
 * case's statements (see ./mutate.ts). Input i is a pure function of (seed, i) and the corpus.
 *
 * Outcomes: accepted, or a SqlError with line:column. Anything else is a crash (any other
 * exception, a SqlError without a position); an input that takes longer than `hangMs` is a hang.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openEmbeddedLog } from '../../src/log/embedded/index.ts';
import { Engine } from '../../src/engine/engine.ts';
import { registerTestingFunctions } from '../../src/testing/functions.ts';
import { SqlError } from '../../src/sql/errors.ts';
import type { StatementResult } from '../../src/engine/results.ts';
import { Rng, mixSeed, mutate } from './mutate.ts';

export interface FuzzCase {
  readonly name: string;
  /** CREATE STREAM/TABLE/TYPE (not AS SELECT) and SET statements: the engine the case needs. */
  readonly setup: readonly string[];
  readonly statements: readonly string[];
}

export interface FuzzFailure {
  readonly index: number;
  readonly kind: 'crash' | 'hang';
  readonly ms: number;
  readonly sql: string;
  readonly error: string;
  /** What makes failures the same bug: error type, message without literals, top frame. */
  readonly signature: string;
}

export interface FuzzReport {
  inputs: number;
  accepted: number;
  rejected: number;
  crashes: FuzzFailure[];
  hangs: FuzzFailure[];
  maxMs: number;
  slowest: { index: number; ms: number; sql: string } | null;
  seconds: number;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly inputs: number;
  /** An input that runs longer than this is a hang (the acceptance bar is 2,000 ms). */
  readonly hangMs: number;
  readonly cases: readonly FuzzCase[];
  /** First input index (to rerun a range); inputs run from `from` to `from + inputs`. */
  readonly from?: number;
  readonly groupSize?: number;
  readonly onProgress?: (report: FuzzReport, index: number) => void;
  readonly progressEvery?: number;
  /** Called with each crash or hang as it happens. */
  readonly onFailure?: (failure: FuzzFailure) => void;
}

// The conformance seeds call ksqlDB's test-only functions, as the conformance runner registers them.
registerTestingFunctions();

const HERE = new URL('.', import.meta.url).pathname;

/** Splits a script on `;` outside quotes and comments (the corpus only; not the project's lexer). */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === "'" || c === '`' || c === '"') {
      const end = script.indexOf(c, i + 1);
      const stop = end < 0 ? script.length : end + 1;
      cur += script.slice(i, stop);
      i = stop - 1;
    } else if (c === '-' && script[i + 1] === '-') {
      const end = script.indexOf('\n', i);
      i = end < 0 ? script.length : end;
      cur += '\n';
    } else if (c === ';') {
      if (cur.trim()) out.push(`${cur.trim()};`);
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function caseOf(name: string, script: string): FuzzCase {
  const statements = splitStatements(script);
  const setup = statements.filter(
    (s) => (/^CREATE\s+(OR\s+REPLACE\s+)?(STREAM|TABLE|TYPE)\b/i.test(s) && !/\bAS\s+SELECT\b/i.test(s)) || /^SET\s/i.test(s),
  );
  return { name, setup, statements };
}

/** The seed cases: the repository's own, and the conformance cases when `conformanceDir` exists. */
export function loadCorpus(conformanceDir: string | null = defaultConformanceDir()): FuzzCase[] {
  const own = readFileSync(join(HERE, 'seeds.sql'), 'utf8')
    .split(/^-- case$/m)
    .slice(1)
    .map((block, i) => caseOf(`seeds#${i}`, block));
  const cases = [...own];
  if (conformanceDir && existsSync(conformanceDir)) {
    for (const suite of readdirSync(conformanceDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
      const dir = join(conformanceDir, suite);
      for (const name of readdirSync(dir).sort()) {
        const file = join(dir, name, 'statements.sql');
        if (existsSync(file)) cases.push(caseOf(`${suite}/${name}`, readFileSync(file, 'utf8')));
      }
    }
  }
  return cases.filter((c) => c.statements.length > 0);
}

export function defaultConformanceDir(): string {
  return process.env.RIFFLE_CONFORMANCE_DIR ?? resolve(HERE, '../../../shared/conformance');
}

/** The case and the statement text of input `index` (a pure function of seed, index, corpus). */
export function inputOf(seed: number, index: number, groupSize: number, cases: readonly FuzzCase[]): { fuzzCase: FuzzCase; sql: string } {
  const fuzzCase = cases[new Rng(mixSeed(seed, -1 - Math.floor(index / groupSize))).int(cases.length)];
  const r = new Rng(mixSeed(seed, index));
  const other = () => {
    const c = r.pick(cases);
    return r.pick(c.statements);
  };
  // Mostly the case's queries (the setup already ran: a copy of it mostly collides by name).
  const queries = fuzzCase.statements.filter((st) => !fuzzCase.setup.includes(st));
  const base = queries.length > 0 && r.chance(0.8) ? r.pick(queries) : r.pick(fuzzCase.statements);
  return { fuzzCase, sql: mutate(r, base, other) };
}

function signatureOf(err: unknown): string {
  if (!(err instanceof Error)) return `non-error ${typeof err}`;
  const frame = (err.stack ?? '').split('\n').find((l) => l.includes('/src/')) ?? '';
  const where = frame.replace(/.*\/src\//, 'src/').replace(/[()]/g, '').trim();
  const message = err.message.replace(/'[^']*'|"[^"]*"|`[^`]*`|\d+/g, '_').slice(0, 120);
  return `${err.name}: ${message} @ ${where}`;
}

const clip = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s);

async function openScratch(): Promise<{ engine: Engine; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-fuzz-'));
  const log = await openEmbeddedLog(dir);
  const engine = await Engine.open({ log, background: false, autoCreateTopics: true, properties: { 'auto.offset.reset': 'earliest' }, onWarning: () => {} });
  return {
    engine,
    async close() {
      await engine.close();
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Push queries and PRINT come back unstarted: release what they hold. */
async function release(results: readonly StatementResult[]): Promise<void> {
  for (const r of results) {
    if (r.kind === 'push') await r.query.stop();
    else if (r.kind === 'print') await r.print.stop();
  }
}

/** Executes `sql`, classifying the outcome. */
async function executeOne(engine: Engine, sql: string): Promise<{ ok: boolean; error: unknown }> {
  const results: StatementResult[] = [];
  try {
    // Statement by statement, as Engine.execute does, keeping results to release them.
    for (const r of await engine.execute(sql)) results.push(r);
    return { ok: true, error: null };
  } catch (err) {
    return { ok: false, error: err };
  } finally {
    await release(results).catch(() => undefined);
  }
}

const isGoodRejection = (err: unknown): boolean => err instanceof SqlError && err.span !== null && /^\d+:\d+: /.test(err.message);

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const groupSize = opts.groupSize ?? 10;
  const from = opts.from ?? 0;
  const end = from + opts.inputs;
  const report: FuzzReport = { inputs: 0, accepted: 0, rejected: 0, crashes: [], hangs: [], maxMs: 0, slowest: null, seconds: 0 };
  const started = performance.now();
  let scratch: Awaited<ReturnType<typeof openScratch>> | null = null;
  let group = -1;
  try {
    for (let index = from; index < end; index++) {
      const { fuzzCase, sql } = inputOf(opts.seed, index, groupSize, opts.cases);
      if (Math.floor(index / groupSize) !== group || scratch === null) {
        await scratch?.close();
        group = Math.floor(index / groupSize);
        scratch = await openScratch();
        for (const s of fuzzCase.setup) await executeOne(scratch.engine, s);
      }
      const t0 = performance.now();
      const { ok, error } = await executeOne(scratch.engine, sql);
      const ms = performance.now() - t0;
      report.inputs++;
      if (ms > report.maxMs) {
        report.maxMs = ms;
        report.slowest = { index, ms, sql: clip(sql, 200) };
      }
      if (ok) report.accepted++;
      else if (isGoodRejection(error)) report.rejected++;
      else {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const failure: FuzzFailure = { index, kind: 'crash', ms, sql: clip(sql), error: clip(message, 300), signature: signatureOf(error) };
        report.crashes.push(failure);
        opts.onFailure?.(failure);
      }
      if (ms > opts.hangMs) {
        // Confirmed on a fresh engine, so that a pause of a loaded machine is not taken for a hang.
        const again = await openScratch();
        let ms2 = Infinity;
        try {
          for (const s of fuzzCase.setup) await executeOne(again.engine, s);
          const t1 = performance.now();
          await executeOne(again.engine, sql);
          ms2 = performance.now() - t1;
        } finally {
          await again.close();
        }
        if (ms2 > opts.hangMs) {
          const failure: FuzzFailure = { index, kind: 'hang', ms: Math.min(ms, ms2), sql: clip(sql), error: '', signature: `hang: ${clip(sql, 60)}` };
          report.hangs.push(failure);
          opts.onFailure?.(failure);
        }
      }
      if (opts.onProgress && (index + 1) % (opts.progressEvery ?? 1000) === 0) opts.onProgress(report, index);
    }
  } finally {
    await scratch?.close();
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Distinct failure signatures with a count and the first example of each. */
export function summarize(failures: readonly FuzzFailure[]): { signature: string; count: number; example: FuzzFailure }[] {
  const by = new Map<string, { signature: string; count: number; example: FuzzFailure }>();
  for (const f of failures) {
    const e = by.get(f.signature);
    if (e) e.count++;
    else by.set(f.signature, { signature: f.signature, count: 1, example: f });
  }
  return [...by.values()].sort((a, b) => b.count - a.count);
}
