/**
 * The compiled core of an aggregation, shared by the plain and the windowed operators: GROUP BY
 * values of a row, and the aggregate functions' init/add/undo/merge/result over an array of
 * per-function states (what the state store keeps per group).
 */
import type { AggregateStep } from '../../plan/steps.ts';
import type { Row } from '../expr/row.ts';
import type { ResolvedAggregate } from '../../functions/types.ts';
import { compileExpr, type CompiledExpr } from '../expr/compile.ts';
import { getFunction } from '../../functions/registry.ts';
import type { ErrorSink } from '../expr/row.ts';
import type { AggregateState } from '../../state/codecs/formats.ts';

export type States = unknown[];

/** What a state store keeps per group (or window): the states and the newest record time in them. */
export type Stored = AggregateState;

export interface Aggregator {
  readonly groupCount: number;
  /** GROUP BY values, or null when one is null (ksqlDB skips such rows). */
  group(row: Row): unknown[] | null;
  init(): States;
  add(states: States, row: Row): States;
  undo(states: States, row: Row): States;
  merge(a: States, b: States): States;
  results(states: States): unknown[];
  /** results(states) written into out[offset..] (no array of its own: once per emitted row). */
  resultsInto(states: States, out: unknown[], offset: number): void;
}

export function compileAggregator(step: AggregateStep, onError: ErrorSink): Aggregator {
  const group: CompiledExpr[] = step.groupBy.map((g) => compileExpr(g, getFunction, onError));
  const aggs = step.aggregates.map((a) => {
    const def = getFunction(a.name);
    if (!def || def.kind !== 'aggregate') throw new Error(`Aggregate function ${a.name} is not registered`);
    const resolved = def.resolve(a.argTypes, { literalArg: (i) => a.literals[i] ?? undefined, config: (name) => a.config?.[name] });
    if (typeof resolved === 'string') throw new Error(`${a.name}: ${resolved}`);
    return { fn: resolved as ResolvedAggregate, args: a.args.map((x) => compileExpr(x, getFunction, onError)), name: a.name };
  });
  const n = aggs.length;
  const argValues = (i: number, row: Row): unknown[] => {
    const args = aggs[i].args;
    const out = new Array(args.length);
    for (let j = 0; j < args.length; j++) out[j] = args[j](row);
    return out;
  };
  /** Reports an aggregate function that threw (the caller keeps the state, or yields null). */
  const failed = (name: string, e: unknown): void => onError(`Aggregate ${name} failed: ${(e as Error).message}`, e);
  // add() runs once per input row and aggregate: no closure, and no argument array for the usual
  // zero or one argument (COUNT(*), SUM(x)).
  const addOne = (i: number, state: unknown, row: Row): unknown => {
    const a = aggs[i];
    const args = a.args;
    try {
      if (args.length === 0) return a.fn.add(state);
      if (args.length === 1) return a.fn.add(state, args[0](row));
      return a.fn.add(state, ...argValues(i, row));
    } catch (e) {
      failed(a.name, e);
      return state;
    }
  };
  const resultsInto = (states: States, out: unknown[], offset: number): void => {
    for (let i = 0; i < n; i++) {
      try {
        out[offset + i] = aggs[i].fn.result(states[i]) ?? null;
      } catch (e) {
        failed(aggs[i].name, e);
        out[offset + i] = null;
      }
    }
  };
  const guard = <T>(name: string, fallback: T, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      failed(name, e);
      return fallback;
    }
  };
  return {
    groupCount: group.length,
    group(row) {
      const out = new Array(group.length);
      for (let i = 0; i < group.length; i++) {
        const v = group[i](row);
        if (v === null || v === undefined) return null;
        out[i] = v;
      }
      return out;
    },
    init() {
      const s = new Array(n);
      for (let i = 0; i < n; i++) s[i] = aggs[i].fn.init();
      return s;
    },
    add(states, row) {
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = addOne(i, states[i], row);
      return out;
    },
    undo(states, row) {
      const out = new Array(n);
      for (let i = 0; i < n; i++) {
        const a = aggs[i];
        out[i] = a.fn.undo ? guard(a.name, states[i], () => a.fn.undo!(states[i], ...argValues(i, row))) : states[i];
      }
      return out;
    },
    merge(a, b) {
      const out = new Array(n);
      for (let i = 0; i < n; i++) {
        const f = aggs[i].fn;
        out[i] = f.merge ? f.merge(a[i], b[i]) : b[i];
      }
      return out;
    },
    results(states) {
      const out = new Array(n);
      resultsInto(states, out, 0);
      return out;
    },
    resultsInto,
  };
}
