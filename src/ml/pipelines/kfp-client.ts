/**
 * Kubeflow Pipelines REST API v2beta1, the run endpoints (backend/api/v2beta1/swagger/
 * run.swagger.json; a copy is vendored in test-fixtures/spec/kfp/):
 *   POST /apis/v2beta1/runs            create (body: v2beta1Run)
 *   GET  /apis/v2beta1/runs?filter=..  list (filter: filter.proto as JSON)
 *   GET  /apis/v2beta1/runs/{run_id}   get
 * KFP has no idempotency key: callers give runs deterministic display names and look them up
 * before creating (findByName).
 */

export type RunState =
  | 'RUNTIME_STATE_UNSPECIFIED'
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'SKIPPED'
  | 'FAILED'
  | 'CANCELING'
  | 'CANCELED'
  | 'PAUSED';

export const FINAL_STATES: ReadonlySet<RunState> = new Set(['SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELED']);

export interface KfpRun {
  readonly run_id: string;
  readonly display_name: string;
  readonly state?: RunState;
  readonly created_at?: string;
  readonly finished_at?: string;
  readonly error?: { readonly code?: number; readonly message?: string };
}

export interface KfpTarget {
  /** Base address, e.g. http://ml-pipeline.kubeflow:8888 */
  readonly endpoint: string;
  readonly pipelineId: string;
  readonly pipelineVersionId?: string;
  readonly experimentId?: string;
  readonly token?: string;
  readonly timeoutMs?: number;
}

/** A request that got an HTTP answer other than 2xx (status kept: 4xx are not retried). */
export class KfpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class KfpClient {
  private readonly t: KfpTarget;
  constructor(target: KfpTarget) {
    this.t = target;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.t.token) headers.Authorization = `Bearer ${this.t.token}`;
    const url = this.t.endpoint.replace(/\/+$/, '') + path;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.t.timeoutMs ?? 10_000) });
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
      throw new Error(`Kubeflow Pipelines at ${this.t.endpoint} unreachable (${e instanceof Error ? e.message : String(e)}${cause})`);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new KfpError(res.status, `Kubeflow Pipelines ${method} ${path} answered ${res.status}: ${message.slice(0, 500)}`);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** The create request's body (v2beta1Run input fields only). */
  runBody(displayName: string, parameters: Record<string, unknown>, description?: string): Record<string, unknown> {
    const ref: Record<string, string> = { pipeline_id: this.t.pipelineId };
    if (this.t.pipelineVersionId) ref.pipeline_version_id = this.t.pipelineVersionId;
    const body: Record<string, unknown> = {
      display_name: displayName,
      pipeline_version_reference: ref,
      runtime_config: { parameters },
    };
    if (description) body.description = description;
    if (this.t.experimentId) body.experiment_id = this.t.experimentId;
    return body;
  }

  createRun(displayName: string, parameters: Record<string, unknown>, description?: string): Promise<KfpRun> {
    return this.call<KfpRun>('POST', '/apis/v2beta1/runs', this.runBody(displayName, parameters, description));
  }

  getRun(runId: string): Promise<KfpRun> {
    return this.call<KfpRun>('GET', `/apis/v2beta1/runs/${encodeURIComponent(runId)}`);
  }

  /** The run with this display name, if KFP has one (in the experiment, when one is set). */
  async findByName(displayName: string): Promise<KfpRun | null> {
    const filter = JSON.stringify({ predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: displayName }] });
    const q = new URLSearchParams({ filter, page_size: '10' });
    if (this.t.experimentId) q.set('experiment_id', this.t.experimentId);
    const res = await this.call<{ runs?: KfpRun[] }>('GET', `/apis/v2beta1/runs?${q.toString()}`);
    return (res.runs ?? []).find((r) => r.display_name === displayName) ?? null;
  }
}
