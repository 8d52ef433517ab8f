/**
 * Builds the runnable pipeline of a plan: a decoder per source, the operator chain, and the sink
 * encoder. One builder per step type, chosen by an exhaustive switch, so a new step type fails
 * the type check until it has a builder.
 */
import type { SinkStep, SourceStep, Step } from '../plan/steps.ts';
import type { Operator, OperatorContext } from './operator.ts';
import { filterOperator } from './operators/filter.ts';
import { projectOperator } from './operators/project.ts';
import { flatMapOperator } from './operators/flat-map.ts';
import { modelCallOperator } from './operators/model-call.ts';
import { materializeOperator } from './operators/materialize.ts';
import { aggregateOperator } from './operators/aggregate.ts';
import { joinOperator } from './operators/join.ts';
import { overAggregateOperator } from './operators/over-aggregate.ts';

export interface Pipeline {
  /** The sources in FROM order: rows of sources[i] carry `side = i`. */
  readonly sources: readonly SourceStep[];
  readonly operators: readonly Operator[];
}

/** The linear pipeline from the single source of `root` up to and including `root`. */
export function buildPipeline(root: Step, ctx: OperatorContext): Pipeline {
  const operators: Operator[] = [];
  const sources: SourceStep[] = [];
  const visit = (step: Step): void => {
    switch (step.type) {
      case 'source':
        sources.push(step);
        return;
      case 'join':
        visit(step.left);
        sources.push(step.right);
        operators.push(joinOperator(step, sources.length - 1, ctx));
        return;
      case 'filter':
        visit(step.input);
        operators.push(filterOperator(step, ctx));
        return;
      case 'flatMap':
        visit(step.input);
        operators.push(flatMapOperator(step, ctx));
        return;
      case 'overAggregate':
        visit(step.input);
        operators.push(overAggregateOperator(step, ctx));
        return;
      case 'materialize':
        visit(step.input);
        operators.push(materializeOperator(step, ctx));
        return;
      case 'aggregate':
        visit(step.input);
        operators.push(aggregateOperator(step, ctx));
        return;
      case 'modelCall':
        visit(step.input);
        operators.push(modelCallOperator(step, ctx));
        return;
      case 'project':
        visit(step.input);
        operators.push(projectOperator(step, ctx));
        return;
      case 'sink':
        visit(step.input);
        return;
    }
  };
  visit(root);
  if (sources.length === 0) throw new Error('plan has no source');
  return { sources, operators };
}

export function sinkOf(root: Step): SinkStep | null {
  return root.type === 'sink' ? root : null;
}
