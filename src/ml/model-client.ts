/**
 * The provider-neutral face of a model: one batch of encoded rows in, one row of output values
 * per input row out (same order), or a ModelCallError. Retries, batching, concurrency and the
 * breaker live above this, in the invoker; a client makes exactly one attempt per call. The
 * clients of each provider implement it; ./client.ts opens the one a spec names.
 */
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
