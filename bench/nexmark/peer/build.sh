#!/usr/bin/env bash
# Builds the Kafka Streams peer of the Nexmark suite (NexmarkPeer.java) and prints its classpath
# on stdout; how: ../java-peer.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../java-peer.sh"
build_java_peer "Kafka Streams peer" nexmark-peer "$here" NexmarkPeer.java
