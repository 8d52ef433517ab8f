import type { OperatorContext } from '../operator.ts';

/** Routes expression errors (a failed cast, a function error) of one step to the processing log. */
export function expressionErrorSink(ctx: OperatorContext, step: string): (message: string) => void {
  return (reason) => ctx.errors.report({ type: 'EXPRESSION_ERROR', queryId: ctx.queryId, step, reason });
}
