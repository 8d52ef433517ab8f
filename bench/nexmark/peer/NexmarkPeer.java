import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.WindowedSerdes;

/**
 * The Kafka Streams peer of the Nexmark suite (bench/nexmark): one query per process, the same
 * semantics as the Riffle SQL in bench/nexmark/queries.ts: JSON in, JSON out with ksqlDB's
 * upper-case column names, every update emitted (record cache off), at-least-once, 2 s commit
 * interval, one stream thread, GROUP BY / join key through a 4-partition repartition topic.
 * Windows: 10 s, hopping by 2 s (q5) or tumbling (q7), 24 h grace (ksqlDB's default), windowed
 * keys in Kafka Streams' TimeWindowedSerde format (key bytes + 8-byte window start), as ksqlDB
 * writes them.
 *
 * Protocol with the suite, one line each on stdout, each answered by a line on stdin (so the
 * suite reads /proc/<pid>/stat at exactly that point): START before the application starts;
 * PAUSE / RESUME around the moment the join's table is loaded (the suite then produces the
 * bids); DONE once the expected records went through the last stage and the application closed
 * (its output flushed, its offsets committed). PROGRESS f (not answered): the fraction f of the
 * bids through the last stage crossed another percent (for the steady-state rate).
 *
 *   java -cp ... NexmarkPeer BOOTSTRAP QUERY APP_ID BIDS_TOPIC AUCTIONS_TOPIC OUT_TOPIC BIDS AUCTIONS STATE_DIR
 */
