#!/usr/bin/env bash
# Makes sure `kcat` (librdkafka's CLI, an independent Kafka client used by the interop tests) is
# on PATH: installs the Debian package when missing. kcat is required, not optional: if it
# cannot be installed this fails loudly instead of letting the interop tests skip.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v kcat >/dev/null && exit 0
command -v apt-get >/dev/null || die "kcat is missing and apt-get is unavailable: install kcat (librdkafka CLI) by hand"
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || die "kcat is missing; installing it needs root (apt-get install -y kcat)"
  sudo=(sudo -n)
fi
log "installing kcat with apt-get"
export DEBIAN_FRONTEND=noninteractive
# Try without refreshing the package lists first: quick when they are current.
if ! "${sudo[@]}" apt-get install -y -qq kcat >&2 2>/dev/null; then
  "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed: cannot install kcat"
  "${sudo[@]}" apt-get install -y -qq kcat >&2 || die "apt-get install kcat failed"
fi
command -v kcat >/dev/null || die "kcat still not on PATH after apt-get install"
log "kcat installed: $(kcat -V 2>&1 | head -1)"
