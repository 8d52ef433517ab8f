/**
 * Builds the runnable pipeline of a plan: a decoder per source, the operator chain, and the sink
 * encoder. One builder per step type, chosen by an exhaustive switch, so a new step type fails
 * the type check until it has a builder. Each operator is wrapped to count its step's rows per
 * batch (./step-rows.ts: the console's per-step rates).
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
import type { Row } from './expr/row.ts';
import { StepRows, type StepCounter } from './step-rows.ts';

export interface Pipeline {
  /** The sources in FROM order: rows of sources[i] carry `side = i`. */
  readonly sources: readonly SourceStep[];
  readonly operators: readonly Operator[];
  /**
   * The internal topics the pipeline writes and reads back (repartitions): rows read from one
   * carry `side` and enter the chain at operator `entry`, the one after the repartition.
   */
  readonly internal: readonly InternalInput[];
  /** Rows out of each step (by the step names EXPLAIN shows), counted as batches pass. */
  readonly stepRows: StepRows;
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
  const steps: OperatorStep[] = [];
  const sources: SourceStep[] = [];
  const internal: InternalInput[] = [];
  const push = (op: Operator, step: Step, own: OwnRows = 'all', rightSide = 0) => {
    operators.push(op);
    steps.push({ name: step.name, own, rightSide });
  };
  // Topics read, with the repartition step above them in the plan (null: the root's part).
  const reads: { topic: string; below: RepartitionStep | null }[] = [];
  let below: RepartitionStep | null = null;
  // Returns the side (FROM source index) of the rows the step outputs: joins output side 0.
  const unary = (step: Step & { input: Step }, make: () => Operator): number => {
    const side = visit(step.input);
    push(make(), step);
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
        push(joinOperator(step, rightSide, ctx), step, 'joined', rightSide);
        return 0;
      }
      case 'repartition': {
        reads.push({ topic: step.topic, below });
        const outer = below;
        below = step;
        const side = visit(step.input);
        below = outer;
        push(repartitionOperator(step, side, ctx), step, 'taken');
        internal.push({ step, side, entry: operators.length });
        return side;
      }
      case 'filter':
        return unary(step, () => filterOperator(step, ctx));
      case 'flatMap':
        return unary(step, () => flatMapOperator(step, ctx));
      case 'overAggregate':
        return unary(step, () => overAggregateOperator(step, ctx));
      case 'materialize':
        return unary(step, () => materializeOperator(step, ctx));
      case 'aggregate':
        return unary(step, () => aggregateOperator(step, ctx));
      case 'modelCall':
        return unary(step, () => modelCallOperator(step, ctx));
      case 'project':
        return unary(step, () => projectOperator(step, ctx));
      case 'train':
        return unary(step, () => trainOperator(step, ctx));
      case 'sink':
        return visit(step.input);
    }
  };
  visit(root);
  if (sources.length === 0) throw new Error('plan has no source');
  const stepRows = new StepRows();
  // A join whose right input is the last source has nothing passing through it.
  for (const s of steps) if (s.own === 'joined' && s.rightSide === sources.length - 1) s.own = 'all';
  const counted = countSteps(operators, steps, sources, stepRows);
  if (root.type === 'sink' && steps.length) stepRows.alias(root.name, stepRows.counter(steps[steps.length - 1].name));
  return { sources, operators: counted, internal, stepRows, subtopologyOf: subtopologies(reads) };
}

/**
 * What an operator's returned rows say about its step's own output. Rows of other join inputs pass
 * through the operators before their join (./operators/repartition.ts, join.ts routeRows), so:
 * - `all`: every returned row is the step's (the usual case, and any step of a one-source plan);
 * - `taken`: a repartition returns only the rows it passes; its own rows are the ones it took
 *   (rows in minus rows returned), written to its topic and read back after it;
 * - `joined`: a join with inputs of later joins behind it: its own rows are the returned rows of side 0.
 */
type OwnRows = 'all' | 'taken' | 'joined';

interface OperatorStep {
  readonly name: string;
  own: OwnRows;
  readonly rightSide: number;
}

/**
 * Wraps each operator so the rows it returns per batch (and drains) are added to its step's
 * counter; the first operator also counts its input as the sources' output (only source rows
 * enter at operator 0: repartitions' rows re-enter after their repartition, drained rows after
 * the draining operator). Optional methods stay absent when the operator lacks them (the task
 * tells stateful operators by `openPartitions`).
 */
function countSteps(operators: readonly Operator[], steps: readonly OperatorStep[], sources: readonly SourceStep[], stepRows: StepRows): Operator[] {
  const sourceCounters = sources.map((s) => stepRows.counter(s.name));
  return operators.map((op, index) => {
    const { name, own } = steps[index];
    const counter = stepRows.counter(name);
    const countInput = index === 0 ? sourceCounting(sourceCounters) : null;
    const add = (input: readonly Row[] | null, out: Row[]): Row[] => {
      counter.rows += own === 'all' ? out.length : own === 'taken' ? (input ? input.length - out.length : 0) : sideZero(out);
      return out;
    };
    const wrapped: Operator = {
      name: op.name,
      process(rows: Row[]): Row[] | Promise<Row[]> {
        countInput?.(rows);
        const out = op.process(rows);
        return out instanceof Promise ? out.then((o) => add(rows, o)) : add(rows, out);
      },
      ...(op.openPartitions && { openPartitions: (ps: readonly number[]) => op.openPartitions!(ps) }),
      ...(op.closePartitions && { closePartitions: (ps: readonly number[]) => op.closePartitions!(ps) }),
      ...(op.drain && { drain: () => add(null, op.drain!()) }),
      ...(op.close && { close: () => op.close!() }),
    };
    return wrapped;
  });
}

/** Counts rows entering the chain per source: one number per batch for one source, by side tag for several. */
function sourceCounting(counters: readonly StepCounter[]): (rows: readonly Row[]) => void {
  if (counters.length === 1) return (rows) => void (counters[0].rows += rows.length);
  return (rows) => {
    for (const r of rows) {
      const c = counters[r.side ?? 0];
      if (c) c.rows++;
    }
  };
}

function sideZero(rows: readonly Row[]): number {
  let n = 0;
  for (const r of rows) if ((r.side ?? 0) === 0) n++;
  return n;
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
