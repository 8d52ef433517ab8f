#!/usr/bin/env bash
# Puts a real Prometheus (Debian's `prometheus` package, 2.42) into the cache and prints the path
# of its binary. Only the package itself is fetched (apt-get download) and unpacked (dpkg-deb -x)
# into $RIFFLE_CACHE/prometheus: no root, no system install, none of the ~280 MB of web-UI
# dependencies. Fails loudly when it cannot: the metrics test needs a real Prometheus.
set -euo pipefail
RIFFLE_CACHE="${RIFFLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/riffle}"
DIR="$RIFFLE_CACHE/prometheus"
BIN="$DIR/root/usr/bin/prometheus"
log() { echo "[prometheus] $*" >&2; }
die() { echo "[prometheus] ERROR: $*" >&2; exit 1; }

if [[ -x "$BIN" ]]; then echo "$BIN"; exit 0; fi
command -v apt-get >/dev/null || die "apt-get is unavailable: cannot fetch Debian's prometheus package"
mkdir -p "$DIR/deb"
cd "$DIR/deb"
log "downloading the Debian prometheus package into $DIR"
if ! apt-get download prometheus >&2 2>/dev/null; then
  # The package lists may be missing or stale; refreshing them needs root.
  sudo=()
  if [[ "$(id -u)" != 0 ]]; then sudo=(sudo -n); fi
  "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed"
  apt-get download prometheus >&2 || die "apt-get download prometheus failed"
fi
deb="$(ls -t prometheus_*.deb | head -1)"
[[ -n "$deb" ]] || die "no prometheus .deb downloaded"
rm -rf "$DIR/root"
dpkg-deb -x "$deb" "$DIR/root"
[[ -x "$BIN" ]] || die "$BIN not found in $deb"
log "installed $("$BIN" --version 2>&1 | head -1)"
echo "$BIN"
