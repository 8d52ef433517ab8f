# Shared by the venv scripts in scripts/ml/ (sourced, not run): one way to make a pinned venv.
# Needs: here (this folder), SCRIPT (the caller's name, for messages).
# Env: RIFFLE_ML_VENV_DIR (default scripts/ml/.venv), PYTHON (default python3).
venv_root="${RIFFLE_ML_VENV_DIR:-$here/.venv}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; assert sys.version_info >= (3, 10)' 2>/dev/null; then
  echo "$SCRIPT: need Python >= 3.10 as '$python'" >&2
  exit 1
fi
pyver="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"

# ensure_venv NAME REQUIREMENTS_FILE: creates $venv_root/NAME from the fully pinned file unless
# its stamp (the hash of the file and the Python version) matches; prints nothing when up to date.
ensure_venv() {
  local name="$1" req="$2"
  local dir="$venv_root/$name"
  local want
  want="$( (cat "$req"; echo "python=$pyver") | sha256sum | cut -d' ' -f1)"
  if [[ -f "$dir/.riffle-stamp" && "$(cat "$dir/.riffle-stamp")" == "$want" && -x "$dir/bin/python" ]]; then
    return 0
  fi
  local t0=$SECONDS
  echo "$SCRIPT: installing $name venv into $dir (this takes a few minutes once)" >&2
  rm -rf "$dir"
  mkdir -p "$venv_root"
  "$python" -m venv "$dir"
  # --no-deps is safe because the file pins the full resolution; pip check verifies it.
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps -r "$req" >&2
  "$dir/bin/pip" check --disable-pip-version-check >/dev/null
  echo "$want" >"$dir/.riffle-stamp"
  echo "$SCRIPT: $name venv ready in $((SECONDS - t0))s" >&2
}
