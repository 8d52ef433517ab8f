#!/usr/bin/env bash
# Builds the Flink SQL peer of the Nexmark suite (NexmarkFlinkPeer.java; the first time ~200 MB of
# jars from Maven Central) and prints its classpath on stdout; how: ../java-peer.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../java-peer.sh"

# Flink finds metric reporters through META-INF/services: register the peer's.
register_reporter() {
  mkdir -p "$1/META-INF/services"
  echo 'NexmarkFlinkPeer$Reporter' >"$1/META-INF/services/org.apache.flink.metrics.reporter.MetricReporterFactory"
}
build_java_peer "Flink SQL peer" nexmark-flink-peer "$here" NexmarkFlinkPeer.java register_reporter
