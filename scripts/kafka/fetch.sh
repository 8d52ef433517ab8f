#!/usr/bin/env bash
# Resolves the Kafka broker jars listed in pom.xml from Maven Central into
#   ${RIFFLE_CACHE:-~/.cache/riffle}/kafka-<version>/lib
# and prints that directory on stdout. Idempotent: a `.complete` marker holding the pom's hash
# makes later runs return at once; editing the pom refetches. Concurrent runs serialize on a lock.
# RIFFLE_KAFKA_TOOLS=1 also fetches kafka-tools (into lib-tools).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ -n "$KAFKA_VERSION" ]] || die "no <kafka.version> in $KAFKA_POM"
want="$(sha256sum "$KAFKA_POM" | cut -d' ' -f1) tools=${RIFFLE_KAFKA_TOOLS:-0}"
if [[ -f "$KAFKA_LIB/.complete" && "$(cat "$KAFKA_LIB/.complete")" == "$want" ]]; then
  echo "$KAFKA_LIB"; exit 0
fi

command -v java >/dev/null || die "java not found (Java 17+ is needed to run the broker)"
command -v mvn >/dev/null || die "mvn not found (Maven resolves the broker jars from Maven Central)"

parent="$(dirname "$KAFKA_LIB")"
mkdir -p "$parent"
exec 9>"$parent/.fetch.lock"
flock 9
# Another run may have finished while we waited for the lock.
if [[ -f "$KAFKA_LIB/.complete" && "$(cat "$KAFKA_LIB/.complete")" == "$want" ]]; then
  echo "$KAFKA_LIB"; exit 0
fi

log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIB"
tmp="$(mktemp -d "$parent/.fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
profile=()
[[ "${RIFFLE_KAFKA_TOOLS:-0}" == 1 ]] && profile=(-Ptools)
# A private local repository: the result never depends on what ~/.m2 happens to hold, and it is
# thrown away afterwards (the copied jars are all that is needed). The plugin is pinned: its
# newest release needs Maven 3.9, Debian 12 ships 3.8.7.
mvn -B -q -ntp -Dstyle.color=never -f "$KAFKA_POM" "${profile[@]}" \
  -Dmaven.repo.local="$tmp/m2" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$tmp/lib" >"$tmp/mvn.log" 2>&1 \
  || { tail -n 30 "$tmp/mvn.log" >&2; die "Maven could not resolve the broker jars (is Maven Central reachable?)"; }
ls "$tmp/lib"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch"
echo "$want" >"$tmp/lib/.complete"
rm -rf "$KAFKA_LIB"
mv "$tmp/lib" "$KAFKA_LIB"
log "fetched $(ls "$KAFKA_LIB"/*.jar | wc -l) jars"
echo "$KAFKA_LIB"
