#!/usr/bin/env bash
# Creates scripts/ml/.venv/kfp: the Kubeflow Pipelines SDK (kfp 2.17.3: compiler and local runner),
# kfp-server-api, pyarrow and scikit-learn, pinned in requirements-kfp.txt. Used by the training-data
# and Kubeflow tests (it/ml/kfp/, run by `npm run test:ml`) and by examples/retraining/.
# Idempotent: a stamp with the requirements' hash; prints the venv's python on stdout.
# Env: RIFFLE_ML_VENV_DIR (default scripts/ml/.venv), PYTHON (default python3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT=setup-kfp.sh
# shellcheck source=venv.sh
source "$here/venv.sh"
ensure_venv kfp "$here/requirements-kfp.txt"
echo "$venv_root/kfp/bin/python"
