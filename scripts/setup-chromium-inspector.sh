#!/usr/bin/env bash
# Debian's chromium for the inspector's browser tests (driven by playwright-core with
# executablePath /usr/bin/chromium; no browser download from elsewhere). Idempotent: does
# nothing when /usr/bin/chromium exists. Needs root (CI runs as root) or sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
