#!/usr/bin/env bash
# Install what the app needs: Python 3.11+ (checked), a virtualenv .venv with the pinned
# runtime packages (requirements.lock). --dev adds the test and lint packages
# (requirements-dev.lock); --browser also adds Debian's chromium and a CJK font for the browser
# tests. The locks, not the ranges in requirements*.txt, are installed, so a new release of
# anything changes nothing until scripts/lock.sh re-pins it. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/apt.sh

lock=requirements.lock browser=0
for arg in "$@"; do
  case "$arg" in
    --dev) lock=requirements-dev.lock ;;
    --browser) lock=requirements-dev.lock browser=1 ;;
    *) echo "setup.sh: unknown option $arg (known: --dev, --browser)" >&2; exit 2 ;;
  esac
done

python_ok() {  # python_ok PYTHON: it runs and is 3.11 or newer
  "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

PYTHON="${PYTHON:-python3}"
if ! python_ok "$PYTHON"; then
  echo "setup.sh: the app needs Python 3.11 or newer; $PYTHON is" \
    "$("$PYTHON" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo 'not installed')." \
    "Install it (Debian 12: apt-get install python3 python3-venv) and run again, or name one: PYTHON=python3.12 bash $0" >&2
  exit 1
fi
if [ -x .venv/bin/python ] && ! python_ok .venv/bin/python; then
  echo "setup.sh: .venv was made with Python $(.venv/bin/python -c 'import platform; print(platform.python_version())');" \
    "the app needs 3.11 or newer. Remove .venv and run again." >&2
  exit 1
fi

if [ "$browser" = 1 ] && { ! have chromium || ! fc-list 2>/dev/null | grep -qi "wqy"; }; then
  apt_install chromium fonts-wqy-microhei
fi

if [ ! -x .venv/bin/python ]; then
  # Debian's python3 makes virtualenvs only with python3-venv (ensurepip) installed.
  "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1 || apt_install python3-venv
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -r "$lock"
