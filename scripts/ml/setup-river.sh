#!/usr/bin/env bash
# Creates scripts/ml/.venv/river: River 0.26.1 (the reference for online learning) and
# onnxruntime, pinned in requirements-river.txt. Used by `npm run bench:learn` (River's speed
# beside Riffle's in one run) and `npm run test:learn` (exported ONNX files checked in Python).
# Idempotent: a stamp with the requirements' hash; prints the venv's python on stdout.
# Env: RIFFLE_ML_VENV_DIR (default scripts/ml/.venv), PYTHON (default python3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${RIFFLE_ML_VENV_DIR:-$here/.venv}/river"
python="${PYTHON:-python3}"
req="$here/requirements-river.txt"
if ! "$python" -c 'import sys; assert sys.version_info >= (3, 10)' 2>/dev/null; then
  echo "setup-river.sh: need Python >= 3.10 as '$python'" >&2
  exit 1
fi
want="$( (cat "$req"; "$python" -c 'import sys; print("python=%d.%d.%d" % sys.version_info[:3])') | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$venv/.riffle-stamp" || "$(cat "$venv/.riffle-stamp")" != "$want" || ! -x "$venv/bin/python" ]]; then
  echo "setup-river.sh: installing River into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps -r "$req" >&2
  "$venv/bin/pip" check --disable-pip-version-check >/dev/null
  echo "$want" >"$venv/.riffle-stamp"
fi
echo "$venv/bin/python"
