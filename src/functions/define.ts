/**
 * Builders that turn overload declarations into the FunctionDef objects of ./types.ts.
 */
import type {
  AggregateFunction,
  ArgType,
  ResolveContext,
  ResolvedAggregate,
  ResolvedScalar,
  ResolvedTableFunction,
  ScalarFunction,
  TableFunction,
} from './types.ts';
import type { Impl, Overload, PendingOverload } from './signature.ts';
import { resolveOverloads } from './resolve.ts';

function adapted(f: Impl, adapt: (args: any[]) => any[]): Impl {
  return (...args) => f(...adapt(args));
}

export function scalar(name: string, description: string, pending: readonly PendingOverload<Impl>[]): ScalarFunction {
  const upper = name.toUpperCase();
  const overloads: Overload<Impl>[] = pending.map((p) => p(upper));
  return {
    kind: 'scalar',
    name: upper,
    description,
    signatures: overloads.map((o) => o.signature),
    resolve(args: readonly ArgType[], ctx: ResolveContext): ResolvedScalar | string {
      const r = resolveOverloads(upper, overloads, args, ctx);
      if (typeof r === 'string') return r;
      return {
        returnType: r.returnType,
        impl: r.adapt ? adapted(r.impl, r.adapt) : r.impl,
        deterministic: r.deterministic,
      };
    },
  };
}

/** A table function: the implementation returns the array of values to emit, one per row. */
export function tableFunction(
  name: string,
  description: string,
  pending: readonly PendingOverload<Impl>[],
): TableFunction {
  const upper = name.toUpperCase();
  const overloads = pending.map((p) => p(upper));
  return {
    kind: 'table',
    name: upper,
    description,
    signatures: overloads.map((o) => o.signature),
    resolve(args: readonly ArgType[], ctx: ResolveContext): ResolvedTableFunction | string {
      const r = resolveOverloads(upper, overloads, args, ctx);
      if (typeof r === 'string') return r;
      const impl = r.adapt ? adapted(r.impl, r.adapt) : r.impl;
      return { returnType: r.returnType, impl: impl as (...args: any[]) => readonly unknown[] };
    },
  };
}

/**
 * An aggregate. Convention (Riffle's, documented in the report): `add`/`undo` receive the values
 * of all the call's arguments in call order, constant ones included; implementations read their
 * constant parameters (TOPK's k, EARLIEST_BY_OFFSET's n) from the literals at resolve time.
 */
export function aggregate(
  name: string,
  description: string,
  pending: readonly PendingOverload<ResolvedAggregate>[],
): AggregateFunction {
  const upper = name.toUpperCase();
  const overloads = pending.map((p) => p(upper));
  return {
    kind: 'aggregate',
    name: upper,
    description,
    signatures: overloads.map((o) => o.signature),
    resolve(args: readonly ArgType[], ctx: ResolveContext): ResolvedAggregate | string {
      const r = resolveOverloads(upper, overloads, args, ctx);
      if (typeof r === 'string') return r;
      const agg = r.impl;
      const adapt = r.adapt;
      if (!adapt) return agg;
      const undo = agg.undo;
      return {
        returnType: agg.returnType,
        init: () => agg.init(),
        add: (s, ...a) => agg.add(s, ...adapt(a)),
        undo: undo ? (s, ...a) => undo.call(agg, s, ...adapt(a)) : undefined,
        merge: agg.merge ? (x, y) => agg.merge!(x, y) : undefined,
        result: (s) => agg.result(s),
        toJSON: (s) => agg.toJSON(s),
        fromJSON: (j) => agg.fromJSON(j),
      };
    },
  };
}
