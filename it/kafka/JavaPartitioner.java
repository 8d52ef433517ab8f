// Ground truth for the partitioner test: Java's default partitioner for keyed records
// (BuiltInPartitioner.partitionForKey = toPositive(murmur2(key)) % partitions), from the Kafka
// clients jar the test broker runs on. Usage: java -cp "<kafka lib>/*" JavaPartitioner.java
// <n1,n2,...> <hex key or ->... ; prints "<murmur2> <partition among n1> <among n2>..." per key.
import java.util.HexFormat;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

public class JavaPartitioner {
  public static void main(String[] args) {
    String[] counts = args[0].split(",");
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < args.length; i++) {
      byte[] key = HexFormat.of().parseHex(args[i].equals("-") ? "" : args[i]);
      out.append(Utils.murmur2(key));
      for (String n : counts) out.append(' ').append(BuiltInPartitioner.partitionForKey(key, Integer.parseInt(n)));
      out.append('\n');
    }
    System.out.print(out);
  }
}
