/**
 * Producer of the embedded log. `send` is synchronous underneath (one write per partition per
 * call, see EmbeddedLog.append); the promise resolves once the bytes are in the file.
 *
 * Records with neither a key nor an explicit partition are sticky per call: all of them go to
 * one partition, which moves round-robin from call to call (Kafka's sticky partitioner spirit:
 * fewer, larger batches).
 */
import type { IdempotentProducer, IdempotentSendOptions, Producer, ProducerRecord, SendResult } from '../log.ts';

export interface ProducerHost {
  append(topic: string, records: readonly ProducerRecord[], sticky: number, producer?: number, skip?: readonly number[]): SendResult[];
}

/** What an idempotent producer needs from the log besides appending. */
export interface IdempotentHost extends ProducerHost {
  countSince(topic: string, from: readonly number[], producer: number): number[];
}

export class EmbeddedProducer implements Producer {
  private readonly host: ProducerHost;
  private sticky = Math.floor(Math.random() * 0x7fffffff);
  private closed = false;

  constructor(host: ProducerHost) {
    this.host = host;
  }

  async send(topic: string, records: readonly ProducerRecord[]): Promise<SendResult[]> {
    if (this.closed) throw new Error('Producer is closed');
    const sticky = this.sticky;
    this.sticky = (sticky + 1) & 0x7fffffff;
    return this.host.append(topic, records, sticky);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/**
 * A named producer (EmbeddedLog.idempotentProducer): its frames carry the number of its name, so
 * after a crash it can count what it had written (countSince) and not write it again (`skip`).
 */
export class EmbeddedIdempotentProducer implements IdempotentProducer {
  readonly name: string;
  private readonly host: IdempotentHost;
  private readonly number: number;

  constructor(host: IdempotentHost, name: string, number: number) {
    this.host = host;
    this.name = name;
    this.number = number;
  }

  async send(topic: string, records: readonly ProducerRecord[], options: IdempotentSendOptions): Promise<SendResult[]> {
    return this.host.append(topic, records, options.sticky & 0x7fffffff, this.number, options.skip);
  }

  async countSince(topic: string, from: readonly number[]): Promise<number[]> {
    return this.host.countSince(topic, from, this.number);
  }
}
