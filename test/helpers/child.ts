/**
 * The kill -9 harness of the restart and chaos tests: a Node script run as a child process that
 * reports progress as lines on stdout, which the test waits for (`line`), then kills with SIGKILL
 * at a point of its choosing (`kill`) or stops gracefully (`stop`), and restarts on the same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface TestChild {
  readonly process: ChildProcess;
  readonly exited: Promise<ChildExit>;
  /** The first stdout line (seen or to come) that satisfies `match`; rejects if the child exits first. */
  line(match: (line: string) => boolean): Promise<string>;
  /** Calls `fn` with every stdout line from now on. */
  onLine(fn: (line: string) => void): void;
  /** The stdout lines so far. */
  lines(): readonly string[];
  /** The end of stderr (when it is piped). */
  stderr(): string;
  /** kill -9. */
  kill(): void;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<ChildExit>;
}

export interface TestChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** 'inherit' (default): the child's stderr goes to the test's; 'pipe': kept for `stderr()`. */
  readonly stderr?: 'inherit' | 'pipe';
}

/** Runs `node <script> ...args`. */
export function startChild(script: string, args: readonly string[] = [], options: TestChildOptions = {}): TestChild {
  const child = spawn(process.execPath, [script, ...args], { env: options.env, stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'] });
  const seen: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let partial = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      seen.push(l);
      for (const fn of [...listeners]) fn(l);
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  // 'close', not 'exit': stdout is read to its end before the exit counts.
  const exited = new Promise<ChildExit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const onLine = (fn: (line: string) => void): void => {
    listeners.push(fn);
  };
  return {
    process: child,
    exited,
    onLine,
    lines: () => seen,
    stderr: () => err,
    line: (match) =>
      new Promise((resolve, reject) => {
        const found = seen.find(match);
        if (found !== undefined) return resolve(found);
        const listener = (l: string): void => {
          if (!match(l)) return;
          listeners.splice(listeners.indexOf(listener), 1);
          resolve(l);
        };
        onLine(listener);
        void exited.then(({ code, signal }) =>
          reject(new Error(`child ${script} exited (${code ?? signal}) first; output:\n${seen.slice(-5).join('\n')}${err ? `\nstderr: ${err.slice(-2000)}` : ''}`)),
        );
      }),
    kill: () => {
      child.kill('SIGKILL');
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
