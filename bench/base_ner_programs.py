"""Does the base model's NER help PROGRAM spans? Compare its spans with gold PROGRAM spans.

    python bench/base_ner_programs.py ../shared/realdev/gold.jsonl
    python bench/base_ner_programs.py annotations

Runs the pipeline on `es_core_news_sm` (base model loaded, its ORG/LOC/PER/MISC spans kept in
`doc.spans["base_ner"]`) and counts: gold PROGRAM spans equal to a base NER span; the
PROGRAM boundary errors left (a prediction overlaps the gold span but differs) that a
base NER span would fix; the PROGRAM misses a base NER span covers exactly; and how many
base NER spans are gold PROGRAMs (the precision of using them as candidates).
"""

from __future__ import annotations

import argparse

import nlp
from nlp.records import read_jsonl
from nlp.settings import REFERENCE_BASE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", help="gold JSONL file or folder")
    args = parser.parse_args()
    pipe = nlp.load(base=REFERENCE_BASE)
    counts = dict.fromkeys(
        ("gold", "gold_is_ner", "boundary", "boundary_ner", "miss", "miss_ner"), 0
    )
    ner_total = ner_program = 0
    for record in read_jsonl(args.gold):
        doc = pipe(record["text"])
        ners = {(s.start_char, s.end_char) for s in doc.spans.get("base_ner", [])}
        golds = {(e["start"], e["end"]) for e in record["entities"] if e["label"] == "PROGRAM"}
        preds = {(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PROGRAM"}
        for span in golds:
            counts["gold"] += 1
            counts["gold_is_ner"] += span in ners
            if span in preds:
                continue
            overlapping = any(p[0] < span[1] and span[0] < p[1] for p in preds)
            kind = "boundary" if overlapping else "miss"
            counts[kind] += 1
            counts[f"{kind}_ner"] += span in ners
        ner_total += len(ners)
        ner_program += len(ners & golds)
    print(
        f"gold PROGRAM spans {counts['gold']}, equal to a base NER span {counts['gold_is_ner']}\n"
        f"boundary errors left {counts['boundary']}, a base NER span would fix "
        f"{counts['boundary_ner']}\n"
        f"misses {counts['miss']}, equal to a base NER span {counts['miss_ner']}\n"
        f"base NER spans {ner_total}, gold PROGRAMs among them {ner_program} "
        f"({ner_program / max(1, ner_total):.2f})"
    )


if __name__ == "__main__":
    main()
