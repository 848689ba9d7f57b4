#!/usr/bin/env bash
# Pin every package, and everything each pulls in, to one exact version: requirements.lock for the
# app, requirements-dev.lock for tests and lint (the app's pins included, unchanged). setup.sh
# installs from these, so a new flask or ruff release changes nothing until someone re-locks,
# runs the tests and commits the locks. Run after editing requirements*.txt. Pins already in a
# lock are kept while the ranges allow them; `bash scripts/lock.sh --upgrade` moves all to the
# newest allowed (or `--upgrade-package flask`). Extra arguments go to pip-compile.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/pip-compile ] || bash scripts/setup.sh
export CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh"
args=(--quiet --strip-extras --no-emit-index-url --no-emit-find-links "$@")
.venv/bin/pip-compile "${args[@]}" --output-file requirements.lock requirements.txt
.venv/bin/pip-compile "${args[@]}" --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt
