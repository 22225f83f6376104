#!/usr/bin/env bash
# Set up and start the dashboard; on first start it builds the demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/streamlit run dashboard.py "$@"
