#!/usr/bin/env bash
# Makes Debian's Chromium available for the console's browser tests and prints its path.
# playwright-core drives it (never `npx playwright install`: that downloads a browser build).
# As root (this machine, CI) it installs the Debian package when missing, running
# `apt-get update` first only if the plain install fails. Fails loudly when it cannot.
set -euo pipefail

find_chromium() {
  local c
  for c in "${RIFFLE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return 0; fi
  done
  return 1
}

if path=$(find_chromium); then echo "$path"; exit 0; fi

if [ "$(id -u)" != 0 ]; then
  echo "ensure-chromium: Chromium is not installed and this is not root: run 'apt-get install -y chromium' (or set RIFFLE_CHROMIUM to a Chromium binary)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "ensure-chromium: installing Debian's chromium" >&2
if ! apt-get install -y --no-install-recommends chromium >&2; then
  apt-get update >&2
  apt-get install -y --no-install-recommends chromium >&2
fi
if path=$(find_chromium); then echo "$path"; exit 0; fi
echo "ensure-chromium: chromium was installed but no binary was found at /usr/bin/chromium" >&2
exit 1
