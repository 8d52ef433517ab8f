#!/usr/bin/env bash
# Runs the device-monitoring example on an embedded log against a KServe server serving the
# `failure` model, and prints the alerts:
#   bash scripts/ml/with-servers.sh bash examples/device-monitoring/run.sh [stateless|windowed]
# (with-servers.sh starts KServe and MLServer and sets RIFFLE_KSERVE_URL; any KServe or Triton
# serving a 4-feature `failure` model will do: set RIFFLE_KSERVE_URL yourself.)
# Env: DEVICES, MINUTES, FAILING (generator), RUN_SECONDS (how long the queries run, default 15),
#      RIFFLE_DATA_DIR (default: a temporary directory, removed at the end).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"
variant="${1:-stateless}"
case "$variant" in stateless | windowed) ;; *) echo "usage: run.sh [stateless|windowed]" >&2; exit 2 ;; esac
url="${RIFFLE_KSERVE_URL:?set RIFFLE_KSERVE_URL, or run through scripts/ml/with-servers.sh}"

own=0
data="${RIFFLE_DATA_DIR:-}"
if [[ -z "$data" ]]; then data="$(mktemp -d -t riffle-devmon.XXXXXX)"; own=1; fi
mkdir -p "$data"
cleanup() { if [[ $own -eq 1 ]]; then rm -rf "$data"; fi; }
trap cleanup EXIT
riffle() { node "$root/bin/riffle.js" "$@" --data-dir "$data/log"; }

# 1. The stream, the model and the queries (recorded in the command log).
{ echo "DEFINE kserve_url = '$url';"; cat "$here/setup.sql" "$here/$variant.sql"; } >"$data/script.sql"
riffle run "$data/script.sql" --exit-after >/dev/null

# 2. Sensor readings into the input topic.
node "$here/generate.ts" --devices "${DEVICES:-12}" --minutes "${MINUTES:-5}" --failing "${FAILING:-3}" |
  riffle topic produce sensor_readings --tab-key

# 3. The queries resume from the command log and process the readings.
echo "SHOW QUERIES;" >"$data/watch.sql"
node "$root/bin/riffle.js" run "$data/watch.sql" --data-dir "$data/log" >"$data/run.log" 2>&1 &
pid=$!
sleep "${RUN_SECONDS:-15}"
kill -INT "$pid"
wait "$pid" || true

# 4. The alerts.
topic=$([[ "$variant" == stateless ]] && echo DEVICE_ALERTS || echo DEVICE_MINUTE_ALERTS)
echo "--- $topic"
# (the windowed alerts are a table: tombstones for the device-minutes that are no alert, left out here)
riffle topic consume "$topic" --from-beginning | grep -v 'value: <null>' || true
echo "--- dead letters (failure_model_dlq)"
riffle topic consume failure_model_dlq --from-beginning 2>/dev/null || true
