/**
 * Physical plan steps: the plain, versioned JSON a persistent query is stored and restarted from.
 * Each step names its input(s), its output schema and a stable name derived from its position in
 * the plan (`Project`, `Source/TEST`), which also names its state stores. Expressions are typed
 * trees (TypedExpr), never SQL text. Bump a step's `v` when its semantics change; old versions
 * keep their builder so stored plans still run.
 */
import type { TypedExpr } from '../types/typed-expr.ts';
import type { LogicalSchema } from '../types/schema.ts';
import type { SourceFormats } from '../analyze/catalog.ts';
import type { WindowInfo } from '../types/window.ts';
import type { AggregateCall, JoinSpec, ModelCallSpec, OverCall, WindowPlan } from '../analyze/output.ts';

// The analyzer's output types that steps carry, for exec (which imports plan, never analyze).
export type { WindowInfo } from '../types/window.ts';
export type { AggregateCall, JoinSpec, ModelCallSpec, OverCall, WindowPlan } from '../analyze/output.ts';

export interface TopicBinding {
  readonly topic: string;
  readonly formats: SourceFormats;
}

export interface SourceStep {
  readonly type: 'source';
  readonly v: 1;
  readonly name: string;
  readonly source: string;
  readonly sourceType: 'STREAM' | 'TABLE';
  readonly binding: TopicBinding;
  readonly schema: LogicalSchema;
  /** Event time: a column (index into the row's cols) and optional format; null = record timestamp. */
  readonly timestamp: { readonly column: number; readonly format: string | null } | null;
  readonly window: WindowInfo | null;
}

export interface FilterStep {
  readonly type: 'filter';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  readonly schema: LogicalSchema;
  readonly predicate: TypedExpr;
  /**
   * Table semantics (HAVING, WHERE over a table): a row that fails becomes a tombstone for its key
   * when its prior version passed (or, without prior information, always), instead of vanishing.
   */
  readonly changes?: boolean;
}

/** Table functions (EXPLODE ...): each input row becomes as many rows as the longest result; shorter results pad with null. */
export interface FlatMapStep {
  readonly type: 'flatMap';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  /** Input columns followed by one column per function. */
  readonly schema: LogicalSchema;
  readonly functions: readonly { readonly name: string; readonly args: readonly TypedExpr[] }[];
}

/** Computes the output columns (key columns first). `rekeyed` marks a changed key (PARTITION BY): outputs are repartitioned by the new key. */
export interface ProjectStep {
  readonly type: 'project';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  readonly schema: LogicalSchema;
  readonly exprs: readonly TypedExpr[];
  readonly rekeyed: boolean;
}

export interface SinkStep {
  readonly type: 'sink';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  readonly schema: LogicalSchema;
  readonly sink: string;
  readonly binding: TopicBinding;
  /** Event time of the output record: a column of the output, or the input record's time. */
  readonly timestamp: { readonly column: number; readonly format: string | null } | null;
  /** Windowed output: keys carry the window (see serde/windowed-key.ts). */
  readonly window: WindowInfo | null;
}

/**
 * Model calls (PREDICT / ML_PREDICT): each call's result is appended to the input columns as one
 * STRUCT column of the model's outputs (null when the row's call failed and the policy keeps it).
 * The operator is asynchronous: one request per batch, never per row.
 */
export interface ModelCallStep {
  readonly type: 'modelCall';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  /** Input columns followed by one column per call. */
  readonly schema: LogicalSchema;
  readonly calls: readonly ModelCallSpec[];
}


/**
 * Keeps the latest row per key of a table source (key → row) so every change carries the row it
 * replaces (`Row.prior`): what aggregations over tables retract.
 */
export interface MaterializeStep {
  readonly type: 'materialize';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  readonly schema: LogicalSchema;
}

/**
 * GROUP BY: outputs [group values..., aggregate results...] per update. Over a table input each
 * change retracts the prior row (undo) and adds the new one. Windowed: one state per window.
 */
