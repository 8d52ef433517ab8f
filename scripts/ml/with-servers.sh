#!/usr/bin/env bash
# Runs CMD with two real model servers up on free loopback ports, then stops them:
#   1. setup.sh (venvs; a no-op when installed), 2. train.py into a work dir,
#   3. KServe (V1 + V2) and MLServer (V2) serving the `iris` and `failure` models,
#   4. waits for GET /v2/health/ready on both, 5. runs CMD with these exported:
#      RIFFLE_KSERVE_URL, RIFFLE_MLSERVER_URL      e.g. http://127.0.0.1:40123
#      RIFFLE_KSERVE_MODELS, RIFFLE_MLSERVER_MODELS "iris,failure"
#        KServe: iris -> V2 tensor "predict" INT64 labels; failure -> "score" FP64 P(failure)
#        MLServer: both -> "predict" INT64 labels [rows, 1]; versions "1"
#      RIFFLE_ML_WORK            work dir: expected.json, <model>/model.joblib, mlserver/
#      RIFFLE_ML_KSERVE_PYTHON   the kserve venv's python (tests start their own servers with it)
#      RIFFLE_ML_SCRIPTS         this folder
# The servers are always stopped; the exit status is CMD's (or 1 when the servers fail to start).
# Env: RIFFLE_ML_WORK to keep the work dir (otherwise a temp dir, removed at the end);
#      RIFFLE_ML_READY_TIMEOUT seconds to wait for readiness (default 90).
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: with-servers.sh CMD [ARGS...]" >&2
  exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv_root="${RIFFLE_ML_VENV_DIR:-$here/.venv}"
t0=$SECONDS

bash "$here/setup.sh"
kpy="$venv_root/kserve/bin/python"
mls="$venv_root/mlserver/bin/mlserver"

own_work=0
if [[ -z "${RIFFLE_ML_WORK:-}" ]]; then
  RIFFLE_ML_WORK="$(mktemp -d -t riffle-ml.XXXXXX)"
  own_work=1
fi
mkdir -p "$RIFFLE_ML_WORK"
work="$RIFFLE_ML_WORK"
"$kpy" "$here/train.py" "$work" >/dev/null

# Five free loopback ports (bound then released; a race with another process is unlikely).
read -r k_http k_grpc m_http m_grpc m_metrics < <("$kpy" - <<'EOF'
import socket
socks = []
for _ in range(5):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
)

pids=()
stop_servers() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
  if [[ $own_work -eq 1 ]]; then rm -rf "$work"; fi
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

"$kpy" "$here/kserve_server.py" --http-port "$k_http" --grpc-port "$k_grpc" \
  --model "iris=$work/iris/model.joblib:predict" \
  --model "failure=$work/failure/model.joblib:proba" >"$work/kserve.log" 2>&1 &
pids+=($!)
kserve_pid=$!

(
  cd "$work"
  MLSERVER_HOST=127.0.0.1 MLSERVER_HTTP_PORT="$m_http" MLSERVER_GRPC_PORT="$m_grpc" \
    MLSERVER_METRICS_PORT="$m_metrics" MLSERVER_PARALLEL_WORKERS=0 MLSERVER_DEBUG=false \
    exec "$mls" start "$work/mlserver"
) >"$work/mlserver.log" 2>&1 &
pids+=($!)
mlserver_pid=$!

# wait_ready NAME PID URL LOG
wait_ready() {
  local name="$1" pid="$2" url="$3" log="$4"
  local deadline=$((SECONDS + ${RIFFLE_ML_READY_TIMEOUT:-90}))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "with-servers.sh: $name exited before it was ready; its log:" >&2
      tail -40 "$log" >&2
      return 1
    fi
    if curl -sf -o /dev/null --max-time 2 "$url/v2/health/ready"; then return 0; fi
    sleep 0.2
  done
  echo "with-servers.sh: $name not ready after ${RIFFLE_ML_READY_TIMEOUT:-90}s; its log:" >&2
  tail -40 "$log" >&2
  return 1
}

export RIFFLE_KSERVE_URL="http://127.0.0.1:$k_http"
export RIFFLE_MLSERVER_URL="http://127.0.0.1:$m_http"
export RIFFLE_KSERVE_MODELS="iris,failure"
export RIFFLE_MLSERVER_MODELS="iris,failure"
export RIFFLE_ML_WORK="$work"
export RIFFLE_ML_KSERVE_PYTHON="$kpy"
export RIFFLE_ML_SCRIPTS="$here"

wait_ready KServe "$kserve_pid" "$RIFFLE_KSERVE_URL" "$work/kserve.log" || exit 1
wait_ready MLServer "$mlserver_pid" "$RIFFLE_MLSERVER_URL" "$work/mlserver.log" || exit 1
echo "with-servers.sh: KServe at $RIFFLE_KSERVE_URL, MLServer at $RIFFLE_MLSERVER_URL (ready in $((SECONDS - t0))s)" >&2

status=0
"$@" || status=$?
exit "$status"
