/** Writes the generated inputs of the suite to a log (Kafka or embedded), in batches of 5,000. */
import type { Log } from '../../src/log/log.ts';
import { auctionId, auctionJson, auctionTime, bidJson, bidTime, longKey } from './generator.ts';

/** Bid i goes to partition i mod 4 (bids have no key): every partition in event-time order. */
export async function produceBids(log: Log, topic: string, bids: number, auctions: number): Promise<void> {
  const producer = log.producer();
  for (let i = 0; i < bids; i += 5000) {
    const batch = [];
    for (let j = i; j < Math.min(bids, i + 5000); j++) batch.push({ key: null, value: Buffer.from(bidJson(j, auctions)), timestamp: bidTime(j), partition: j & 3 });
    await producer.send(topic, batch);
  }
  await producer.close();
}

export async function produceAuctions(log: Log, topic: string, auctions: number): Promise<void> {
  const producer = log.producer();
  for (let i = 0; i < auctions; i += 5000) {
    const batch = [];
    for (let j = i; j < Math.min(auctions, i + 5000); j++) batch.push({ key: longKey(auctionId(j)), value: Buffer.from(auctionJson(j)), timestamp: auctionTime(j) });
    await producer.send(topic, batch);
  }
  await producer.close();
}