export interface AggregateStep {
  readonly type: 'aggregate';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  readonly schema: LogicalSchema;
  readonly groupBy: readonly TypedExpr[];
  readonly aggregates: readonly AggregateCall[];
  readonly window: WindowPlan | null;
  readonly inputIsTable: boolean;
  /** Emit the prior result with each update (`Row.prior`), for a HAVING filter downstream. */
  readonly withPrior: boolean;
  /**
   * HOPPING windows whose state is kept by panes of `paneMs` (./panes.ts): same results, one state
   * update per record instead of one per window. Absent: window by window (and in plans stored
   * before panes existed, whose state is kept that way).
   */
  readonly panes?: { readonly paneMs: number };
}


/** Joins its left input (a source or an earlier join) with a right source. Output: left columns then right columns. */
export interface JoinStep {
  readonly type: 'join';
  readonly v: 1;
  readonly name: string;
  readonly left: Step;
  /** The right source, or that source re-keyed by its join key. */
  readonly right: SourceStep | RepartitionStep;
  readonly schema: LogicalSchema;
  readonly spec: JoinSpec;
}

/**
 * Running aggregates, `AGG(x) OVER (PARTITION BY k [ORDER BY ROWTIME] [ROWS|RANGE frame])`:
 * each row gets, per call, the aggregate over the rows of its partition so far (or within the
 * frame), appended to its columns.
 */
export interface OverAggregateStep {
  readonly type: 'overAggregate';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  readonly schema: LogicalSchema;
  readonly calls: readonly OverCall[];
}


/**
 * Re-keys rows by `key` through an internal topic (`topic`, `partitions` partitions), so that
 * all rows with one key meet in one partition downstream: what GROUP BY, joins and OVER need when
 * their key is not the record key (see ./partitioning.ts). Rows travel whole (columns, prior
 * row, flags) in Riffle's internal row encoding; the key bytes use `keyFormats` (the other join
 * side's key format, so both sides co-partition) or, when null, the internal key encoding.
 * `retract`: the input is a table's changes; a change whose prior row had another key moves as
 * a retraction (to the prior key's partition) and an addition (to the new key's).
 */
export interface RepartitionStep {
  readonly type: 'repartition';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  readonly schema: LogicalSchema;
  readonly key: readonly TypedExpr[];
  readonly keyFormats: SourceFormats | null;
  readonly topic: string;
  readonly partitions: number;
  readonly retract: boolean;
  /**
   * Every row goes to every partition (a foreign-key join's right table, so that each partition
   * of the left table sees all of it); `key` then only names the records.
   */
  readonly broadcast?: boolean;
}

/**
 * Online training (CREATE MODEL ... AS SELECT): each input row is predicted, scored and learned by
 * the model of its key (`key` columns; none = one model); the step outputs metric snapshot rows
 * (`schema`: see ml/learn/train-rows.ts). `options` are the model's WITH options as written.
 */
export interface TrainStep {
  readonly type: 'train';
  readonly v: 1;
  readonly name: string;
  readonly input: Step;
  readonly schema: LogicalSchema;
  readonly model: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** Input column indices of the features, with their names (one-hot names derive from them). */
  readonly features: readonly number[];
  readonly featureNames: readonly string[];
  /** Input column index of the label; null for unlabelled anomaly models. */
  readonly label: number | null;
  readonly key: readonly number[];
  /** Topic of the drift stream (side output). */
  readonly driftTopic: string;
}

export type Step = RepartitionStep | OverAggregateStep | JoinStep | SourceStep | MaterializeStep | FilterStep | FlatMapStep | ModelCallStep | AggregateStep | ProjectStep | TrainStep | SinkStep;

/** A persistent query's plan, as stored in the command log. */
export interface QueryPlan {
  readonly planVersion: 1;
  readonly queryId: string;
  readonly sink: SinkStep;
}

/** All steps of a plan, sources first (depth-first, inputs before consumers). */
export function stepsOf(root: Step): Step[] {
  const out: Step[] = [];
  const visit = (s: Step): void => {
    switch (s.type) {
      case 'source':
        break;
      case 'join':
        visit(s.left);
        visit(s.right);
        break;
      case 'filter':
      case 'flatMap':
      case 'modelCall':
      case 'materialize':
      case 'aggregate':
      case 'overAggregate':
      case 'project':
      case 'repartition':
      case 'train':
      case 'sink':
        visit(s.input);
        break;
    }
    out.push(s);
  };
  visit(root);
  return out;
}
