/**
 * The processing log: where bad records go instead of stopping a query. Entries are JSON records
 * on a topic users can PRINT (`RIFFLE_PROCESSING_LOG`), with the reason and where the record
 * came from. Entries are buffered and flushed with the batch that produced them.
 */
import type { Log, Producer } from '../log/log.ts';

export const PROCESSING_LOG_TOPIC = 'RIFFLE_PROCESSING_LOG';

export type ProcessingErrorType =
  | 'DESERIALIZATION_ERROR'
  | 'EXPRESSION_ERROR'
  | 'SERIALIZATION_ERROR'
  | 'PRODUCTION_ERROR'
  | 'MODEL_ERROR'
  | 'LATE_RECORD_DROPPED'
  /** A failure that stopped the query (state ERROR): the reason, so it is never silent. */
  | 'QUERY_ERROR';

export interface ProcessingLogEntry {
  readonly level: 'ERROR' | 'WARN';
  readonly type: ProcessingErrorType;
  readonly queryId: string;
  /** The step (`Source/TEST`, `Project`) that met the error. */
  readonly step: string;
  readonly reason: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  /** The raw record, base64, for deserialization errors. */
  readonly recordBase64?: string | null;
  readonly time: number;
}

export class ProcessingLog {
  private pending: ProcessingLogEntry[] = [];
  private total = 0;
  private readonly producer: Producer | null;
  /** Called for every entry (tests, the CLI's live error count). */
  onEntry: ((e: ProcessingLogEntry) => void) | null = null;

  constructor(producer: Producer | null) {
    this.producer = producer;
  }

  report(entry: Omit<ProcessingLogEntry, 'time' | 'level'> & { level?: 'ERROR' | 'WARN' }): void {
    const full: ProcessingLogEntry = { level: 'ERROR', ...entry, time: Date.now() };
    this.pending.push(full);
    this.total++;
    this.onEntry?.(full);
  }

  get count(): number {
    return this.total;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    if (!this.producer) return;
    await this.producer.send(
      PROCESSING_LOG_TOPIC,
      entries.map((e) => ({ key: null, value: Buffer.from(JSON.stringify(e)), timestamp: e.time })),
    );
  }

  static async ensureTopic(log: Log): Promise<void> {
    await log.ensureTopic(PROCESSING_LOG_TOPIC, { partitions: 1 });
  }
}
