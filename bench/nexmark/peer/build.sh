#!/usr/bin/env bash
# Builds the Kafka Streams peer of the Nexmark suite and prints its classpath on stdout:
# resolves pom.xml's runtime jars from Maven Central into
#   ${RIFFLE_CACHE:-~/.cache/riffle}/nexmark-peer/<version>/lib
# (maven-dependency-plugin copy-dependencies with a private, thrown-away local repository, as
# scripts/kafka/fetch.sh does for the broker), then compiles NexmarkPeer.java with javac into
# .../classes. Idempotent: a marker holding the hash of the pom and the source makes later runs
# return at once; editing either rebuilds. Concurrent runs serialize on a lock.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../../scripts/kafka/common.sh"
want="$(cat "$here/pom.xml" "$here/NexmarkPeer.java" | sha256sum | cut -d' ' -f1)"
# One directory per version of the peer: suites of different checkouts (worktrees) run at the
# same time without replacing each other's build; versions unused for a week are removed.
versions="$RIFFLE_CACHE/nexmark-peer"
out="$versions/${want:0:16}"
classpath="$out/classes:$out/lib/*"
# (touched when used: the week counts from the last use)
if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$want" ]]; then touch "$out"; echo "$classpath"; exit 0; fi

command -v javac >/dev/null || die "javac not found (a JDK 17+ builds the Kafka Streams peer)"
command -v mvn >/dev/null || die "mvn not found (Maven resolves the peer's jars from Maven Central)"
mkdir -p "$out"
exec 9>"$out/.build.lock"
flock 9
if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$want" ]]; then echo "$classpath"; exit 0; fi

log "building the Kafka Streams peer into $out"
find "$versions" -mindepth 1 -maxdepth 1 -type d -mtime +7 -exec rm -rf {} + 2>/dev/null || true
tmp="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mvn -B -q -ntp -Dstyle.color=never -f "$here/pom.xml" -Dmaven.repo.local="$tmp/m2" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$tmp/lib" >"$tmp/mvn.log" 2>&1 \
  || { tail -n 30 "$tmp/mvn.log" >&2; die "Maven could not resolve the peer's jars (is Maven Central reachable?)"; }
mkdir -p "$tmp/classes"
javac -nowarn -encoding UTF-8 -cp "$tmp/lib/*" -d "$tmp/classes" "$here/NexmarkPeer.java" \
  || die "javac failed on NexmarkPeer.java"
rm -rf "$out/lib" "$out/classes"
mv "$tmp/lib" "$out/lib"
mv "$tmp/classes" "$out/classes"
echo "$want" >"$out/.complete"
log "peer built ($(ls "$out/lib"/*.jar | wc -l) jars)"
echo "$classpath"
