/**
 * What code generation carries through an expression tree (./emit.ts and the emitters it
 * delegates to, e.g. ./emit-predicates.ts): the generated function's constants and temporaries,
 * the function library, the error sink, and `emit` for the children of a node, so an emitter in
 * another file recurses through the context instead of importing ./emit.ts back.
 */
import type { FunctionLookup } from '../../functions/types.ts';
import type { TypedExpr } from '../../types/typed-expr.ts';
import type { FnScope, Gen, Val } from './gen.ts';
import type { ErrorSink } from './row.ts';

export interface EmitCtx {
  readonly g: Gen;
  readonly functions: FunctionLookup;
  readonly sink: ErrorSink;
  /** Generates the code of a sub-expression (./emit.ts `emit`). */
  readonly emit: (s: FnScope, e: TypedExpr) => Val;
}
