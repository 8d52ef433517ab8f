import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The Flink SQL peer of the Nexmark suite (bench/nexmark): one query per process, in Flink's own
 * form (windowing table-valued functions, an event-time temporal join), run by a local
 * MiniCluster in this JVM with parallelism 1 (the suite pins the process to one core).
 *
 * Inputs: the suite's topics, read by Flink's Kafka connector from the earliest offset up to the
 * end offsets found when the job starts ('scan.bounded.mode' = 'latest-offset': the suite has
 * written every input before it starts this process), JSON values. Event time = the bid's
 * dateTime, watermark = event time - 4 s (Nexmark's), per Kafka partition (every partition is in
 * event-time order, so no bid is late and every bid counts, as with the other engines' 24 h
 * grace). When the inputs end, the final watermark closes every window, the sink flushes and the
 * job finishes: that is DONE.
 *
 * Semantics, differing from Riffle and Kafka Streams on purpose (this is what Flink SQL runs
 * natively): a window is emitted once, when the watermark passes its end (the final value),
 * not on every update. Windowed outputs: key = the auction (8-byte big-endian BIGINT, 'raw'),
 * value = JSON with window_start / window_end (UTC 'yyyy-MM-dd HH:mm:ss') and the aggregates;
 * summary.ts moves window_start into the (key, window) identity that ksqlDB's windowed key holds.
 * The join is an event-time temporal join against the auctions as a versioned (upsert-kafka)
 * table: the same rows as ksqlDB's stream-table join here, since every auction precedes every bid.
 *
 * With a tenth argument 'updates' (engine flink-updates of the suite), q5 and q7 emit every
 * update instead, as Riffle and Kafka Streams do: Flink's regular (updating) aggregation over the
 * window TVF's rows, written by the upsert-kafka sink keyed by (auction, window_start) in JSON.
 *
 * Delivery: at-least-once checkpoints every 2 s (the other engines commit every 2 s) into
 * STATE_DIR (filesystem checkpoint storage), the heap state backend (Flink's default) unless
 * RIFFLE_NEXMARK_FLINK_STATE=rocksdb; the Kafka sink at-least-once (flushed on every checkpoint
 * and at the end).
 *
 * Protocol with the suite (as NexmarkPeer.java): '@@NEXMARK START' before the job is submitted
 * (the tables are declared before it, as Kafka Streams' topology is built before its START),
 * '@@NEXMARK DONE' once the job has finished, each answered by a line on stdin;
 * '@@NEXMARK PROGRESS f' (not answered) each time the fraction f of the input bids out of the
 * bids source crosses another percent, read from Flink's own numRecordsOut counter through the
 * in-JVM metric reporter below (see bidsThrough).
 *
 *   java -cp ... NexmarkFlinkPeer BOOTSTRAP QUERY APP_ID BIDS_TOPIC AUCTIONS_TOPIC OUT_TOPIC BIDS AUCTIONS STATE_DIR [updates]
 */
public final class NexmarkFlinkPeer {
  public static void main(String[] args) throws Exception {
    if (args.length != 9 && !(args.length == 10 && args[9].equals("updates"))) {
      System.err.println("usage: NexmarkFlinkPeer BOOTSTRAP QUERY APP_ID BIDS_TOPIC AUCTIONS_TOPIC OUT_TOPIC BIDS AUCTIONS STATE_DIR [updates]");
      System.exit(2);
    }
    String bootstrap = args[0], query = args[1], appId = args[2], bidsTopic = args[3], auctionsTopic = args[4], out = args[5];
    long expectBids = Long.parseLong(args[6]); // AUCTIONS (args[7]) is not needed: the job ends with its bounded sources
    String stateDir = args[8];

    Map<String, String> c = new HashMap<>();
    c.put("parallelism.default", "1");
    c.put("execution.runtime-mode", "STREAMING");
    c.put("execution.checkpointing.interval", "2 s");
    c.put("execution.checkpointing.mode", "AT_LEAST_ONCE");
    c.put("execution.checkpointing.dir", "file://" + stateDir + "/checkpoints");
    // The MiniCluster's working files (and RocksDB's, with rocksdb) in the run's directory, which the suite removes.
    c.put("io.tmp.dirs", stateDir + "/tmp");
    c.put("state.backend.type", "rocksdb".equals(System.getenv("RIFFLE_NEXMARK_FLINK_STATE")) ? "rocksdb" : "hashmap");
    c.put("table.local-time-zone", "UTC");
    c.put("pipeline.name", appId);
    c.put("metrics.reporter.nexmark.factory.class", Reporter.class.getName());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, Configuration.fromMap(c));
    StreamTableEnvironment sql = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());

    String kafka = "'properties.bootstrap.servers' = '" + bootstrap + "', 'properties.group.id' = '" + appId + "'";
    sql.executeSql("CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, `dateTime` BIGINT, extra STRING,"
        + " ts AS TO_TIMESTAMP_LTZ(`dateTime`, 3), WATERMARK FOR ts AS ts - INTERVAL '4' SECOND)"
        + " WITH ('connector' = 'kafka', 'topic' = '" + bidsTopic + "', " + kafka + ","
        + " 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',"
        + " 'format' = 'json', 'json.ignore-parse-errors' = 'true')");
    sql.executeSql("CREATE TABLE auctions (id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT, `dateTime` BIGINT,"
        + " expires BIGINT, seller BIGINT, category BIGINT, extra STRING,"
        + " ts AS TO_TIMESTAMP_LTZ(`dateTime`, 3), WATERMARK FOR ts AS ts - INTERVAL '4' SECOND, PRIMARY KEY (id) NOT ENFORCED)"
        + " WITH ('connector' = 'upsert-kafka', 'topic' = '" + auctionsTopic + "', " + kafka + ","
        + " 'scan.bounded.mode' = 'latest-offset', 'key.format' = 'raw', 'value.format' = 'json', 'value.json.ignore-parse-errors' = 'true')");
    String sink = "'connector' = 'kafka', 'topic' = '" + out + "', 'properties.bootstrap.servers' = '" + bootstrap + "',"
        + " 'sink.delivery-guarantee' = 'at-least-once', 'value.format' = 'json'";
    String keyed = sink + ", 'key.format' = 'raw', 'key.fields' = 'auction', 'value.fields-include' = 'EXCEPT_KEY'";
    String select = switch (query) {
      case "q0" -> "CREATE TABLE nexmark_out WITH (" + sink + ") AS SELECT auction, bidder, price, channel, url, `dateTime`, extra FROM bids";
      case "q1" -> "CREATE TABLE nexmark_out WITH (" + sink + ") AS SELECT auction, bidder, price * 0.908 AS price, `dateTime`, extra FROM bids";
      case "q2" -> "CREATE TABLE nexmark_out WITH (" + sink + ") AS SELECT auction, price FROM bids WHERE MOD(auction, 123) = 0";
      case "q5" -> "CREATE TABLE nexmark_out WITH (" + keyed + ") AS SELECT auction, window_start, window_end, COUNT(*) AS num"
          + " FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND))"
          + " GROUP BY auction, window_start, window_end";
      case "q7" -> "CREATE TABLE nexmark_out WITH (" + keyed + ") AS SELECT auction, window_start, window_end, MAX(price) AS maxprice, COUNT(*) AS num"
          + " FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))"
          + " GROUP BY auction, window_start, window_end";
      case "join" -> "CREATE TABLE nexmark_out WITH (" + keyed + ") AS SELECT b.auction AS auction, b.bidder AS bidder, b.price AS price,"
          + " a.seller AS seller, a.category AS category"
          + " FROM bids AS b JOIN auctions FOR SYSTEM_TIME AS OF b.ts AS a ON b.auction = a.id";
      default -> {
        System.err.println("unknown query " + query);
        System.exit(2);
        yield "";
      }
    };
    String insert = select;
    if (args.length == 10 && (query.equals("q5") || query.equals("q7"))) {
      // 'updates': every update of a window emitted, as Riffle and Kafka Streams do. Grouping by
      // window_start alone (not window_end) makes it Flink's regular, updating aggregation over
      // the window TVF's rows instead of a window aggregation; the upsert-kafka sink writes each
      // new value (UPDATE_AFTER) under the key (auction, window_start), JSON.
      boolean hop = query.equals("q5");
      String tvf = hop ? "HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND)" : "TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)";
      sql.executeSql("CREATE TABLE nexmark_out (auction BIGINT, window_start TIMESTAMP(3), " + (hop ? "num BIGINT" : "maxprice BIGINT, num BIGINT")
          + ", PRIMARY KEY (auction, window_start) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = '" + out + "',"
          + " 'properties.bootstrap.servers' = '" + bootstrap + "', 'sink.delivery-guarantee' = 'at-least-once',"
          + " 'key.format' = 'json', 'value.format' = 'json', 'value.fields-include' = 'EXCEPT_KEY')");
      insert = "INSERT INTO nexmark_out SELECT auction, window_start, " + (hop ? "COUNT(*) AS num" : "MAX(price) AS maxprice, COUNT(*) AS num")
          + " FROM TABLE(" + tvf + ") GROUP BY auction, window_start";
    }
    if (System.getenv("RIFFLE_NEXMARK_FLINK_EXPLAIN") != null) System.err.println(sql.explainSql(insert.replaceFirst("^CREATE TABLE nexmark_out WITH \\(.*\\) AS SELECT", "SELECT")));

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    mark(in, "START");
    TableResult result = sql.executeSql(insert);
    Thread progress = new Thread(() -> reportProgress(expectBids), "nexmark-progress");
    progress.setDaemon(true);
    progress.start();
    if (System.getenv("RIFFLE_NEXMARK_FLINK_TRACE") != null) {
      // Diagnostics: the counters of every task and the process CPU time, every 500 ms, on stderr.
      Thread trace = new Thread(() -> {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        try {
          for (;; Thread.sleep(500)) {
            StringBuilder b = new StringBuilder("trace cpu=" + os.getProcessCpuTime() / 10_000_000 / 100.0);
            Reporter.COUNTERS.forEach((k, v) -> { if (k.startsWith("task|")) b.append(" | ").append(k, 5, Math.min(k.length(), 45)).append(k.endsWith("In") ? " in=" : " out=").append(v.getCount()); });
            System.err.println(b);
          }
        } catch (InterruptedException done) {
          // the job finished
        }
      }, "nexmark-trace");
      trace.setDaemon(true);
      trace.start();
    }
    result.await();
    progress.interrupt();
    mark(in, "DONE");
    if (System.getenv("RIFFLE_NEXMARK_FLINK_METRICS") != null) Reporter.COUNTERS.forEach((k, v) -> System.err.println(k + " = " + v.getCount()));
    System.exit(0);
  }

  /**
   * Bids out of the bids source (Flink's numRecordsOut of the 'Source: bids' operator). The
   * source is chained with what follows it up to the first exchange (for q0-q2 the whole query;
   * for q5 and q7 the local, pre-shuffle window aggregation Flink plans); the buffers of the
   * exchange after it are bounded, so in steady state the later stages move at the same pace.
   */
  private static long bidsThrough() {
    long n = 0;
    for (Map.Entry<String, Counter> e : Reporter.COUNTERS.entrySet()) {
      // operator|TASK|OPERATOR|name: the operator itself, not every operator of the source's task.
      String[] k = e.getKey().split("\\|");
      if (k.length == 4 && k[0].equals("operator") && k[2].startsWith("Source: bids") && k[3].equals("numRecordsOut")) n += e.getValue().getCount();
    }
    return n;
  }

  private static void reportProgress(long bids) {
    int reported = 0;
    try {
      while (reported < 100) {
        Thread.sleep(10);
        int percent = (int) Math.min(100, bidsThrough() * 100 / bids);
        if (percent > reported) {
          reported = percent;
          System.out.println("@@NEXMARK PROGRESS " + (bidsThrough() / (double) bids));
          System.out.flush();
        }
      }
    } catch (InterruptedException done) {
      // the job finished
    }
  }

  /** Announces a point of the run and waits until the suite has read this process's counters. */
  private static synchronized void mark(BufferedReader in, String what) throws IOException {
    System.out.println("@@NEXMARK " + what);
    System.out.flush();
    if (in.readLine() == null) System.exit(3);
  }

  /**
   * Keeps Flink's record counters where the progress thread reads them: 'task|TASK|name' for a
   * task's own, 'operator|TASK|OPERATOR|name' for an operator's. Registered by class name in the
   * configuration (metrics.reporter.nexmark.factory.class) and found through
   * META-INF/services (written by build.sh).
   */
  public static final class Reporter implements MetricReporterFactory, MetricReporter {
    static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new Reporter();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
      if (!(metric instanceof Counter counter) || !(name.equals("numRecordsIn") || name.equals("numRecordsOut"))) return;
      Map<String, String> v = group.getAllVariables();
      String task = v.get("<task_name>"), operator = v.get("<operator_name>");
      if (task == null) return;
      COUNTERS.put(operator == null ? "task|" + task + "|" + name : "operator|" + task + "|" + operator + "|" + name, counter);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}
  }
}
