#!/usr/bin/env bash
# Starts a single-node Apache Kafka broker (KRaft: broker + controller in one JVM) on 127.0.0.1.
#
#   scripts/kafka/start.sh [--port P] [--controller-port C] [--sasl-port S] [--dir D] [--keep] [--heap 512m]
#
# P defaults to 9092 and C to P+1. With --sasl-port, a SASL_PLAINTEXT listener on S accepts
# PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for user `riffle`, password `riffle-secret` (test only). D (default /tmp/riffle-kafka-P) holds server.properties,
# log4j2.properties, broker.pid, broker.log and the data dir D/data, which is formatted afresh on
# every start unless --keep reuses an already formatted one. Runs in the background; returns once
# the broker answers a metadata call, printing the bootstrap address (127.0.0.1:P) on stdout.
# Settings are tuned for a small machine (2 cores): few threads, 512 MB heap, 4-partition
# internal topics, replication factor 1, no initial rebalance delay, no topic auto-creation.
# Stop it with scripts/kafka/stop.sh --port P (or --dir D).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

port=9092 cport="" sport="" dir="" keep=0 heap="${RIFFLE_KAFKA_HEAP:-512m}"
timeout_s="${RIFFLE_KAFKA_START_TIMEOUT:-90}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --controller-port) cport="$2"; shift 2 ;;
    --sasl-port) sport="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --heap) heap="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
cport="${cport:-$((port + 1))}"
dir="${dir:-/tmp/riffle-kafka-$port}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
pidfile="$dir/broker.pid"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  die "a broker is already running from $dir (pid $(cat "$pidfile")); stop it with stop.sh --dir $dir"
fi
for p in "$port" "$cport" $sport; do
  port_open "$p" && die "port $p on 127.0.0.1 is already in use"
done

lib="$(bash "$KAFKA_SCRIPTS_DIR/fetch.sh")"
cp="$lib/*"

data="$dir/data"
listeners="PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport"
protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
sasl_props=""
scram_args=()
if [[ -n "$sport" ]]; then
  listeners="$listeners,SASL_PLAINTEXT://127.0.0.1:$sport"
  protocols="$protocols,SASL_PLAINTEXT:SASL_PLAINTEXT"
  sasl_props="sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_riffle=\"riffle-secret\";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
  # SCRAM credentials live in the metadata log: written at format time.
  scram_args=(--add-scram 'SCRAM-SHA-256=[name=riffle,password=riffle-secret]' --add-scram 'SCRAM-SHA-512=[name=riffle,password=riffle-secret]')
fi
cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=$listeners
advertised.listeners=$listeners
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=$protocols
$sasl_props
log.dirs=$data
# Topics are created explicitly (Log.createTopic / ensureTopic), as on a production cluster.
auto.create.topics.enable=false
num.partitions=1
# Tests use old record timestamps (1970, 2023): never delete by time.
log.retention.ms=-1
default.replication.factor=1
min.insync.replicas=1
# Two cores: keep the thread pools small.
num.network.threads=2
num.io.threads=2
background.threads=2
num.replica.fetchers=1
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
# Internal topics: one broker, few partitions (offsets topic default is 50).
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Groups: no initial delay; allow short session timeouts for tests.
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
group.consumer.min.session.timeout.ms=1000
group.consumer.min.heartbeat.interval.ms=500
PROPS

cat >"$dir/log4j2.properties" <<'PROPS'
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
PROPS

cat >"$dir/log4j2-probe.properties" <<'PROPS'
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [probe] %p %m%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = STDERR
PROPS

java_opts=(-Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$dir/log4j2.properties")

if [[ $keep == 1 && -f "$data/meta.properties" ]]; then
  log "reusing formatted data dir $data"
else
  rm -rf "$data"
  # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding; like Uuid.randomUuid() it
  # must not start with '-'. Made here to save a JVM start (StorageTool random-uuid).
  cluster_id=-
  while [[ $cluster_id == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  java -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$cp" kafka.tools.StorageTool \
    format --standalone -t "$cluster_id" -c "$dir/server.properties" "${scram_args[@]}" >"$dir/format.log" 2>&1 \
    || { cat "$dir/format.log" >&2; die "formatting $data failed"; }
fi

log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$port (controller $cport), dir $dir"
# setsid: the broker gets its own process group, so a Ctrl-C aimed at a caller does not kill it
# mid-write; stop.sh (or with-broker.sh's trap) stops it explicitly.
setsid java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" \
  >"$dir/broker.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"

fail() {
  tail -n 40 "$dir/broker.log" >&2 || true
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  die "$1 (log: $dir/broker.log)"
}
# The listener opens only once the broker has caught up with the metadata log.
deadline=$((SECONDS + timeout_s))
until port_open "$port"; do
  kill -0 "$pid" 2>/dev/null || fail "broker exited during startup"
  ((SECONDS < deadline)) || fail "broker did not open port $port within ${timeout_s}s"
  sleep 0.2
done
remaining=$(((deadline - SECONDS) * 1000))
((remaining > 5000)) || remaining=5000
# The probe is compiled once into the cache (a source launch would compile it on every start).
probe="$(dirname "$lib")/probe"
if [[ ! -f "$probe/Ready.class" || "$KAFKA_SCRIPTS_DIR/Ready.java" -nt "$probe/Ready.class" ]]; then
  mkdir -p "$probe"
  javac -nowarn -cp "$cp" -d "$probe" "$KAFKA_SCRIPTS_DIR/Ready.java" || fail "cannot compile Ready.java"
fi
java -cp "$probe:$cp" -Dlog4j2.configurationFile="$dir/log4j2-probe.properties" Ready \
  "127.0.0.1:$port" "$remaining" >&2 || fail "broker did not answer metadata requests"
log "broker ready (pid $pid)"
echo "127.0.0.1:$port"
