# Sourced by peer/build.sh and peer-flink/build.sh: builds a Java peer of the Nexmark suite and
# prints its classpath on stdout. Resolves the peer's pom.xml runtime jars from Maven Central into
#   ${RIFFLE_CACHE:-~/.cache/riffle}/<cache name>/<version>/lib
# (maven-dependency-plugin copy-dependencies with a private, thrown-away local repository, as
# scripts/kafka/fetch.sh does for the broker), then compiles its source with javac into
# .../classes. Idempotent: a marker holding the hash of the pom, the source and this script makes
# later runs return at once; editing any of them rebuilds. Concurrent runs serialize on a lock.
# One directory per version: suites of different checkouts (worktrees) run at the same time
# without replacing each other's build; versions unused for a week are removed.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/kafka/common.sh"

# build_java_peer LABEL CACHE_NAME PEER_DIR SOURCE [AFTER_COMPILE]
#   AFTER_COMPILE: a function called with the classes directory before it is installed.
build_java_peer() {
  local label="$1" cache="$2" dir="$3" source="$4" after_compile="${5:-}"
  local want versions out classpath tmp
  want="$(cat "$dir/pom.xml" "$dir/$source" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
  versions="$RIFFLE_CACHE/$cache"
  out="$versions/${want:0:16}"
  classpath="$out/classes:$out/lib/*"
  # (touched when used: the week counts from the last use)
  if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$want" ]]; then touch "$out"; echo "$classpath"; return 0; fi

  command -v javac >/dev/null || die "javac not found (a JDK 17+ builds the $label)"
  command -v mvn >/dev/null || die "mvn not found (Maven resolves the $label's jars from Maven Central)"
  mkdir -p "$out"
  exec 9>"$out/.build.lock"
  flock 9
  if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$want" ]]; then echo "$classpath"; return 0; fi

  log "building the $label into $out"
  find "$versions" -mindepth 1 -maxdepth 1 -type d -mtime +7 -exec rm -rf {} + 2>/dev/null || true
  tmp="$(mktemp -d "$out/.build.XXXXXX")"
  trap "rm -rf '$tmp'" EXIT
  mvn -B -q -ntp -Dstyle.color=never -f "$dir/pom.xml" -Dmaven.repo.local="$tmp/m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp/lib" >"$tmp/mvn.log" 2>&1 \
    || { tail -n 30 "$tmp/mvn.log" >&2; die "Maven could not resolve the $label's jars (is Maven Central reachable?)"; }
  mkdir -p "$tmp/classes"
  javac -nowarn -encoding UTF-8 -cp "$tmp/lib/*" -d "$tmp/classes" "$dir/$source" || die "javac failed on $source"
  if [[ -n "$after_compile" ]]; then "$after_compile" "$tmp/classes"; fi
  rm -rf "$out/lib" "$out/classes"
  mv "$tmp/lib" "$out/lib"
  mv "$tmp/classes" "$out/classes"
  echo "$want" >"$out/.complete"
  log "$label built ($(ls "$out/lib"/*.jar | wc -l) jars)"
  echo "$classpath"
}
