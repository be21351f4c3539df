#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Debian chromium for the end-to-end page tests; if apt cannot install it, those tests
# skip (and say why) instead of failing the whole suite.
bash scripts/setup_browser.sh || echo "WARNING: chromium could not be installed; tests/test_web_browser.py will be skipped" >&2
# Lint and format first (config in pyproject.toml): a style error fails CI before the tests.
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest -q "$@"
