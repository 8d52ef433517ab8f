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
venv_root="${RIFFLE_ML_VENV_DIR:-$here/.venv}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; assert sys.version_info >= (3, 10)' 2>/dev/null; then
  echo "setup.sh: need Python >= 3.10 as '$python'" >&2
  exit 1
fi
pyver="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"

# ensure_venv NAME REQUIREMENTS_FILE: prints nothing when up to date.
ensure_venv() {
  local name="$1" req="$2"
  local dir="$venv_root/$name"
  local want
  want="$( (cat "$req"; echo "python=$pyver") | sha256sum | cut -d' ' -f1)"
  if [[ -f "$dir/.riffle-stamp" && "$(cat "$dir/.riffle-stamp")" == "$want" && -x "$dir/bin/python" ]]; then
    return 0
  fi
  local t0=$SECONDS
  echo "setup.sh: installing $name venv into $dir (this takes a few minutes once)" >&2
  rm -rf "$dir"
  "$python" -m venv "$dir"
  # --no-deps is safe because the file pins the full resolution; pip check verifies it.
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps -r "$req"
  "$dir/bin/pip" check --disable-pip-version-check >/dev/null
  echo "$want" >"$dir/.riffle-stamp"
  echo "setup.sh: $name venv ready in $((SECONDS - t0))s" >&2
}

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
