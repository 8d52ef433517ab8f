/**
 * Runs one query: poll a batch from the source topic, decode, push through the operators, encode,
 * write to the sink (or hand to a push-query callback), then commit the input offsets.
 *
 * Delivery (at-least-once): offsets are committed only after the batch's outputs and processing
 * log entries are durable, so after a crash the query resumes at the first uncommitted batch and
 * may repeat its outputs, never skip them.
 */
import type { Consumer, Log, PartitionOffset, Producer } from '../log/log.ts';
import type { Step } from '../plan/steps.ts';
import type { Row } from './expr/row.ts';
import type { Operator } from './operator.ts';
import { buildPipeline, sinkOf } from './build.ts';
import { sourceDecoder, type SourceDecoder } from './source-decoder.ts';
import { sinkEncoder, type SinkEncoder } from './sink-encoder.ts';
import { ProcessingLog } from './processing-log.ts';

export interface QueryTaskOptions {
  readonly queryId: string;
  readonly root: Step;
  readonly log: Log;
  readonly producer: Producer;
  /** Consumer group; null for a transient push query (nothing committed). */
  readonly groupId: string | null;
  readonly fromBeginning: boolean;
  /** Receives the output rows of a push query (a root that is not a sink). */
  readonly onRows?: (rows: Row[]) => void;
  readonly maxBatch?: number;
  readonly processingLog?: ProcessingLog;
}

export type QueryState = 'CREATED' | 'RUNNING' | 'STOPPED' | 'ERROR';

export class QueryTask {
  readonly queryId: string;
  state: QueryState = 'CREATED';
  error: Error | null = null;
  /** Records consumed / rows emitted since start, for SHOW QUERIES and progress. */
  consumed = 0;
  emitted = 0;
  readonly errors: ProcessingLog;

  private readonly consumer: Consumer;
  private readonly decode: SourceDecoder;
  private readonly operators: readonly Operator[];
  private readonly encode: SinkEncoder | null;
  private readonly sinkTopic: string | null;
  private readonly opts: QueryTaskOptions;
  private loop: Promise<void> | null = null;
  private stopping = false;

  constructor(opts: QueryTaskOptions) {
    this.opts = opts;
    this.queryId = opts.queryId;
    this.errors = opts.processingLog ?? new ProcessingLog(opts.producer);
    const ctx = { queryId: opts.queryId, errors: this.errors };
    const pipeline = buildPipeline(opts.root, ctx);
    this.decode = sourceDecoder(pipeline.source, opts.queryId, this.errors);
    this.operators = pipeline.operators;
    const sink = sinkOf(opts.root);
    this.encode = sink ? sinkEncoder(sink, opts.queryId, this.errors) : null;
    this.sinkTopic = sink ? sink.binding.topic : null;
    this.consumer = opts.log.consumer({
      groupId: opts.groupId ?? `riffle-transient-${opts.queryId}-${process.pid}-${Date.now()}`,
      topics: [pipeline.source.binding.topic],
      fromBeginning: opts.fromBeginning,
    });
  }

  /**
   * Processes at most one batch. Returns the number of input records consumed (0 = none were
   * available within `timeoutMs`). Used directly by the test driver to run to quiescence.
   */
  async step(timeoutMs: number): Promise<number> {
    const records = await this.consumer.poll(this.opts.maxBatch ?? 2000, timeoutMs);
    if (records.length === 0) return 0;
    let rows = this.decode(records);
    for (const op of this.operators) {
      const out = op.process(rows);
      rows = out instanceof Promise ? await out : out;
    }
    if (this.encode && this.sinkTopic) {
      const out = this.encode(rows);
      if (out.length) await this.opts.producer.send(this.sinkTopic, out);
    } else if (rows.length) {
      this.opts.onRows?.(rows);
    }
    this.emitted += rows.length;
    this.consumed += records.length;
    await this.errors.flush();
    if (this.opts.groupId) await this.consumer.commit(nextOffsets(records));
    return records.length;
  }

  /** Runs until stop(); a failure moves the query to ERROR with the reason. */
  start(): void {
    if (this.loop) return;
    this.state = 'RUNNING';
    this.loop = (async () => {
      try {
        while (!this.stopping) await this.step(200);
        this.state = 'STOPPED';
      } catch (e) {
        this.state = 'ERROR';
        this.error = e as Error;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    for (const op of this.operators) await op.close?.();
    await this.consumer.close();
    if (this.state !== 'ERROR') this.state = 'STOPPED';
  }
}

/** The next offset to read for each partition in the batch (last offset + 1). */
function nextOffsets(records: readonly { topic: string; partition: number; offset: number }[]): PartitionOffset[] {
  const next = new Map<string, PartitionOffset>();
  for (const r of records) {
    const k = `${r.topic}\u0000${r.partition}`;
    const cur = next.get(k);
    if (!cur || cur.offset <= r.offset) next.set(k, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
  }
  return [...next.values()];
}
