#!/usr/bin/env bash
# Headless Chromium for the browser tests (the inspector page; the npm package in a browser and
# bundled): Debian's `chromium`
# package, installed with apt-get when missing (CI runs as root). Idempotent: a no-op
# when /usr/bin/chromium is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-browser: /usr/bin/chromium is missing; install Debian's chromium package as root" \
    "(sudo apt-get install --no-install-recommends chromium), then run the tests again" >&2
  exit 1
fi
echo "setup-browser: installing Debian's chromium (about a minute, once)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
