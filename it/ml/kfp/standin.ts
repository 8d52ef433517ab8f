/**
 * Starts scripts/ml/kfp_standin.py (the v2beta1 run endpoints checked against the vendored spec,
 * runs executed by kfp's local SubprocessRunner) on a free port with examples/retraining compiled
 * by the real kfp compiler; the kfp venv comes from scripts/ml/setup-kfp.sh.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '../../..');
export const scripts = join(root, 'scripts/ml');
export const kfpPython = execFileSync('bash', [join(scripts, 'setup-kfp.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;

export interface StandIn {
  readonly url: string;
  readonly dir: string;
  readonly pipelineId: string;
  readonly versionId: string;
  requests(): Promise<{ method: string; path: string; valid: boolean; error: string | null; authorization: string | null }[]>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startStandIn(): Promise<StandIn> {
  const dir = mkdtempSync(join(tmpdir(), 'riffle-kfp-'));
  const pkg = join(dir, 'retraining.yaml');
  execFileSync(kfpPython, [join(root, 'examples/retraining/pipeline.py'), pkg], { stdio: 'ignore' });
  const port = await freePort();
  const log = openSync(join(dir, 'standin.log'), 'a');
  const env = { ...process.env, PATH: `${dirname(kfpPython)}:${process.env.PATH}` };
  const child: ChildProcess = spawn(kfpPython, [join(scripts, 'kfp_standin.py'), '--port', String(port), '--spec', join(root, 'test-fixtures/spec/kfp/run.swagger.json'), '--package', pkg, '--pipeline-id', 'p-retraining', '--version-id', 'v-1', '--pipeline-root', join(dir, 'root')], { stdio: ['ignore', log, log], env });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/apis/v2beta1/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > end || child.exitCode !== null) throw new Error(`kfp stand-in did not start (log: ${dir}/standin.log)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const post = (p: string) => fetch(url + p, { method: 'POST' }).then(() => undefined);
  return {
    url,
    dir,
    pipelineId: 'p-retraining',
    versionId: 'v-1',
    requests: async () => ((await (await fetch(`${url}/standin/requests`)).json()) as { requests: [] }).requests,
    pause: () => post('/standin/pause'),
    resume: () => post('/standin/resume'),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}
