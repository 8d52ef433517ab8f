/**
 * Exports a stream's rows (the output of the query that fills it) as training-data files: a
 * consumer of the stream's topic with a group of its own, decoding records with the stream's
 * formats, writing them through ml/training-data's TrainingDataWriter.
 *
 * Exactly once per offset: the group's committed offset of a partition is the first offset of
 * that partition still in the open (unwritten) file, or the next offset after the last one read
 * when none is pending. So after a crash (kill -9 included) the records of the unfinished file are
 * read again and each offset ends up in exactly one committed file.
 */
import type { EngineContext } from './context.ts';
import type { Consumer } from '../log/log.ts';
import { sourceStep } from '../plan/planner.ts';
import { sourceDecoder } from '../exec/source-decoder.ts';
import { allColumns } from '../types/schema.ts';
import { TrainingDataWriter, type TrainingDataManifest } from '../ml/training-data/writer.ts';
import type { FileFormat } from '../ml/training-data/format.ts';

export interface TrainingDataExportOptions {
  /** Stream whose rows are exported. */
  readonly source: string;
  readonly dir: string;
  readonly format: FileFormat;
  readonly rollRows: number;
  readonly rollIntervalMs: number;
  /** Consumer group (default `_riffle_training_<source>`); also the file prefix's default. */
  readonly groupId?: string;
  readonly prefix?: string;
}

export class TrainingDataExport {
  readonly writer: TrainingDataWriter;
  readonly source: string;
  private readonly consumer: Consumer;
  private readonly decode: ReturnType<typeof sourceDecoder>;
  private readonly topic: string;
  private stopped = false;
  private loop: Promise<void> | null = null;
  /** Per partition: next offset after the last record read. */
  private readonly readUpTo = new Map<number, number>();
  /** Per partition: first offset in the open file. */
  private pendingFrom = new Map<number, number>();
  readonly manifests: TrainingDataManifest[] = [];
  lastError: string | null = null;
  /** step, tick and flush run one at a time (the loop and a caller may both ask). */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(engine: EngineContext, opts: TrainingDataExportOptions, writer: TrainingDataWriter) {
    const source = engine.catalog.getSource(opts.source);
    if (!source) throw new Error(`training data: unknown stream ${opts.source}`);
    this.source = source.name;
    this.topic = source.topic;
    this.writer = writer;
    const step = sourceStep(source);
    this.decode = sourceDecoder(step, `training-data-${source.name}`, engine.processingLog);
    this.consumer = engine.log.consumer({ groupId: opts.groupId ?? `_riffle_training_${source.name}`, topics: [source.topic], fromBeginning: true });
    writer.onManifest((m) => this.manifests.push(m));
  }

  static async start(engine: EngineContext, opts: TrainingDataExportOptions): Promise<TrainingDataExport> {
    const source = engine.catalog.getSource(opts.source);
    if (!source) throw new Error(`training data: unknown stream ${opts.source}`);
    if (source.type !== 'STREAM') throw new Error(`training data: ${opts.source} is a table; training data is exported from streams`);
    const columns = allColumns(source.schema).map((c) => ({ name: c.name, type: c.type }));
    const writer = await TrainingDataWriter.open({
      dir: opts.dir,
      prefix: opts.prefix ?? source.name.toLowerCase(),
      format: opts.format,
      columns,
      rollRows: opts.rollRows,
      rollIntervalMs: opts.rollIntervalMs,
    });
    const exp = new TrainingDataExport(engine, opts, writer);
    exp.loop = exp.run();
    return exp;
  }

  /** Reads and writes one poll's worth; returns the number of records read. */
  step(timeoutMs = 200): Promise<number> {
    return this.exclusive(() => this.stepNow(timeoutMs));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async stepNow(timeoutMs: number): Promise<number> {
    const records = await this.consumer.poll(2000, timeoutMs);
    const rows = records.length > 0 ? this.decode(records) : [];
    for (const r of records) this.readUpTo.set(r.partition, r.offset + 1);
    const before = this.manifests.length;
    const input = rows.map((row) => ({ cols: row.cols, origin: { topic: this.topic, partition: row.partition, offset: row.offset, ts: row.ts } }));
    // Rows of the open file, per partition, to know how far it is safe to commit.
    for (const x of input) if (!this.pendingFrom.has(x.origin.partition)) this.pendingFrom.set(x.origin.partition, x.origin.offset);
    await this.writer.append(input);
    if (this.manifests.length > before) this.pendingFrom = this.pendingAfterRoll(input);
    await this.commit();
    return records.length;
  }

  /** After a roll, only rows appended after the last roll are pending: the last `pendingRows` inputs. */
  private pendingAfterRoll(input: readonly { origin: { partition: number; offset: number } }[]): Map<number, number> {
    const pending = new Map<number, number>();
    const n = this.writer.pendingRows;
    for (let i = input.length - n; i < input.length; i++) {
      const o = input[i]!.origin;
      if (!pending.has(o.partition)) pending.set(o.partition, o.offset);
    }
    return pending;
  }

  private async commit(): Promise<void> {
    const offsets = [...this.readUpTo].map(([partition, next]) => ({ topic: this.topic, partition, offset: this.pendingFrom.get(partition) ?? next }));
    if (offsets.length > 0) await this.consumer.commit(offsets);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
        await this.exclusive(async () => {
          if (await this.writer.tick()) {
            this.pendingFrom = new Map();
            await this.commit();
          }
        });
        this.lastError = null;
      } catch (e) {
        // Disk full, a log hiccup: reported, retried after a pause; nothing was committed past it.
        this.lastError = e instanceof Error ? e.message : String(e);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Stops reading; the open file stays unwritten (its rows are read again next time). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.consumer.close();
  }

  /** Writes the open file now (e.g. before a pipeline run is triggered by hand). */
  flush(): Promise<TrainingDataManifest | null> {
    return this.exclusive(async () => {
      const m = await this.writer.flush();
      if (m) {
        this.pendingFrom = new Map();
        await this.commit();
      }
      return m;
    });
  }
}
