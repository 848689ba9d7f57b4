#!/usr/bin/env bash
# Install what the app and its tests need: a virtualenv with requirements.txt and, for the
# browser tests, Debian's chromium with a CJK font. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--browser" ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wqy"; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
