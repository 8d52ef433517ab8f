/** PREDICT / ML_PREDICT operator: placeholder until the model integration lands. */
import type { ModelCallStep } from '../../plan/steps.ts';
import type { Operator, OperatorContext } from '../operator.ts';

export function modelCallOperator(step: ModelCallStep, _ctx: OperatorContext): Operator {
  throw new Error(`Model calls are not available yet (${step.calls.map((c) => c.model).join(', ')})`);
}
