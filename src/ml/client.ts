/**
 * The provider-neutral face of a model: one batch of encoded rows in, one row of output values
 * per input row out (same order), or a ModelCallError. Retries, batching, concurrency and the
 * breaker live above this, in the invoker; a client makes exactly one attempt per call.
 */
import type { ModelSpec } from './spec.ts';
import type { ModelSchema } from './schema.ts';
import type { WireValue } from './tensor.ts';

export interface CallContext {
  /** Stable across the retries of one batch (the V2 `id`), so a server can recognise them. */
  readonly requestId: string;
  /** Aborted when the invoker closes. */
  readonly signal: AbortSignal;
}

export type Health = { readonly kind: 'ready' } | { readonly kind: 'not-ready'; readonly reason: string };

export interface ModelClient {
  readonly schema: ModelSchema;
  /** Where the model is, for messages and DESCRIBE: `POST http://h:8080/v2/models/iris/infer`. */
  readonly target: string;
  predict(rows: readonly (readonly WireValue[])[], ctx: CallContext): Promise<unknown[][]>;
  health(signal: AbortSignal): Promise<Health>;
  close(): Promise<void>;
}

/** Opens the client for a spec (fetching V2 metadata or loading the ONNX file when needed). */
export async function openClient(spec: ModelSpec, signal: AbortSignal): Promise<ModelClient> {
  const p = spec.provider;
  switch (p.kind) {
    case 'kserve-v1': {
      const { openKserveV1 } = await import('./kserve-v1.ts');
      return openKserveV1(spec, p);
    }
    case 'kserve-v2': {
      const { openKserveV2 } = await import('./kserve-v2.ts');
      return openKserveV2(spec, p, signal);
    }
    case 'onnx': {
      // Loaded lazily: the native runtime costs ~100 ms and memory, only for ONNX models.
      const { openOnnx } = await import('./onnx.ts');
      return openOnnx(spec, p);
    }
    case 'trained': {
      const { openTrained } = await import('./learn/client.ts');
      return openTrained(spec, p);
    }
  }
}
