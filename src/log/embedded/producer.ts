/**
 * Producer of the embedded log. `send` is synchronous underneath (one write per partition per
 * call, see EmbeddedLog.append); the promise resolves once the bytes are in the file.
 *
 * Records with neither a key nor an explicit partition are sticky per call: all of them go to
 * one partition, which moves round-robin from call to call (Kafka's sticky partitioner spirit:
 * fewer, larger batches).
 */
import type { Producer, ProducerRecord, SendResult } from '../log.ts';

export interface ProducerHost {
  append(topic: string, records: readonly ProducerRecord[], sticky: number): SendResult[];
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
