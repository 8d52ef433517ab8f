/**
 * The engine's live models: one ModelInvoker per (model, version, per-call options), opened by
 * the first statement or query that needs it and shared by every query calling it, so batching,
 * the in-flight limit, the circuit breaker and the statistics are per model, not per query.
 * It also knows which queries use which model (operators attach and detach themselves), which is
 * what DROP MODEL checks.
 *
 * Invariants: an invoker's resolved INPUT/OUTPUT always equal the catalog's (checked when it is
 * opened; a server that now describes different tensors is an error, never a silent change);
 * a failed open is forgotten, so the next batch tries again.
 */
import { typesEqual, formatType } from '../types/sql-type.ts';
import { backoffMs } from './breaker.ts';
import { ModelCallError, isRetryable } from './errors.ts';
import { ModelInvoker } from './invoker.ts';
import { abortableSleep } from './semaphore.ts';
import type { ModelColumn, ModelSpec } from './spec.ts';
import type { ModelDefinition } from './sql-model.ts';
import { effectiveSpec } from './sql-model.ts';

export type ModelLookup = (name: string) => ModelDefinition | undefined;

/** Why a model could not be opened; `code` is what error columns and dead letters report. */
export class ModelOpenError extends Error {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.code = code;
    this.name = 'ModelOpenError';
  }
}

interface Live {
  readonly model: string;
  readonly version: string | null;
  readonly options: Readonly<Record<string, string>>;
  readonly invoker: Promise<ModelInvoker>;
}

export function invokerKey(model: string, version: string | null, options: Readonly<Record<string, string>>): string {
  const opts = Object.keys(options).sort().map((k) => [k, options[k]]);
  return JSON.stringify([model, version, opts]);
}

function describeColumns(cols: readonly ModelColumn[]): string {
  return cols.map((c) => `${c.name} ${formatType(c.type)}`).join(', ');
}

/** Whether resolved columns match the catalog's: same types in order, names equal ignoring case. */
function sameColumns(got: readonly ModelColumn[], want: readonly ModelColumn[]): boolean {
  return got.length === want.length && got.every((c, i) => c.name.toUpperCase() === want[i].name.toUpperCase() && typesEqual(c.type, want[i].type));
}

export class ModelRegistry {
  private readonly lookup: ModelLookup;
  private readonly live = new Map<string, Live>();
  private readonly users = new Map<string, Set<string>>();
  private readonly specs = new Map<string, { readonly base: ModelSpec; readonly spec: ModelSpec }>();
  private closed = false;
  private readonly closing = new AbortController();

  constructor(lookup: ModelLookup) {
    this.lookup = lookup;
  }

  /** The registry an engine lends its operators, or an error saying models are not set up. */
  static of(services: { readonly models?: unknown }): ModelRegistry {
    const r = services.models;
    if (r instanceof ModelRegistry) return r;
    throw new Error('this query calls a model, but the engine has no model registry (no CREATE MODEL ran)');
  }

  definition(model: string): ModelDefinition | undefined {
    return this.lookup(model);
  }

  /**
   * The spec a call runs with now (ALTER MODEL included): for its ON_ERROR policy even when the
   * invoker cannot be opened. Throws when the model no longer exists.
   */
  spec(model: string, version: string | null, options: Readonly<Record<string, string>>): ModelSpec {
    const def = this.lookup(model);
    if (!def) throw new ModelOpenError(`model ${model} does not exist`, 'unknown-model');
    const key = invokerKey(model, version, options);
    const cached = this.specs.get(key);
    if (cached && cached.base === def.spec) return cached.spec;
    const spec = effectiveSpec(def, version, options);
    this.specs.set(key, { base: def.spec, spec });
    return spec;
  }

  /** The live invoker for a call, opened (with the model's retry policy) on first use. */
  invoker(model: string, version: string | null, options: Readonly<Record<string, string>>): Promise<ModelInvoker> {
    if (this.closed) return Promise.reject(new ModelOpenError('the engine is closing', 'closed'));
    const key = invokerKey(model, version, options);
    const cur = this.live.get(key);
    if (cur) return cur.invoker;
    const invoker = this.open(model, version, options);
    this.live.set(key, { model, version, options, invoker });
    invoker.catch(() => {
      if (this.live.get(key)?.invoker === invoker) this.live.delete(key);
    });
    return invoker;
  }