public final class NexmarkPeer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WINDOW_MS = 10_000;
  private static final Duration GRACE = Duration.ofHours(24);
  private static final BigDecimal RATE = new BigDecimal("0.908");

  private static JsonNode parse(byte[] v) {
    try {
      return JSON.readTree(v);
    } catch (IOException e) {
      return null; // a bad record is skipped, as ksqlDB does
    }
  }

  private static byte[] write(ObjectNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 9) {
      System.err.println("usage: NexmarkPeer BOOTSTRAP QUERY APP_ID BIDS_TOPIC AUCTIONS_TOPIC OUT_TOPIC BIDS AUCTIONS STATE_DIR");
      System.exit(2);
    }
    String bootstrap = args[0], query = args[1], appId = args[2], bidsTopic = args[3], auctionsTopic = args[4], out = args[5];
    long expectBids = Long.parseLong(args[6]), expectAuctions = Long.parseLong(args[7]);
    String stateDir = args[8];

    AtomicLong bidsThrough = new AtomicLong();
    AtomicLong auctionsThrough = new AtomicLong();
    StreamsBuilder builder = new StreamsBuilder();
    Serde<byte[]> bytes = Serdes.ByteArray();
    Serde<Long> longs = Serdes.Long();
    KStream<byte[], byte[]> bids = builder.stream(bidsTopic, Consumed.with(bytes, bytes));
    Repartitioned<Long, byte[]> byAuction = Repartitioned.<Long, byte[]>with(longs, bytes).withNumberOfPartitions(4).withName("by-auction");

    switch (query) {
      case "q0" -> bids.peek((k, v) -> bidsThrough.incrementAndGet()).flatMapValues(v -> {
        JsonNode n = parse(v);
        if (n == null) return java.util.List.<byte[]>of();
        ObjectNode o = JSON.createObjectNode();
        o.set("AUCTION", n.get("auction"));
        o.set("BIDDER", n.get("bidder"));
        o.set("PRICE", n.get("price"));
        o.set("CHANNEL", n.get("channel"));
        o.set("URL", n.get("url"));
        o.set("DATETIME", n.get("dateTime"));
        o.set("EXTRA", n.get("extra"));
        return java.util.List.of(write(o));
      }).to(out, Produced.with(bytes, bytes));
      case "q1" -> bids.peek((k, v) -> bidsThrough.incrementAndGet()).flatMapValues(v -> {
        JsonNode n = parse(v);
        if (n == null) return java.util.List.<byte[]>of();
        ObjectNode o = JSON.createObjectNode();
        o.set("AUCTION", n.get("auction"));
        o.set("BIDDER", n.get("bidder"));
        // 0.908 is a DECIMAL literal in ksqlDB: BIGINT * DECIMAL is exact decimal arithmetic.
        o.put("PRICE", BigDecimal.valueOf(n.get("price").asLong()).multiply(RATE));
        o.set("DATETIME", n.get("dateTime"));
        o.set("EXTRA", n.get("extra"));
        return java.util.List.of(write(o));
      }).to(out, Produced.with(bytes, bytes));
      case "q2" -> bids.peek((k, v) -> bidsThrough.incrementAndGet()).flatMapValues(v -> {
        JsonNode n = parse(v);
        if (n == null || n.get("auction").asLong() % 123 != 0) return java.util.List.<byte[]>of();
        ObjectNode o = JSON.createObjectNode();
        o.set("AUCTION", n.get("auction"));
        o.set("PRICE", n.get("price"));
        return java.util.List.of(write(o));
      }).to(out, Produced.with(bytes, bytes));
      case "q5" -> keyByAuction(bids).repartition(byAuction).peek((k, v) -> bidsThrough.incrementAndGet())
          .groupByKey(Grouped.with(longs, bytes))
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(WINDOW_MS), GRACE).advanceBy(Duration.ofSeconds(2)))
          .count(Materialized.with(longs, longs))
          .toStream()
          .mapValues(c -> {
            ObjectNode o = JSON.createObjectNode();
            o.put("NUM", c);
            return write(o);
          })
          .to(out, Produced.with(WindowedSerdes.timeWindowedSerdeFrom(Long.class, WINDOW_MS), bytes));
      case "q7" -> keyByAuction(bids).repartition(byAuction).peek((k, v) -> bidsThrough.incrementAndGet())
          .groupByKey(Grouped.with(longs, bytes))
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(WINDOW_MS), GRACE))
          // The aggregate: MAX(price) and COUNT(*) in 16 bytes.
          .aggregate(() -> ByteBuffer.allocate(16).putLong(0, Long.MIN_VALUE).putLong(8, 0).array(), (k, v, agg) -> {
            JsonNode n = parse(v);
            if (n == null) return agg;
            ByteBuffer a = ByteBuffer.wrap(agg);
            long price = n.get("price").asLong();
            return ByteBuffer.allocate(16).putLong(0, Math.max(a.getLong(0), price)).putLong(8, a.getLong(8) + 1).array();
          }, Materialized.with(longs, bytes))
          .toStream()
          .mapValues(agg -> {
            ByteBuffer a = ByteBuffer.wrap(agg);
            ObjectNode o = JSON.createObjectNode();
            o.put("MAXPRICE", a.getLong(0));
            o.put("NUM", a.getLong(8));
            return write(o);
          })
          .to(out, Produced.with(WindowedSerdes.timeWindowedSerdeFrom(Long.class, WINDOW_MS), bytes));
      case "join" -> {
        // The table keeps what the join reads (seller, category), as a Kafka Streams developer would.
        KTable<Long, byte[]> auctions = builder.stream(auctionsTopic, Consumed.with(longs, bytes))
            .peek((k, v) -> auctionsThrough.incrementAndGet())
            .flatMapValues(v -> {
              JsonNode n = parse(v);
              if (n == null) return java.util.List.<byte[]>of();
              return java.util.List.of(ByteBuffer.allocate(16).putLong(0, n.get("seller").asLong()).putLong(8, n.get("category").asLong()).array());
            })
            .toTable(Materialized.with(longs, bytes));
        keyByAuction(bids).repartition(byAuction).peek((k, v) -> bidsThrough.incrementAndGet())
            .join(auctions, (bid, auction) -> {
              JsonNode n = parse(bid);
              if (n == null) return null;
              ByteBuffer a = ByteBuffer.wrap(auction);
              // The join key (auction) is the output's key, not a value column, as in ksqlDB.
              ObjectNode o = JSON.createObjectNode();
              o.set("BIDDER", n.get("bidder"));
              o.set("PRICE", n.get("price"));
              o.put("SELLER", a.getLong(0));
              o.put("CATEGORY", a.getLong(8));
              return write(o);
            })
            .filter((k, v) -> v != null)
            .to(out, Produced.with(longs, bytes));
      }
      default -> {
        System.err.println("unknown query " + query);
        System.exit(2);
      }
    }

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 2000);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0); // every update emitted
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    KafkaStreams streams = new KafkaStreams(builder.build(), p);
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      System.exit(1);
      return null;
    });
    mark(in, "START");
    streams.start();
    if (query.equals("join")) {
      while (auctionsThrough.get() < expectAuctions) Thread.sleep(5);
      streams.pause();
      mark(in, "PAUSE");
      mark(in, "RESUME");
      streams.resume();
    }
    // Progress marks for the steady-state rate (steady.ts): bids through the last stage, each percent.
    for (int reported = 0; bidsThrough.get() < expectBids; Thread.sleep(5)) {
      int percent = (int) (bidsThrough.get() * 100 / expectBids);
      if (percent > reported) {
        reported = percent;
        System.out.println("@@NEXMARK PROGRESS " + bidsThrough.get() / (double) expectBids);
        System.out.flush();
      }
    }
    streams.close(Duration.ofSeconds(60));
    mark(in, "DONE");
    streams.cleanUp();
  }

  private static KStream<Long, byte[]> keyByAuction(KStream<byte[], byte[]> bids) {
    return bids.flatMap((k, v) -> {
      JsonNode n = parse(v);
      if (n == null) return java.util.List.<KeyValue<Long, byte[]>>of();
      return java.util.List.of(KeyValue.pair(n.get("auction").asLong(), v));
    });
  }

  /** Announces a point of the run and waits until the suite has read this process's counters. */
  private static void mark(BufferedReader in, String what) throws IOException {
    System.out.println("@@NEXMARK " + what);
    System.out.flush();
    if (in.readLine() == null) System.exit(3);
  }
}
