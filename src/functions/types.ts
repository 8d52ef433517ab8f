/**
 * The contract between the analyzer/expression compiler and the function library.
 *
 * The analyzer resolves a call once per query: it gives the argument types and gets back the
 * return type and an implementation; the compiled expression then calls `impl` per row with
 * already-evaluated argument values (runtime representation: see ../types/sql-type.ts).
 */
import type { SqlType } from '../types/sql-type.ts';

/**
 * The type of one argument as the analyzer knows it:
 * - a SqlType;
 * - null for an untyped NULL literal (matches any parameter type);
 * - a lambda, whose body type depends on the parameter types the function gives it;
 * - a time unit keyword (TIMESTAMPADD(SECONDS, ...)).
 */
export type ArgType = SqlType | null | LambdaArgType | { readonly kind: 'TIME_UNIT'; readonly unit: string };

export interface LambdaArgType {
  readonly kind: 'LAMBDA';
  readonly arity: number;
  /** Types the lambda's body given its parameter types; throws a user-facing error when it cannot. */
  readonly bodyType: (paramTypes: readonly SqlType[]) => SqlType;
}

/** Extra compile-time facts for resolution: literal argument values (for e.g. a constant format string). */
export interface ResolveContext {
  /** The value of argument i when it is a literal, else undefined. */
  readonly literalArg: (i: number) => unknown;
  /** A ksqlDB function property in force for this call (e.g. ksql.functions.collect_list.limit). */
  readonly config?: (name: string) => string | undefined;
}

export interface ResolvedScalar {
  readonly returnType: SqlType;
  /**
   * Called per row with evaluated arguments; lambda arguments arrive as JS functions, time-unit
   * arguments as the unit name. Must handle null arguments itself (most ksqlDB functions return
   * null when an argument is null) and must not throw for bad data: return null instead, unless
   * ksqlDB fails the record (then throw a FunctionError; the record goes to the processing log).
   */
  readonly impl: (...args: any[]) => unknown;
  /** True when the same arguments always give the same result (constant folding allowed). */
  readonly deterministic?: boolean;
}

export interface ScalarFunction {
  readonly kind: 'scalar';
  /** Upper-case name. */
  readonly name: string;
  readonly description: string;
  /** Human-readable signatures for DESCRIBE FUNCTION, e.g. `SUBSTRING(str STRING, pos INT[, len INT]) -> STRING`. */
  readonly signatures: readonly string[];
  /** Resolves an overload or returns an error message (`Function 'ABS' does not accept parameters (STRING)`). */
  resolve(args: readonly ArgType[], ctx: ResolveContext): ResolvedScalar | string;
}

export interface ResolvedTableFunction {
  readonly returnType: SqlType;
  /** Returns the rows to emit for one input row (each element becomes one output row). */
  readonly impl: (...args: any[]) => readonly unknown[];
}

export interface TableFunction {
  readonly kind: 'table';
  readonly name: string;
  readonly description: string;
  readonly signatures: readonly string[];
  resolve(args: readonly ArgType[], ctx: ResolveContext): ResolvedTableFunction | string;
}

/**
 * An aggregate: state is an opaque JS value that must be JSON-serialisable through `toJSON` /
 * `fromJSON` (state stores and changelogs keep it). `undo` is present when the aggregate can
 * retract a value (needed for table aggregations).
 */
export interface ResolvedAggregate<S = any> {
  readonly returnType: SqlType;
  /** Type of the intermediate state (for DESCRIBE; informational). */
  init(): S;
  add(state: S, ...args: any[]): S;
  undo?(state: S, ...args: any[]): S;
  /** Merge two states (session window merges). */
  merge?(a: S, b: S): S;
  result(state: S): unknown;
  toJSON(state: S): unknown;
  fromJSON(json: unknown): S;
}

export interface AggregateFunction {
  readonly kind: 'aggregate';
  readonly name: string;
  readonly description: string;
  readonly signatures: readonly string[];
  /** `args` are the column arguments; `literals` are trailing constant arguments (e.g. TOPK's k). */
  resolve(args: readonly ArgType[], ctx: ResolveContext): ResolvedAggregate | string;
}

export type FunctionDef = ScalarFunction | TableFunction | AggregateFunction;

/** Finds a function by name (case-insensitive): the analyzer types calls with it, the expression compiler resolves them again. */
export type FunctionLookup = (name: string) => FunctionDef | undefined;

/** Thrown by a function implementation to fail one record (it goes to the processing log). */
export class FunctionError extends Error {}
