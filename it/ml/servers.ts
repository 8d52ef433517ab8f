/**
 * Integration-test access to the real model servers that scripts/ml/with-servers.sh started
 * (`mlEnv()`), and to KServe instances a test starts, kills and restarts itself
 * (`KserveInstance`), from the venv that scripts/ml/setup.sh made.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface ExpectedModel {
  readonly features: string[];
  readonly rows: number[][];
  readonly predict: number[];
  readonly proba: number[][];
  readonly linear?: { readonly weights: number[]; readonly bias: number };
}

export interface MlEnv {
  readonly kserveUrl: string;
  readonly mlserverUrl: string;
  readonly work: string;
  readonly python: string;
  readonly scripts: string;
  readonly expected: { readonly sklearn_version: string; readonly models: Record<'iris' | 'failure', ExpectedModel> };
}

export function mlEnv(): MlEnv {
  const e = process.env;
  const need = ['RIFFLE_KSERVE_URL', 'RIFFLE_MLSERVER_URL', 'RIFFLE_ML_WORK', 'RIFFLE_ML_KSERVE_PYTHON', 'RIFFLE_ML_SCRIPTS'];
  const missing = need.filter((k) => !e[k]);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not set: run the ML integration tests with \`npm run test:ml\` (scripts/ml/with-servers.sh starts the servers)`);
  }
  return {
    kserveUrl: e.RIFFLE_KSERVE_URL!,
    mlserverUrl: e.RIFFLE_MLSERVER_URL!,
    work: e.RIFFLE_ML_WORK!,
    python: e.RIFFLE_ML_KSERVE_PYTHON!,
    scripts: e.RIFFLE_ML_SCRIPTS!,
    expected: JSON.parse(readFileSync(join(e.RIFFLE_ML_WORK!, 'expected.json'), 'utf8')),
  };
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

export interface Faults {
  readonly delay_ms?: number;
  readonly fail_first?: number;
  readonly fail_every?: number;
  readonly fail_rate?: number;
  readonly fail_status?: number;
  readonly malformed?: boolean;
}

export interface ServerStats {
  readonly predict_calls: number;
  readonly failed_calls: number;
  readonly rows: number;
  readonly ids: string[];
}

/** One KServe process of scripts/ml/kserve_server.py serving iris and failure, on a fixed port across restarts. */
export class KserveInstance {
  readonly port: number;
  readonly grpcPort: number;
  readonly url: string;
  private readonly env: MlEnv;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(env: MlEnv, port: number, grpcPort: number) {
    this.env = env;
    this.port = port;
    this.grpcPort = grpcPort;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(env: MlEnv = mlEnv()): Promise<KserveInstance> {
    const k = new KserveInstance(env, await freePort(), await freePort());
    await k.launch();
    return k;
  }

  get running(): boolean {
    return this.child !== null;
  }

  private async launch(): Promise<void> {
    const w = this.env.work;
    const log = openSync(join(w, `kserve-${this.port}.log`), 'a');
    const child = spawn(
      this.env.python,
      [
        join(this.env.scripts, 'kserve_server.py'),
        '--http-port', String(this.port),
        '--grpc-port', String(this.grpcPort),
        '--model', `iris=${join(w, 'iris', 'model.joblib')}:predict`,
        '--model', `failure=${join(w, 'failure', 'model.joblib')}:proba`,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    // Never leave a server behind if the test process exits without stopping it.
    const reap = (): void => void child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.removeListener('exit', reap));
    this.child = child;
    this.exited = new Promise((ok) => child.once('exit', () => ok()));
    let dead = false;
    void this.exited.then(() => {
      dead = true;
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (dead) throw new Error(`kserve_server.py exited while starting; see ${join(w, `kserve-${this.port}.log`)}`);
      try {
        const r = await fetch(`${this.url}/v2/health/ready`, { signal: AbortSignal.timeout(1000) });
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((ok) => setTimeout(ok, 100));
    }
    await this.kill();
    throw new Error(`kserve_server.py on port ${this.port} not ready after 90s`);
  }

  /** SIGKILL: the server dies mid-stream, connections drop. */
  async kill(): Promise<void> {
    const c = this.child;
    if (c === null) return;
    c.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const c = this.child;
    if (c === null) return;
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }

  /** Starts again on the same ports (after kill/stop). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async setFaults(f: Faults): Promise<void> {
    const r = await fetch(`${this.url}/riffle/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
    if (!r.ok) throw new Error(`POST /riffle/faults: HTTP ${r.status}`);
  }

  async stats(): Promise<ServerStats> {
    const r = await fetch(`${this.url}/riffle/stats`);
    return (await r.json()) as ServerStats;
  }
}
