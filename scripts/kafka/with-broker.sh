#!/usr/bin/env bash
# Runs CMD against a throwaway Kafka broker:
#
#   scripts/kafka/with-broker.sh CMD [ARGS...]
#
# Fetches the broker jars (once), makes sure kcat is installed (the interop tests need it),
# starts a single-node broker on free ports (19092, controller 19093, SASL listener 19094 by
# default, else the next free triple, so it never collides with a developer's 9092), exports
# RIFFLE_BOOTSTRAP_SERVERS=127.0.0.1:<port> (plus RIFFLE_TEST_SASL_BOOTSTRAP and
# RIFFLE_KAFKA_LIB for the tests), runs CMD, always stops the broker and removes its data, and
# exits with CMD's status.
# With RIFFLE_BOOTSTRAP_SERVERS already set, runs CMD against that cluster instead.
# RIFFLE_KAFKA_PORT picks the first port to try; RIFFLE_KAFKA_KEEP=1 keeps the broker's dir
# (logs) after the run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ $# -gt 0 ]] || die "usage: with-broker.sh CMD [ARGS...]"

bash "$KAFKA_SCRIPTS_DIR/ensure-kcat.sh"

if [[ -n "${RIFFLE_BOOTSTRAP_SERVERS:-}" ]]; then
  log "using the cluster at $RIFFLE_BOOTSTRAP_SERVERS"
  exec "$@"
fi

started=$SECONDS
bash "$KAFKA_SCRIPTS_DIR/fetch.sh" >/dev/null
log "broker jars ready in $((SECONDS - started))s"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port="${RIFFLE_KAFKA_PORT:-19092}"
free_triple() { ! port_open "$1" && ! port_open "$(($1 + 1))" && ! port_open "$(($1 + 2))"; }
for _ in $(seq 1 20); do
  free_triple "$port" && break
  port=$((port + 3))
done
free_triple "$port" || die "no three free ports found from ${RIFFLE_KAFKA_PORT:-19092}"

dir="$(mktemp -d "${TMPDIR:-/tmp}/riffle-kafka-$port.XXXXXX")"
cleanup() {
  local status=$?
  bash "$KAFKA_SCRIPTS_DIR/stop.sh" --dir "$dir" || true
  if [[ "${RIFFLE_KAFKA_KEEP:-0}" == 1 ]]; then log "broker dir kept: $dir"; else rm -rf "$dir"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

starting=$SECONDS
bootstrap="$(bash "$KAFKA_SCRIPTS_DIR/start.sh" --port "$port" --sasl-port "$((port + 2))" --dir "$dir")"
log "broker up at $bootstrap in $((SECONDS - starting))s"

export RIFFLE_BOOTSTRAP_SERVERS="$bootstrap"
export RIFFLE_TEST_SASL_BOOTSTRAP="127.0.0.1:$((port + 2))"
export RIFFLE_KAFKA_LIB="$KAFKA_LIB"

set +e
running=$SECONDS
"$@"
status=$?
set -e
log "command finished in $((SECONDS - running))s (status $status)"
exit "$status"
