#!/usr/bin/env bash
# Idempotent: the headless browser for tests/test_web_browser.py. Installs Debian's
# chromium when /usr/bin/chromium is missing (needs root or sudo), and Playwright for
# Python into .venv when it is missing. Never runs `playwright install`: the tests
# drive the system browser (executable_path=/usr/bin/chromium), nothing is downloaded
# outside the package managers.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log="$(mktemp)"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; } >"$log" 2>&1; then
    tail -n 20 "$log"; echo "setup_browser: could not install chromium" >&2; exit 1
  fi
  rm -f "$log"
fi
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
if ! "$PY" -c "import playwright.sync_api" 2>/dev/null; then
  "$PY" -m pip install -q "playwright>=1.40"
fi
/usr/bin/chromium --version 2>/dev/null
