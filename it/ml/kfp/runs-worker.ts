/**
 * Child process for the kill -9 test: opens the pipeline's runs on a state file, triggers one run,
 * prints "submitted <run_id>" once KFP accepted it (or "requested" right after the intent was
 * saved, with KILL_AT=requested) and waits to be killed.
 * Args: endpoint stateFile triggerId killAt
 */
import { PipelineRuns } from '../../../src/ml/pipelines/runs.ts';

const [endpoint, stateFile, triggerId, killAt] = process.argv.slice(2);
const runs = new PipelineRuns({
  pipeline: 'P',
  target: { endpoint: endpoint!, pipelineId: 'p-retraining', pipelineVersionId: 'v-1' },
  stateFile: stateFile!,
  retry: { runAttempts: 1, submitAttempts: 5, backoffMs: 100 },
  pollMs: 100_000,
});
runs.onEvent((e) => {
  if (killAt === 'requested' && e.state === 'REQUESTED') process.stdout.write('requested\n');
  if (e.runId) process.stdout.write(`submitted ${e.runId}\n`);
});
runs.trigger(triggerId!, 'test', { manifests: '/nonexistent.manifest.json', label: 'LABEL', features: 'A', model_repo: '/tmp/x', model_name: 'm', mlserver_url: 'http://127.0.0.1:1' });
runs.start();
setInterval(() => undefined, 1000);