  /** Keeps an invoker CREATE MODEL opened (to discover the schema) as the model's default one. */
  adopt(model: string, invoker: ModelInvoker): void {
    const key = invokerKey(model, null, {});
    const old = this.live.get(key);
    this.live.set(key, { model, version: null, options: {}, invoker: Promise.resolve(invoker) });
    if (old) void old.invoker.then((i) => (i === invoker ? undefined : i.close())).catch(() => {});
  }

  /** Invokers already opened for a model (DESCRIBE MODEL statistics). */
  async opened(model: string): Promise<{ readonly version: string | null; readonly options: Readonly<Record<string, string>>; readonly invoker: ModelInvoker }[]> {
    const out: { version: string | null; options: Readonly<Record<string, string>>; invoker: ModelInvoker }[] = [];
    for (const l of this.live.values()) {
      if (l.model !== model) continue;
      const inv = await l.invoker.catch(() => null);
      if (inv) out.push({ version: l.version, options: l.options, invoker: inv });
    }
    return out;
  }

  private async open(model: string, version: string | null, options: Readonly<Record<string, string>>): Promise<ModelInvoker> {
    const def = this.lookup(model);
    if (!def) throw new ModelOpenError(`model ${model} does not exist`, 'unknown-model');
    const spec = effectiveSpec(def, version, options);
    let inv: ModelInvoker;
    for (let attempt = 1; ; attempt++) {
      try {
        inv = await ModelInvoker.open(spec);
        break;
      } catch (e) {
        const retry = e instanceof ModelCallError && isRetryable(e.failure) && attempt <= spec.retry.retries && !this.closed;
        if (!retry) {
          if (e instanceof ModelCallError) throw new ModelOpenError(`cannot open model ${model}: ${e.message}`, e.failure.kind);
          throw new ModelOpenError(`cannot open model ${model}: ${(e as Error).message}`, 'schema');
        }
        try {
          await abortableSleep(backoffMs(spec.retry, attempt), this.closing.signal);
        } catch {
          throw new ModelOpenError('the engine is closing', 'closed');
        }
      }
    }
    const s = inv.schema;
    if (!sameColumns(s.inputs, def.inputs) || !sameColumns(s.outputs, def.outputs)) {
      await inv.close().catch(() => {});
      throw new ModelOpenError(
        `model ${model}${version ? `$${version}` : ''} now describes INPUT (${describeColumns(s.inputs)}) OUTPUT (${describeColumns(s.outputs)}), ` +
          `but it was created with INPUT (${describeColumns(def.inputs)}) OUTPUT (${describeColumns(def.outputs)}): CREATE OR REPLACE MODEL to take the new schema`,
        'schema',
      );
    }
    return inv;
  }

  /** ALTER MODEL / CREATE OR REPLACE with the same columns: every live invoker of the model takes the new spec. */
  async reconfigure(def: ModelDefinition): Promise<void> {
    for (const l of this.live.values()) {
      if (l.model !== def.name) continue;
      const inv = await l.invoker.catch(() => null);
      if (inv) await inv.reconfigure(effectiveSpec(def, l.version, l.options));
    }
  }

  /** DROP MODEL / CREATE OR REPLACE: closes the model's invokers. */
  async forget(model: string): Promise<void> {
    const mine = [...this.live].filter(([, l]) => l.model === model);
    for (const [key] of mine) this.live.delete(key);
    for (const key of [...this.specs.keys()]) if (JSON.parse(key)[0] === model) this.specs.delete(key);
    await Promise.allSettled(mine.map(([, l]) => l.invoker.then((i) => i.close())));
  }

  /** A query's operator calls these models (until detach). */
  attach(queryId: string, models: readonly string[]): void {
    let set = this.users.get(queryId);
    if (!set) this.users.set(queryId, (set = new Set()));
    for (const m of models) set.add(m);
  }

  detach(queryId: string): void {
    this.users.delete(queryId);
  }

  /** Ids of the queries (persistent and push) that call the model. */
  usersOf(model: string): string[] {
    return [...this.users].filter(([, ms]) => ms.has(model)).map(([q]) => q).sort();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.allSettled(all.map((l) => l.invoker.then((i) => i.close())));
  }
}
