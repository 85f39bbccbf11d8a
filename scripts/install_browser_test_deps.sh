#!/usr/bin/env bash
# Install what the browser tests need on a fresh Debian 12 machine: Debian's chromium
# (Playwright's own browser download cannot work without internet). Idempotent: does nothing
# when /usr/bin/chromium already exists. Run as root (CI runs as root), or with sudo.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "install_browser_test_deps: /usr/bin/chromium present, nothing to do" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install_browser_test_deps: ERROR: need root (or sudo) to apt-get install chromium" >&2
        exit 1
    fi
fi

echo "install_browser_test_deps: installing chromium with apt-get (takes ~1 min) ..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

if [ ! -x /usr/bin/chromium ]; then
    echo "install_browser_test_deps: ERROR: apt-get finished but /usr/bin/chromium is missing" >&2
    exit 1
fi
echo "install_browser_test_deps: installed $(/usr/bin/chromium --version 2>/dev/null | head -n1 || echo chromium)" >&2
