// Readiness probe for start.sh, run with `java -cp "<lib>/*" Ready.java <bootstrap> <timeoutMs>`
// (single-file source launch, no build). Succeeds once the broker answers a metadata call, then
// asks for a group coordinator so that __consumer_offsets exists before the first test needs it
// (creating it later costs the first consumer group a few seconds).
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

public class Ready {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    long deadline = System.currentTimeMillis() + Long.parseLong(args[1]);
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    Exception last = null;
    try (Admin admin = Admin.create(p)) {
      while (System.currentTimeMillis() < deadline) {
        try {
          int nodes = admin.describeCluster().nodes().get().size();
          admin.listConsumerGroupOffsets("riffle-ready-probe").partitionsToOffsetAndMetadata().get();
          System.out.println("ready: " + nodes + " broker(s)");
          return;
        } catch (Exception e) {
          last = e;
          Thread.sleep(250);
        }
      }
    }
    System.err.println("broker at " + bootstrap + " not ready: " + last);
    System.exit(1);
  }
}
