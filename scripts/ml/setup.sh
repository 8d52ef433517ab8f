#!/usr/bin/env bash
# Creates the Python virtualenvs that run the real model servers used by `npm run test:ml`:
#   scripts/ml/.venv/kserve    kserve + scikit-learn (also runs train.py)
#   scripts/ml/.venv/mlserver  mlserver + mlserver-sklearn
# Two venvs because kserve and mlserver pin conflicting fastapi/starlette versions.
# Idempotent: each venv carries a stamp with the hash of its requirements file and the Python
# version; when the stamp matches, nothing is installed (takes well under a second).
# Env: RIFFLE_ML_VENV_DIR (default scripts/ml/.venv), PYTHON (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT=setup.sh
# shellcheck source=venv.sh
source "$here/venv.sh"

mkdir -p "$venv_root"
# Both venvs install in parallel (downloads dominate); logs are kept on failure.
pids=()
for name in kserve mlserver; do
  ( ensure_venv "$name" "$here/requirements-$name.txt" ) >"$venv_root/$name.log" 2>&1 &
  pids+=($!)
done
status=0
for i in 0 1; do
  if ! wait "${pids[$i]}"; then status=1; fi
done
for name in kserve mlserver; do
  if [[ -s "$venv_root/$name.log" ]]; then cat "$venv_root/$name.log" >&2; fi
done
if [[ $status -ne 0 ]]; then
  echo "setup.sh: failed (see above)" >&2
  exit 1
fi
