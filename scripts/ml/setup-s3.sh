#!/usr/bin/env bash
# Creates scripts/ml/.venv/s3: moto's S3-compatible server (moto_server), pinned in requirements-s3.txt.
# Used by the training-data S3 target test (it/ml/s3/, run by `npm run test:ml`), which starts
# `moto_server` on a free loopback port itself.
# Idempotent: a stamp with the requirements' hash; prints the venv's moto_server on stdout.
# Env: RIFFLE_ML_VENV_DIR (default scripts/ml/.venv), PYTHON (default python3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT=setup-s3.sh
# shellcheck source=venv.sh
source "$here/venv.sh"
ensure_venv s3 "$here/requirements-s3.txt"
echo "$venv_root/s3/bin/moto_server"
