/**
 * `--memtrace` of the Nexmark suite (off by default): what makes up an engine process's peak RSS.
 *
 * - The driver samples /proc/<pid>/status (VmRSS, RssAnon, RssFile, RssShmem, VmHWM) every
 *   200 ms, and /proc/<pid>/smaps (resident bytes per mapping, grouped by file name, `[heap]`,
 *   `[anon]`) whenever RSS passed the last smaps sample by 16 MB: `ProcTrace`.
 * - A Riffle runner with RIFFLE_NEXMARK_MEMTRACE=<file> appends one JSON line every 200 ms:
 *   process.memoryUsage() and v8.getHeapSpaceStatistics() (`startRunnerTrace`), and the sizes of
 *   the files under its work directory (state, log) at the end.
 *
 * At the end the driver prints, for the sample of the highest RSS, its composition.
 */
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';

const MB = 1024 * 1024;

interface StatusSample {
  t: number;
  rss: number;
  anon: number;
  file: number;
  shmem: number;
  hwm: number;
}

function statusOf(pid: number | 'self'): StatusSample | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) * 1024;
  return { t: Date.now(), rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem'), hwm: kb('VmHWM') };
}

/** Resident bytes per mapping name (files by base name, anonymous mappings as `[anon]`). */
function smapsOf(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return out;
  }
  let name = '';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const n = head[1].trim();
      name = n === '' ? '[anon]' : n.startsWith('/') ? n.slice(n.lastIndexOf('/') + 1) : n;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[name] = (out[name] ?? 0) + Number(rss[1]) * 1024;
  }
  return out;
}

/** Samples an engine process from the driver. */
export class ProcTrace {
  private readonly samples: StatusSample[] = [];
  private readonly maps: { t: number; rss: number; byName: Record<string, number> }[] = [];
  private readonly timer: NodeJS.Timeout;
  private lastMapsRss = 0;
  private readonly pid: number;

  constructor(pid: number) {
    this.pid = pid;
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    const s = statusOf(this.pid);
    if (s === null) return;
    this.samples.push(s);
    if (s.rss > this.lastMapsRss + 16 * MB) {
      this.lastMapsRss = s.rss;
      this.maps.push({ t: s.t, rss: s.rss, byName: smapsOf(this.pid) });
    }
  }

  /** Call at DONE (the process is still alive). */
  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }

  /** The composition at the highest RSS sampled, with the runner's trace (if any) nearest to it. */
  report(label: string, runnerTraceFile: string | null): string {
    if (this.samples.length === 0) return `${label}: no samples`;
    const peak = this.samples.reduce((a, b) => (b.rss > a.rss ? b : a));
    const m = (n: number) => `${Math.round(n / MB)}`;
    const lines = [
      `${label}: VmHWM ${m(this.samples[this.samples.length - 1].hwm)} MB; highest RSS sampled ${m(peak.rss)} MB = anon ${m(peak.anon)} + file ${m(peak.file)} + shmem ${m(peak.shmem)}` +
        ` (max file ${m(Math.max(...this.samples.map((s) => s.file)))}, max anon ${m(Math.max(...this.samples.map((s) => s.anon)))})`,
    ];
    const maps = this.maps.length ? this.maps.reduce((a, b) => (b.rss > a.rss ? b : a)) : null;
    if (maps) {
      const top = Object.entries(maps.byName)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([n, b]) => `${n} ${m(b)}`);
      lines.push(`  mappings at RSS ${m(maps.rss)} MB: ${top.join(', ')}`);
    }
    if (runnerTraceFile) {
      let trace: RunnerSample[] = [];
      try {
        trace = readFileSync(runnerTraceFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunnerSample);
      } catch {
        /* no trace */
      }
      const beats = trace.filter((s) => s.kind === 'sample');
      if (beats.length) {
        const near = beats.reduce((a, b) => (Math.abs(b.t - peak.t) < Math.abs(a.t - peak.t) ? b : a));
        const spaces = Object.entries(near.spaces!).map(([n, s]) => `${n.replace(/_space$/, '')} ${m(s.committed)}/${m(s.used)}`).join(', ');
        lines.push(`  V8 near the peak: rss ${m(near.mem!.rss)}, heapTotal ${m(near.mem!.heapTotal)}, heapUsed ${m(near.mem!.heapUsed)}, external ${m(near.mem!.external)}, arrayBuffers ${m(near.mem!.arrayBuffers)}`);
        lines.push(`  spaces (committed/used MB): ${spaces}`);
        const maxUsed = beats.reduce((a, b) => (b.mem!.heapUsed > a.mem!.heapUsed ? b : a));
        lines.push(`  max heapUsed ${m(maxUsed.mem!.heapUsed)} MB (heapTotal then ${m(maxUsed.mem!.heapTotal)})`);
      }
      const files = trace.find((s) => s.kind === 'files');
      if (files) lines.push(`  files: ${Object.entries(files.files!).map(([n, b]) => `${n} ${m(b)} MB`).join(', ')}`);
    }
    return lines.join('\n');
  }
}

interface RunnerSample {
  kind: 'sample' | 'files';
  t: number;
  mem?: NodeJS.MemoryUsage;
  spaces?: Record<string, { committed: number; used: number }>;
  files?: Record<string, number>;
}

/** In a Riffle runner: samples V8 into `file` every 200 ms until the returned stop is called. */
export function startRunnerTrace(file: string): () => void {
  const write = (s: RunnerSample) => appendFileSync(file, JSON.stringify(s) + '\n');
  const timer = setInterval(() => {
    const spaces: Record<string, { committed: number; used: number }> = {};
    for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = { committed: s.physical_space_size, used: s.space_used_size };
    write({ kind: 'sample', t: Date.now(), mem: process.memoryUsage(), spaces });
  }, 200);
  timer.unref();
  return () => clearInterval(timer);
}

/** In a Riffle runner: appends the total size of the files under each top directory of `dir` (and of each *.mdb file). */
export function traceFiles(file: string, dir: string): void {
  const files: Record<string, number> = {};
  const walk = (p: string, top: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const q = join(p, e.name);
      if (e.isDirectory()) walk(q, top);
      else {
        const size = statSync(q).size;
        files[top] = (files[top] ?? 0) + size;
        if (e.name.endsWith('.mdb')) files[e.name] = (files[e.name] ?? 0) + size;
      }
    }
  };
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name), e.name);
  appendFileSync(file, JSON.stringify({ kind: 'files', t: Date.now(), files }) + '\n');
}

/**
 * In a Riffle runner (`--promoted` of the suite): V8's sampling heap profiler from START to DONE,
 * keeping the samples of objects a major GC collected and dropping those a young-generation GC
 * collected: what was allocated and outlived the young generation (promoted, then garbage in the
 * old generation, or still live), by allocation stack. The profile is written to `file`
 * (.heapprofile: Chrome DevTools' Memory tab opens it). Returns the function that stops it.
 */
export async function startPromotedProfile(file: string): Promise<() => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
