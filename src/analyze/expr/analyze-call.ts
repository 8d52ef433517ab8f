/**
 * Analysis of function calls: argument typing (lambdas typed through the function's
 * resolution, time units), resolution through FunctionDef.resolve, and the Call node.
 * Aggregate and table functions are the statement analyzer's business: meeting one here is an
 * error (the caller extracts them first and replaces them with column references).
 */
import type { Expr, FunctionCall, Lambda } from '../../sql/ast.ts';
import { SqlError } from '../../sql/errors.ts';
import type { ArgType, LambdaArgType, ResolveContext } from '../../functions/types.ts';
import type { SqlType } from '../../types/sql-type.ts';
import { decodeLiteral, type CallArgType, type TypedExpr } from '../../types/typed-expr.ts';
import { type AnalyzeCtx, at, isUntyped, typeError } from './context.ts';

export interface AnalyzedArgs {
  /** Typed arguments; lambdas are typed once resolution fixed their parameter types (see `finish`). */
  readonly argTypes: ArgType[];
  readonly ctx: ResolveContext;
  /** Builds the typed argument nodes and their recorded types after a successful resolve. */
  finish(): { args: TypedExpr[]; argTypes: CallArgType[] };
}

/**
 * Types the arguments of a call: for the statement analyzer's own resolution of aggregate and
 * table functions, and for scalar calls below.
 */
export function analyzeArgs(ctx: AnalyzeCtx, args: readonly Expr[], callName: string): AnalyzedArgs {
  const typed: (TypedExpr | null)[] = [];
  const lambdaState: (LambdaState | null)[] = [];
  const argTypes: ArgType[] = args.map((a, i) => {
    lambdaState[i] = null;
    typed[i] = null;
    switch (a.kind) {
      case 'Lambda': {
        const state = lambdaArg(ctx, a);
        lambdaState[i] = state;
        return state.argType;
      }
      case 'IntervalUnitRef':
        typed[i] = at(ctx, { kind: 'TimeUnit', unit: a.unit, type: { kind: 'STRING' } }, a.span);
        return { kind: 'TIME_UNIT', unit: a.unit };
      case 'Star':
        throw typeError(`'*' is not a valid argument of ${callName}`, a.span);
      default: {
        const t = ctx.analyze(a, ctx);
        typed[i] = t;
        return isUntyped(ctx, t) ? null : t.type;
      }
    }
  });
  const resolveCtx: ResolveContext = {
    literalArg: (i) => {
      const t = typed[i];
      return t && t.kind === 'Literal' && !isUntyped(ctx, t) ? decodeLiteral(t.value, t.type) : undefined;
    },
  };
  return {
    argTypes,
    ctx: resolveCtx,
    finish() {
      const out: TypedExpr[] = [];
      const types: CallArgType[] = [];
      args.forEach((a, i) => {
        const state = lambdaState[i];
        if (state) {
          const done = state.result();
          if (!done) throw typeError(`${callName} did not type the lambda argument`, a.span);
          out.push(done.node);
          types.push({ kind: 'LAMBDA', paramTypes: done.paramTypes, bodyType: done.node.type });
          return;
        }
        const t = typed[i]!;
        out.push(t);
        types.push(t.kind === 'TimeUnit' ? { kind: 'TIME_UNIT', unit: t.unit } : isUntyped(ctx, t) ? null : t.type);
      });
      return { args: out, argTypes: types };
    },
  };
}

interface LambdaState {
  readonly argType: LambdaArgType;
  result(): { node: TypedExpr; paramTypes: SqlType[] } | null;
}

/**
 * A lambda argument: the function calls bodyType(paramTypes) while resolving; the body is
 * analyzed in the scope extended by the parameters. The last successful typing is the one used.
 */
function lambdaArg(ctx: AnalyzeCtx, lambda: Lambda): LambdaState {
  const names = lambda.params;
  if (new Set(names).size !== names.length) throw typeError(`Duplicate lambda parameter in ${names.join(', ')}`, lambda.span);
  let last: { node: TypedExpr; paramTypes: SqlType[] } | null = null;
  const argType: LambdaArgType = {
    kind: 'LAMBDA',
    arity: names.length,
    bodyType(paramTypes) {
      if (paramTypes.length !== names.length) {
        throw typeError(`Lambda expects ${names.length} parameter(s) but is given ${paramTypes.length}`, lambda.span);
      }
      const lambdas = new Map(ctx.lambdas);
      names.forEach((n, i) => lambdas.set(n, paramTypes[i]));
      const body = ctx.analyze(lambda.body, { ...ctx, lambdas });
      if (isUntyped(ctx, body)) throw typeError('Cannot infer the type of a lambda returning NULL; use CAST(NULL AS <type>)', lambda.body.span);
      const node: TypedExpr = at(
        ctx,
        { kind: 'Lambda', params: names.map((name, i) => ({ name, type: paramTypes[i] })), body, type: body.type },
        lambda.span,
      );
      last = { node, paramTypes: [...paramTypes] };
      return body.type;
    },
  };
  return { argType, result: () => last };
}

export function analyzeCall(ctx: AnalyzeCtx, call: FunctionCall): TypedExpr {
  const name = call.name.toUpperCase();
  if (call.over) throw new SqlError('UNSUPPORTED', `Windowed (OVER) function calls are not allowed here: ${name}`, call.span);
  const def = ctx.functions(name);
  if (!def) throw new SqlError('UNKNOWN_FUNCTION', `Can't find any functions with the name '${name}'`, call.span);
  if (def.kind === 'aggregate') throw typeError(`Aggregate functions are not allowed here: ${name}`, call.span);
  if (def.kind === 'table') throw typeError(`Table functions are not allowed here: ${name}`, call.span);
  if (call.distinct) throw typeError(`DISTINCT is only allowed in aggregate function calls: ${name}`, call.span);
  // `f(*)` is `f()` to ksqlDB's AstBuilder (only aggregates give `*` a meaning).
  const callArgs = call.args.length === 1 && call.args[0].kind === 'Star' ? [] : call.args;
  const analyzed = analyzeArgs(ctx, callArgs, name);
  const resolved = def.resolve(analyzed.argTypes, analyzed.ctx);
  if (typeof resolved === 'string') throw typeError(resolved, call.span);
  const { args, argTypes } = analyzed.finish();
  return at(ctx, { kind: 'Call', name: def.name, args, argTypes, type: resolved.returnType }, call.span);
}
