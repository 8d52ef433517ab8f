#!/usr/bin/env bash
# Creates scripts/ml/.venv/kfp: the Kubeflow Pipelines SDK (kfp 2.17.3: compiler and local runner),
# kfp-server-api, pyarrow and scikit-learn, pinned in requirements-kfp.txt. Used by the training-data
# and Kubeflow tests (it/ml/kfp/, run by `npm run test:ml`) and by examples/retraining/.
# Idempotent: a stamp with the requirements' hash; prints the venv's python on stdout.
# Env: RIFFLE_ML_VENV_DIR (default scripts/ml/.venv), PYTHON (default python3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${RIFFLE_ML_VENV_DIR:-$here/.venv}/kfp"
python="${PYTHON:-python3}"
req="$here/requirements-kfp.txt"
if ! "$python" -c 'import sys; assert sys.version_info >= (3, 10)' 2>/dev/null; then
  echo "setup-kfp.sh: need Python >= 3.10 as '$python'" >&2
  exit 1
fi
want="$( (cat "$req"; "$python" -c 'import sys; print("python=%d.%d.%d" % sys.version_info[:3])') | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$venv/.riffle-stamp" || "$(cat "$venv/.riffle-stamp")" != "$want" || ! -x "$venv/bin/python" ]]; then
  echo "setup-kfp.sh: installing kfp into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps -r "$req" >&2
  "$venv/bin/pip" check --disable-pip-version-check >/dev/null
  echo "$want" >"$venv/.riffle-stamp"
fi
echo "$venv/bin/python"
