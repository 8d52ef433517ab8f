/**
 * Builds the runnable pipeline of a plan: a decoder per source, the operator chain, and the sink
 * encoder. One builder per step type, chosen by an exhaustive switch, so a new step type fails
 * the type check until it has a builder.
 */
import type { RepartitionStep, SinkStep, SourceStep, Step } from '../plan/steps.ts';
import type { Operator, OperatorContext } from './operator.ts';
import { filterOperator } from './operators/filter.ts';
import { projectOperator } from './operators/project.ts';
import { flatMapOperator } from './operators/flat-map.ts';
import { modelCallOperator } from './operators/model-call.ts';
import { materializeOperator } from './operators/materialize.ts';
import { aggregateOperator } from './operators/aggregate.ts';
import { joinOperator } from './operators/join.ts';
import { overAggregateOperator } from './operators/over-aggregate.ts';
import { repartitionOperator } from './operators/repartition.ts';
import { trainOperator } from './operators/train.ts';

export interface Pipeline {
  /** The sources in FROM order: rows of sources[i] carry `side = i`. */
  readonly sources: readonly SourceStep[];
  readonly operators: readonly Operator[];
  /**
   * The internal topics the pipeline writes and reads back (repartitions): rows read from one
   * carry `side` and enter the chain at operator `entry`, the one after the repartition.
   */
  readonly internal: readonly InternalInput[];
  /**
   * The sub-topology of every topic the pipeline reads (Kafka Streams' sense: the part of the
   * plan between repartitions). Records are put in time order only among topics of the same
   * sub-topology (the two sides of a join): a source and the repartition topic it feeds are
   * processed by different operators that keep their own stream time, so holding one back for
   * the other only buffered records. A topic read by two sub-topologies (a self-join with one side
   * repartitioned) joins them into one.
   */
  readonly subtopologyOf: ReadonlyMap<string, number>;
}

export interface InternalInput {
  readonly step: RepartitionStep;
  readonly side: number;
  readonly entry: number;
}

/** The linear pipeline from the single source of `root` up to and including `root`. */
export function buildPipeline(root: Step, ctx: OperatorContext): Pipeline {
  const operators: Operator[] = [];
  const sources: SourceStep[] = [];
  const internal: InternalInput[] = [];
  // Topics read, with the repartition step above them in the plan (null: the root's part).
  const reads: { topic: string; below: RepartitionStep | null }[] = [];
  let below: RepartitionStep | null = null;
  // Returns the side (FROM source index) of the rows the step outputs: joins output side 0.
  const unary = (input: Step, make: () => Operator): number => {
    const side = visit(input);
    operators.push(make());
    return side;
  };
  const visit = (step: Step): number => {
    switch (step.type) {
      case 'source':
        sources.push(step);
        reads.push({ topic: step.binding.topic, below });
        return sources.length - 1;
      case 'join': {
        visit(step.left);
        const rightSide = visit(step.right);
        operators.push(joinOperator(step, rightSide, ctx));
        return 0;
      }
      case 'repartition': {
        reads.push({ topic: step.topic, below });
        const outer = below;
        below = step;
        const side = visit(step.input);
        below = outer;
        operators.push(repartitionOperator(step, side, ctx));
        internal.push({ step, side, entry: operators.length });
        return side;
      }
      case 'filter':
        return unary(step.input, () => filterOperator(step, ctx));
      case 'flatMap':
        return unary(step.input, () => flatMapOperator(step, ctx));
      case 'overAggregate':
        return unary(step.input, () => overAggregateOperator(step, ctx));
      case 'materialize':
        return unary(step.input, () => materializeOperator(step, ctx));
      case 'aggregate':
        return unary(step.input, () => aggregateOperator(step, ctx));
      case 'modelCall':
        return unary(step.input, () => modelCallOperator(step, ctx));
      case 'project':
        return unary(step.input, () => projectOperator(step, ctx));
      case 'train':
        return unary(step.input, () => trainOperator(step, ctx));
      case 'sink':
        return visit(step.input);
    }
  };
  visit(root);
  if (sources.length === 0) throw new Error('plan has no source');
  return { sources, operators, internal, subtopologyOf: subtopologies(reads) };
}

/** Numbers the sub-topologies of `reads` (0, 1, ...), merging those that read a common topic. */
function subtopologies(reads: readonly { topic: string; below: RepartitionStep | null }[]): Map<string, number> {
  const parent = new Map<RepartitionStep | null, RepartitionStep | null>();
  const find = (x: RepartitionStep | null): RepartitionStep | null => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const first = new Map<string, RepartitionStep | null>();
  for (const { topic, below } of reads) {
    if (!parent.has(below)) parent.set(below, below);
    const seen = first.get(topic);
    if (seen === undefined) first.set(topic, below);
    else parent.set(find(below), find(seen));
  }
  const numbers = new Map<RepartitionStep | null, number>();
  const out = new Map<string, number>();
  for (const [topic, below] of first) {
    const root = find(below);
    if (!numbers.has(root)) numbers.set(root, numbers.size);
    out.set(topic, numbers.get(root)!);
  }
  return out;
}

export function sinkOf(root: Step): SinkStep | null {
  return root.type === 'sink' ? root : null;
}
