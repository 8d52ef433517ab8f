/**
 * Where a plan needs a repartition: stateful steps keep their state per input partition, so every
 * row of one GROUP BY key, join key or OVER partition must arrive in the same partition. Rows of
 * a topic are partitioned by their record key (the producer hashes the key bytes: murmur2), so
 * grouping or joining on the record key needs nothing; on anything else the rows first go
 * through an internal topic keyed by the new key (a RepartitionStep, as ksqlDB's
 * `-repartition` topics). With one partition everything meets anyway, and no step is added.
 *
 * A `Partitioning` says how the rows at some point of the plan are partitioned: by which
 * expressions (over the row's columns at that point), into how many partitions, and with which
 * key format the partitioning key was serialised (a join's two sides must agree on the bytes,
 * not only on the value, to land in the same partition).
 */
import { sameTypedExpr, type TypedExpr } from '../types/typed-expr.ts';
import type { SourceFormats, DataSource } from '../analyze/catalog.ts';
import type { Span } from '../sql/ast.ts';
import { stepsOf, type RepartitionStep, type Step } from './steps.ts';

export interface Partitioning {
  /** The partitioning key; empty when unknown (e.g. a stream without key columns). */
  readonly by: readonly TypedExpr[];
  readonly partitions: number;
  /** Key format of the partitioning key's bytes; null: Riffle's internal key encoding. */
  readonly keyFormats: SourceFormats | null;
}

/** What the planner needs to know beyond the analyzed query. */
export interface PlanContext {
  /** Names internal topics: `<serviceId>-<queryId>-<step>-repartition`. */
  readonly serviceId: string;
  readonly queryId: string;
  /** Partition count of a source's topic. */
  partitionsOf(source: DataSource): number;
  /** The statement being planned: where planning errors (partition counts) point. */
  readonly span?: Span;
  /** Whether HOPPING aggregations may keep their state by panes (./panes.ts); default true. */
  readonly hoppingPanes?: boolean;
}

/** Plans without repartitions (EXPLAIN of a statement, tests): every source counts as one partition. */
export const SINGLE_PARTITION: PlanContext = { serviceId: 'riffle', queryId: 'explain', partitionsOf: () => 1 };

/** A source's rows are partitioned by their key columns (ksqlDB's assumption about its topics). */
export function sourcePartitioning(source: DataSource, ctx: PlanContext): Partitioning {
  const by: TypedExpr[] = source.schema.key.map((c, index) => ({ kind: 'Column', index, name: c.name, type: c.type }));
  return { by, partitions: ctx.partitionsOf(source), keyFormats: source.formats };
}

/** True when rows partitioned by `p` are already partitioned by `key` (same expressions, in order). */
export function partitionedBy(p: Partitioning, key: readonly TypedExpr[]): boolean {
  return p.by.length > 0 && p.by.length === key.length && p.by.every((e, i) => sameTypedExpr(e, key[i]));
}

/** Kafka's topic name limits: legal characters only, at most 249. */
export function repartitionTopicName(ctx: PlanContext, stepName: string): string {
  const full = `${ctx.serviceId}-${ctx.queryId}-${stepName}-repartition`.replace(/[^a-zA-Z0-9._-]/g, '_');
  return full.length <= 249 ? full : full.slice(0, 249);
}

/** How a repartition writes its rows (see RepartitionStep). Defaults: internal key encoding, stream rows, keyed. */
export interface RepartitionOptions {
  readonly keyFormats?: SourceFormats | null;
  readonly retract?: boolean;
  readonly broadcast?: boolean;
}

/** `input` re-keyed by `key` through an internal topic of `partitions` partitions. */
export function repartition(ctx: PlanContext, name: string, input: Step, key: readonly TypedExpr[], partitions: number, options: RepartitionOptions = {}): RepartitionStep {
  return {
    type: 'repartition',
    v: 1,
    name,
    input,
    schema: input.schema,
    key,
    keyFormats: options.keyFormats ?? null,
    topic: repartitionTopicName(ctx, name),
    partitions,
    retract: options.retract === true,
    ...(options.broadcast ? { broadcast: true } : {}),
  };
}

/** The repartition steps of a plan, inputs first. */
export function repartitionsOf(root: Step): RepartitionStep[] {
  return stepsOf(root).filter((s): s is RepartitionStep => s.type === 'repartition');
}
