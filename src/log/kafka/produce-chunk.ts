/**
 * The records of one produce request, as @platformatic/kafka's send takes them: one message per
 * record (the library's encoder, compressed batches) or one record run per partition (Riffle's
 * encoder: ./record-runs.ts).
 */
import type { MessageToProduce } from '@platformatic/kafka';
import type { BatchRecord } from './record-runs.ts';
import { recordRun } from './record-runs.ts';

type Message = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

export class Chunk {
  readonly #topic: string;
  readonly #runs: boolean;
  /** Index in the send's records of the chunk's first record. */
  start = 0;
  bytes = 0;
  /** Partition of each record, in input order. */
  partitionOf: number[] = [];
  #perRecord: Message[] = [];
  #perPartition = new Map<number, BatchRecord[]>();

  constructor(topic: string, runs: boolean) {
    this.#topic = topic;
    this.#runs = runs;
  }

  get count(): number {
    return this.partitionOf.length;
  }

  /** A record as the library's message (one message per record). */
  addMessage(message: Message, size: number): void {
    this.partitionOf.push(message.partition as number);
    this.bytes += size;
    this.#perRecord.push(message);
  }

  /** A record as it is, into its partition's run. */
  addRecord(record: BatchRecord, partition: number, size: number): void {
    this.partitionOf.push(partition);
    this.bytes += size;
    const list = this.#perPartition.get(partition);
    if (list) list.push(record);
    else this.#perPartition.set(partition, [record]);
  }

  messages(): Message[] {
    if (!this.#runs) return this.#perRecord;
    const out: Message[] = [];
    for (const [partition, list] of this.#perPartition) out.push({ topic: this.#topic, partition, value: recordRun(list) as unknown as Buffer });
    return out;
  }

  reset(start: number): void {
    this.start = start;
    this.bytes = 0;
    this.partitionOf = [];
    this.#perRecord = [];
    this.#perPartition = new Map();
  }
}

