#!/usr/bin/env bash
# Stops a broker started by start.sh: SIGTERM (controlled shutdown), then SIGKILL after
# RIFFLE_KAFKA_STOP_TIMEOUT seconds (default 30).
#
#   scripts/kafka/stop.sh [--port P] [--dir D] [--rm]
#
# D defaults to /tmp/riffle-kafka-P (P defaults to 9092), as in start.sh; --rm deletes D afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

port=9092 dir="" rm_dir=0
timeout_s="${RIFFLE_KAFKA_STOP_TIMEOUT:-30}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --rm) rm_dir=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
dir="${dir:-/tmp/riffle-kafka-$port}"
pidfile="$dir/broker.pid"

if [[ -f "$pidfile" ]]; then
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + timeout_s))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "broker (pid $pid) still running after ${timeout_s}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    log "broker stopped (pid $pid)"
  fi
  rm -f "$pidfile"
else
  log "no pid file in $dir: nothing to stop"
fi
if [[ $rm_dir == 1 ]]; then rm -rf "$dir"; fi
