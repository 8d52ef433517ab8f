#!/usr/bin/env bash
# Creates scripts/ml/.venv/river: River 0.26.1 (the reference for online learning) and
# onnxruntime, pinned in requirements-river.txt. Used by `npm run bench:learn` (River's speed
# beside Riffle's in one run) and `npm run test:learn` (exported ONNX files checked in Python).
# Idempotent: a stamp with the requirements' hash; prints the venv's python on stdout.
# Env: RIFFLE_ML_VENV_DIR (default scripts/ml/.venv), PYTHON (default python3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT=setup-river.sh
# shellcheck source=venv.sh
source "$here/venv.sh"
ensure_venv river "$here/requirements-river.txt"
echo "$venv_root/river/bin/python"
