/**
 * Numbers of the embedded log's idempotent producers: a producer's name (e.g. a query's id) maps
 * to the number written into the header of every frame it appends (./format.ts), kept in
 * `<dir>/producers.json` (replaced atomically), so the same name gets the same number after a
 * restart. Number 0 is the anonymous producer; numbers are never reused (a u16: 65,535 names).
 *
 * File: `{"version":1,"producers":{"<name>":<number>}}`.
 */
import fs from 'node:fs';
import { readJsonFile, writeFileAtomic } from './fsutil.ts';

const MAX_PRODUCER = 0xffff;

export class ProducerNumbers {
  private readonly file: string;
  private readonly fsync: boolean;
  private readonly numbers = new Map<string, number>();
  private last = 0;

  constructor(file: string, fsync: boolean) {
    this.file = file;
    this.fsync = fsync;
    if (!fs.existsSync(file)) return;
    const data = readJsonFile(file) as { version?: number; producers?: Record<string, number> };
    if (data.version !== 1 || typeof data.producers !== 'object' || data.producers === null) throw new Error(`${file}: not a producer number file`);
    for (const [name, n] of Object.entries(data.producers)) {
      if (!Number.isInteger(n) || n < 1 || n > MAX_PRODUCER) throw new Error(`${file}: bad number ${n} for producer '${name}'`);
      this.numbers.set(name, n);
      if (n > this.last) this.last = n;
    }
  }

  /** The number of `name`, assigned (and persisted before it is used) on first use. */
  numberOf(name: string): number {
    const known = this.numbers.get(name);
    if (known !== undefined) return known;
    if (this.last >= MAX_PRODUCER) throw new Error(`The embedded log has no idempotent producer numbers left (${MAX_PRODUCER} used)`);
    const n = this.last + 1;
    const producers: Record<string, number> = Object.fromEntries(this.numbers);
    producers[name] = n;
    writeFileAtomic(this.file, JSON.stringify({ version: 1, producers }), this.fsync);
    this.numbers.set(name, n);
    this.last = n;
    return n;
  }
}
