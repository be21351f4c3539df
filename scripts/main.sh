#!/usr/bin/env bash
# The main job on the bundled corpus: annotate every document, index the records,
# and run a sample search. Outputs go to out/ (records, errors, fichas.db).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
.venv/bin/fichas annotate corpus/ --out out/records.jsonl --quiet
.venv/bin/fichas index out/records.jsonl --db out/fichas.db
echo "== sample search: budgets above 15,000 million pesos of IMSS-BIENESTAR, asked for under its old name IMSS-Oportunidades"
.venv/bin/fichas search --db out/fichas.db --program IMSS-Oportunidades --label AMOUNT --amount-min 15000M --limit 5
echo "== sample search: every mention of IMSS-BIENESTAR, asked for under its 1990s name IMSS-Solidaridad"
.venv/bin/fichas search --db out/fichas.db --program IMSS-Solidaridad --label PROGRAM --limit 8
echo "== sample search: 'padron' in recommendations"
.venv/bin/fichas search padron --db out/fichas.db --section recommendations --limit 5
