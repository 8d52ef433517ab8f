#!/usr/bin/env bash
# Builds the Flink SQL peer of the Nexmark suite and prints its classpath on stdout: resolves
# pom.xml's runtime jars from Maven Central into
#   ${RIFFLE_CACHE:-~/.cache/riffle}/nexmark-flink-peer/<version>/lib
# (maven-dependency-plugin copy-dependencies with a private, thrown-away local repository, as
# ../peer/build.sh does), then compiles NexmarkFlinkPeer.java with javac into .../classes and
# registers its metric reporter factory (META-INF/services, how Flink finds reporters).
# Idempotent: a marker holding the hash of the pom and the source makes later runs return at
# once; editing either rebuilds. Concurrent runs serialize on a lock.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../../scripts/kafka/common.sh"
want="$(cat "$here/pom.xml" "$here/NexmarkFlinkPeer.java" "$here/build.sh" | sha256sum | cut -d' ' -f1)"
# One directory per version of the peer: suites of different checkouts (worktrees) run at the
# same time without replacing each other's build; versions unused for a week are removed.
versions="$RIFFLE_CACHE/nexmark-flink-peer"
out="$versions/${want:0:16}"
classpath="$out/classes:$out/lib/*"
# (touched when used: the week counts from the last use)
if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$want" ]]; then touch "$out"; echo "$classpath"; exit 0; fi

command -v javac >/dev/null || die "javac not found (a JDK 17+ builds the Flink peer)"
command -v mvn >/dev/null || die "mvn not found (Maven resolves the Flink peer's jars from Maven Central)"
mkdir -p "$out"
exec 9>"$out/.build.lock"
flock 9
if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$want" ]]; then echo "$classpath"; exit 0; fi

log "building the Flink SQL peer into $out (the first time: ~200 MB of jars from Maven Central)"
find "$versions" -mindepth 1 -maxdepth 1 -type d -mtime +7 -exec rm -rf {} + 2>/dev/null || true
tmp="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mvn -B -q -ntp -Dstyle.color=never -f "$here/pom.xml" -Dmaven.repo.local="$tmp/m2" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$tmp/lib" >"$tmp/mvn.log" 2>&1 \
  || { tail -n 30 "$tmp/mvn.log" >&2; die "Maven could not resolve the Flink peer's jars (is Maven Central reachable?)"; }
mkdir -p "$tmp/classes/META-INF/services"
javac -nowarn -encoding UTF-8 -cp "$tmp/lib/*" -d "$tmp/classes" "$here/NexmarkFlinkPeer.java" \
  || die "javac failed on NexmarkFlinkPeer.java"
echo 'NexmarkFlinkPeer$Reporter' >"$tmp/classes/META-INF/services/org.apache.flink.metrics.reporter.MetricReporterFactory"
rm -rf "$out/lib" "$out/classes"
mv "$tmp/lib" "$out/lib"
mv "$tmp/classes" "$out/classes"
echo "$want" >"$out/.complete"
log "Flink peer built ($(ls "$out/lib"/*.jar | wc -l) jars)"
echo "$classpath"
