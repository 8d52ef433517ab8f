/**
 * The queries of the Nexmark suite: Riffle's SQL for each, and how its output is compared. The
 * Kafka Streams peer (peer/NexmarkPeer.java) implements the same semantics by hand, the Flink
 * peer (peer-flink/NexmarkFlinkPeer.java) in Flink SQL with final windows; the suite checks that
 * all wrote the same thing (summary.ts).
 *
 * Inputs: `bids` (no key, JSON) and, for the join, `auctions` (keyed by id, BIGINT in the KAFKA
 * format, JSON). Windows use the record timestamp (= the bid's dateTime) and ksqlDB's default
 * grace (24 h): nothing is late, so every bid counts in every engine whatever the order of
 * partitions. Every update is emitted (EMIT CHANGES, no record cache).
 */
export type QueryName = 'q0' | 'q1' | 'q2' | 'q5' | 'q7' | 'join';
export const QUERY_NAMES: readonly QueryName[] = ['q0', 'q1', 'q2', 'q5', 'q7', 'join'];

/** stream: compare as a multiset of values; windowed: final value per (key, window start) and the count of updates. */
export type OutputShape = 'stream' | 'windowed';

export interface QuerySpec {
  readonly name: QueryName;
  readonly description: string;
  readonly shape: OutputShape;
  /** Reads the auctions table first (the suite produces the bids once it is loaded). */
  readonly usesAuctions: boolean;
  /** The persistent query (CSAS/CTAS) over `bids` / `auctions` writing to `out`. */
  readonly sql: string;
}

const SPECS: Record<QueryName, QuerySpec> = {
  q0: { name: 'q0', description: 'pass-through', shape: 'stream', usesAuctions: false, sql: 'CREATE STREAM out AS SELECT * FROM bids;' },
  q1: {
    name: 'q1',
    description: 'price * 0.908',
    shape: 'stream',
    usesAuctions: false,
    sql: 'CREATE STREAM out AS SELECT auction, bidder, price * 0.908 AS price, dateTime, extra FROM bids;',
  },
  q2: { name: 'q2', description: 'auction % 123 = 0', shape: 'stream', usesAuctions: false, sql: 'CREATE STREAM out AS SELECT auction, price FROM bids WHERE auction % 123 = 0;' },
  q5: {
    name: 'q5',
    description: 'HOPPING 10 s/2 s COUNT per auction',
    shape: 'windowed',
    usesAuctions: false,
    sql: 'CREATE TABLE out AS SELECT auction, COUNT(*) AS num FROM bids WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS) GROUP BY auction EMIT CHANGES;',
  },
  q7: {
    name: 'q7',
    description: 'TUMBLING 10 s MAX(price)+COUNT per auction',
    shape: 'windowed',
    usesAuctions: false,
    sql: 'CREATE TABLE out AS SELECT auction, MAX(price) AS maxprice, COUNT(*) AS num FROM bids WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY auction EMIT CHANGES;',
  },
  join: {
    name: 'join',
    description: 'bids JOIN auctions table',
    shape: 'stream',
    usesAuctions: true,
    sql: `CREATE STREAM out AS SELECT b.auction AS auction, b.bidder AS bidder, b.price AS price, a.seller AS seller, a.category AS category
      FROM bids b JOIN auctions a ON b.auction = a.id;`,
  },
};

export function querySpec(name: string): QuerySpec {
  const spec = SPECS[name as QueryName];
  if (!spec) throw new Error(`unknown Nexmark query '${name}' (known: ${QUERY_NAMES.join(', ')})`);
  return spec;
}

/** The DDL of the inputs, on the given topics (existing topics: their partition counts are kept). */
export function sourcesSql(bidsTopic: string, auctionsTopic: string): string {
  return `CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime BIGINT, extra STRING)
      WITH (KAFKA_TOPIC='${bidsTopic}', VALUE_FORMAT='JSON');
    CREATE TABLE auctions (id BIGINT PRIMARY KEY, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT,
      dateTime BIGINT, expires BIGINT, seller BIGINT, category BIGINT, extra STRING)
      WITH (KAFKA_TOPIC='${auctionsTopic}', VALUE_FORMAT='JSON');`;
}

/** The query's SQL writing to `outTopic` (4 partitions). */
export function querySql(spec: QuerySpec, outTopic: string): string {
  return spec.sql.replace(/^CREATE (STREAM|TABLE) out AS/, `CREATE $1 out WITH (KAFKA_TOPIC='${outTopic}', PARTITIONS=4, VALUE_FORMAT='JSON') AS`);
}
