#!/usr/bin/env bash
# Set up and run every check: lint, format, and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# One worker per core (pytest-xdist); a test file stays on one worker, so its module
# fixtures (a server, a chromium, a built database) are built once. Arguments after
# this (a path, -k, -n 0 for one process) are pytest's.
exec .venv/bin/python -m pytest -n auto --dist loadfile "$@"
