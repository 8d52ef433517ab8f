/**
 * The Nexmark data of the suite, deterministic (record i is the same in every process, so each
 * engine's runner can regenerate it instead of reading a file): bids (~163 B of JSON, the
 * Nexmark Bid schema) and the auctions they bid on (the table of the stream-table join).
 *
 * Event time: bid i happens at BASE_TIME + i / BIDS_PER_SECOND (10,000 bids per event-time
 * second, so 1M bids span 100 s: 10 tumbling and 50 hopping 10 s windows). Half the bids go to
 * 1,000 hot auctions, the rest spread over all AUCTIONS (Nexmark's hot/cold skew, simplified).
 * Auctions all happen before the first bid (the table is complete before the stream starts).
 * Bids carry no key (as Nexmark's); auctions are keyed by id, a BIGINT in the KAFKA format
 * (8 bytes big-endian: ksqlDB's and Kafka Streams' LongSerializer encoding alike).
 */
export const BASE_TIME = 1_700_000_000_000;
export const BIDS_PER_SECOND = 10_000;
export const FIRST_AUCTION = 1000;
export const HOT_AUCTIONS = 1000;
export const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'] as const;
const CATEGORIES = 5;

export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

/** A 32-bit multiplicative hash: consecutive i scatter over ids. */
function mix(i: number, salt: number): number {
  return Math.imul((i + salt) | 0, 0x9e3779b1) >>> 0;
}

export function bidTime(i: number): number {
  return BASE_TIME + Math.floor((i * 1000) / BIDS_PER_SECOND);
}

export function bid(i: number, auctions: number): Bid {
  const hot = (i & 1) === 0;
  const auction = FIRST_AUCTION + (mix(i, 1) % (hot ? Math.min(HOT_AUCTIONS, auctions) : auctions));
  return {
    auction,
    bidder: 1000 + (mix(i, 2) % 50_000),
    price: 100 + (mix(i, 3) % 100_000),
    channel: CHANNELS[i & 3],
    url: `https://www.nexmark.com/${(mix(i, 4) % 46_656).toString(36)}/item.htm?query=1`,
    dateTime: bidTime(i),
    extra: 'x'.repeat(7 + (mix(i, 5) % 8)),
  };
}

export function bidJson(i: number, auctions: number): string {
  return JSON.stringify(bid(i, auctions));
}

export function auctionId(j: number): number {
  return FIRST_AUCTION + j;
}

export function auctionJson(j: number): string {
  const id = auctionId(j);
  return JSON.stringify({
    id,
    itemName: `item-${(mix(j, 6) % 1_000_000).toString(36)}`,
    description: `A fine item, lot ${j}, described at some length for the catalogue`,
    initialBid: 100 + (mix(j, 7) % 1000),
    reserve: 1000 + (mix(j, 8) % 10_000),
    dateTime: BASE_TIME - 60_000 + (j % 60_000),
    expires: BASE_TIME + 3_600_000,
    seller: 1000 + (mix(j, 9) % 10_000),
    category: 10 + (j % CATEGORIES),
    extra: 'y'.repeat(20 + (j % 16)),
  });
}

/** The KAFKA-format BIGINT key (8 bytes, big-endian). */
export function longKey(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

/** Event time of auction j: all before the first bid. */
export function auctionTime(j: number): number {
  return BASE_TIME - 60_000 + (j % 60_000);
}
