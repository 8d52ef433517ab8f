#!/usr/bin/env bash
# The whole retraining loop with progress: real MLServer and KServe (scripts/ml/with-servers.sh),
# the KFP stand-in running examples/retraining with kfp's local runner, Riffle in process.
# readings -> PREDICT (champion v1) -> concept change -> drift -> KFP run -> MLServer v2 ->
# shadow on labelled rows -> promotion -> PREDICT answers with v2; figures printed at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"
exec bash scripts/ml/with-servers.sh node --test --test-reporter=spec it/ml/kfp/loop.test.ts
