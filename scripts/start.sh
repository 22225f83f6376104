#!/usr/bin/env bash
# Set up and start the dashboard; on first start it builds the demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The database, its WAL, uploads and backups hold people's names: owner-only files.
umask 077
exec .venv/bin/streamlit run dashboard.py "$@"
