#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup_browser.sh  # Debian chromium for the end-to-end page tests
exec .venv/bin/python -m pytest -q "$@"
