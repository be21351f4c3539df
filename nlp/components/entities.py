"""`fichas_entities`: PROGRAM, YEAR, DATE, AMOUNT and PERCENT as `doc.ents` with `Span._.value`.

Numbers, dates and years are regex rules over the normalized view of the text
(spaCy splits `15.5%`, `$` and `2019-2024` in ways token patterns cannot follow);
program names combine the gazetteer, regex rules for keys and quoted names, and a
spaCy `Matcher` for capitalized names never seen before. Every candidate goes
through `nlp.overlaps.resolve`, then values are read by the parsers of `nlp.values`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from nlp.extensions import doc_text, doc_textmap, register_extensions, release_working_state
from nlp.settings import BASE_NER_KEY, ENTITY_LABELS

#: A line at least this long that ends inside a name is wrapped prose, not a line of a data block.
MIN_WRAPPED_LINE = 40
#: The longest program name the open patterns look for, in tokens.
MAX_NAME_TOKENS = 40


class EntityRecognizer:
    """Rule-based recognizer of the guide's entities; all rules come from a rules folder."""

    def __init__(
        self, nlp: Language, name: str = "fichas_entities", rules_dir: str | None = None
    ) -> None:
        register_extensions()
        self.nlp = nlp
        self.name = name
        self.rules_dir = str(rules_dir) if rules_dir else None
        self._loaded = False  # rules load on first use, or from a saved pipeline in from_disk

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self._load_rules()
            self._loaded = True

    def _load_rules(self) -> None:
        """Compile every rule once; a component never re-reads rules per document."""
        from nlp.entity_rules import load_regex_rules
        from nlp.gazetteer import gazetteer
        from nlp.rules import _dir, read_jsonl_rules, read_tsv
        from nlp.textmap import fold

        root = _dir(self.rules_dir)
        self.regex_rules = load_regex_rules(self.rules_dir)
        self.gazetteer_re, _ = gazetteer(self.rules_dir)
        self.matcher = Matcher(self.nlp.vocab)
        for item in read_jsonl_rules(root / "entities" / "program_patterns.jsonl"):
            self.matcher.add(item["id"], [item["pattern"]], greedy="LONGEST")
        self.connectors = {
            r["word"] for r in read_tsv(root / "entities" / "program_connectors.tsv")
        }
        self.first_words = {
            r["word"] for r in read_tsv(root / "entities" / "program_first_words.tsv")
        }
        self.stop_phrases = tuple(
            fold(r["phrase"]).split()
            for r in read_tsv(root / "entities" / "program_stop_phrases.tsv")
        )
        self.head_words = set(self.matcher_heads(root))
        import regex

        from nlp.entity_rules import macros

        table = macros(self.rules_dir)
        self.acronym_re = regex.compile(table["ACRONYM_DEFINITION"])
        self.bare_key_re = regex.compile(table["BUDGET_KEY"])
        self.head_re = regex.compile(
            r"(?<!\w)(?:"
            + "|".join(sorted(map(regex.escape, self.head_words), key=len, reverse=True))
            + r")(?!\w)"
        )
        self.institution_words = {
            r["word"] for r in read_tsv(root / "entities" / "institution_words.tsv")
        }
        self.alignment_prefixes = tuple(
            fold(r["prefix"]) for r in read_tsv(root / "entities" / "alignment_prefixes.tsv")
        )
        self.generic_words = {
            r["word"] for r in read_tsv(root / "entities" / "generic_name_words.tsv")
        }
        self.not_program = tuple(
            sorted(
                {fold(r["term"]) for r in read_tsv(root / "entities" / "not_program.tsv")},
                key=len,
                reverse=True,
            )
        )

    @staticmethod
    def matcher_heads(root: Path) -> list[str]:
        """Head words of the program patterns (`Programa`, `Fondo`…), to cut coordinated names."""
        from nlp.rules import read_jsonl_rules

        heads: list[str] = []
        for item in read_jsonl_rules(root / "entities" / "program_patterns.jsonl"):
            heads.extend(item["pattern"][0].get("ORTH", {}).get("IN", []))
        return heads

    # -- the pipeline call -------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        from nlp.matching import aligned_spans, trim
        from nlp.overlaps import known_names_end, resolve

        self._ensure_loaded()
        text = doc_text(doc)
        candidates = known_names_end(self.candidates(doc, text), "program.gazetteer")
        chosen = resolve(candidates, text)
        extra = self._known_names(text, chosen)
        if extra:
            chosen = resolve(candidates + extra, text)
        self._assign_values(chosen, text)
        items = []
        for cand in chosen:
            if cand.value is None:
                continue
            start, end = trim(text, cand.start, cand.end)
            if cand.label == "PROGRAM" and "**" in text[start:end]:
                start, end = _widen_over_markup(text, start, end)
            if start < end:
                items.append(
                    (start, end, cand.label, cand.value, cand.rule, cand.data.get("column"))
                )
        if len(doc.ents):
            doc.spans[BASE_NER_KEY] = list(doc.ents)
        spans = aligned_spans(doc, [(s, e, label) for s, e, label, *_ in items])
        by_offsets = {(s, e): (value, rule) for s, e, _, value, rule, _ in items}
        columns = {(s, e): column for s, e, *_, column in items if column}
        ents = []
        for span in spans:
            value, rule = by_offsets.get((span.start_char, span.end_char), (None, None))
            if value is None:
                continue
            span.id_ = rule
            ents.append(span)
        doc.set_ents(_non_overlapping(ents), default="outside")
        for span in doc.ents:
            value, _ = by_offsets.get((span.start_char, span.end_char), (None, None))
            span._.value = value
            column = columns.get((span.start_char, span.end_char))
            if column:
                span._.column = column
        if self.nlp.pipe_names and self.nlp.pipe_names[-1] == self.name:
            release_working_state(doc)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # -- candidates ----------------------------------------------------------
    def candidates(self, doc: Doc, text: str | None = None) -> list[Any]:
        """Every possible entity in original offsets, before overlap resolution."""
        from nlp.overlaps import LABEL_RANK, Candidate
        from nlp.tables import table_entities
        from nlp.values.numbers import decimal_convention

        text = doc_text(doc) if text is None else text
        textmap = doc_textmap(doc)
        norm = textmap.norm
        decimal = decimal_convention(norm)
        out: list[Candidate] = []
        for rule in self.regex_rules:
            for match in rule.pattern.finditer(norm):
                groups = rule.groups or (None,)
                for group in groups:
                    if group is not None and match.group(group) is None:
                        continue
                    ns, ne = match.span(group) if group else match.span()
                    start, end = textmap.span(ns, ne)
                    data = {
                        "groups": match.groupdict(),
                        "parser": rule.parser,
                        "group": group,
                        "decimal": decimal,
                    }
                    out.append(
                        Candidate(
                            start,
                            end,
                            rule.label,
                            rule.id,
                            LABEL_RANK[rule.label],
                            rule.priority,
                            rule.context,
                            data=data,
                        )
                    )
        for match in self.gazetteer_re.finditer(norm):
            start, end = textmap.span(*match.span())
            out.append(
                Candidate(
                    start,
                    end,
                    "PROGRAM",
                    "program.gazetteer",
                    LABEL_RANK["PROGRAM"],
                    1,
                    data={"parser": "program"},
                )
            )
        for cell in table_entities(norm, decimal, self.rules_dir):
            start, end = textmap.span(cell.start, cell.end)
            out.append(
                Candidate(
                    start,
                    end,
                    cell.label,
                    cell.rule,
                    cell.rank,
                    5,
                    value=cell.value,
                    data={"column": cell.column},
                )
            )
        out.extend(self._matcher_candidates(doc, text))
        return out

    def _matcher_candidates(self, doc: Doc, text: str) -> list[Any]:
        """Capitalized program names after `Programa`, `Plan`, `Estrategia`…, trimmed and filtered."""
        from nlp.overlaps import LABEL_RANK, Candidate
        from nlp.textmap import fold

        out = []
        for match_id, start, end in self._windowed_matches(doc, text):
            while end > start + 1 and (
                doc[end - 1].text in self.connectors
                or doc[end - 1].is_digit
                or doc[end - 1].is_space
            ):
                end -= 1
            if (
                doc[end - 1].text.endswith("-")
                and end + 1 < len(doc)
                and doc[end].is_space
                and doc[end + 1].is_lower
            ):
                end += 2  # `Trata-⏎miento`: a word hyphenated at the line end stays in the name
            first = doc[start + 1].text if end > start + 1 else ""
            if not (first[:1].isupper() or first in self.first_words):
                continue
            words = [t.text for t in doc[start + 1 : end]]
            capitalized = [w for w in words if w[:1].isupper() or w[:1].isdigit()]
            if not capitalized or all(w in self.generic_words for w in capitalized):
                continue
            span = doc[start:end]
            folded = fold(span.text)
            if any(folded == term or folded.startswith(term + " ") for term in self.not_program):
                continue
            out.append(
                Candidate(
                    span.start_char,
                    span.end_char,
                    "PROGRAM",
                    self.nlp.vocab.strings[match_id],
                    LABEL_RANK["PROGRAM"],
                    0,
                    data={"parser": "program"},
                )
            )
        return out

    def _known_names(self, text: str, chosen: list[Any]) -> list[Any]:
        """Mentions a first pass makes known: bare budget keys of this document's programs,
        and acronyms defined right after a program name (`… Mujeres Rurales (PEPMUR)`)."""
        import regex

        from nlp.gazetteer import lookup
        from nlp.overlaps import LABEL_RANK, Candidate
        from nlp.textmap import fold
        from nlp.values.programs import canonical_name, normalize_key

        programs = [c for c in chosen if c.label == "PROGRAM"]
        if not programs:
            return []
        keys: set[str] = set()
        extra: list[Candidate] = []
        for cand in programs:
            surface = text[cand.start : cand.end]
            if cand.data.get("parser") == "program_key" or cand.data.get("group") == "key":
                key = normalize_key(surface)
            else:
                program = lookup(surface, self.rules_dir)
                key = program.key if program else None
                acronym = self.acronym_re.match(text, cand.end)
                if acronym and fold(acronym.group("acr")) not in self.not_program:
                    name = canonical_name(surface, self.rules_dir)
                    defined_key = normalize_key(
                        acronym.group("acr")
                    )  # `… Familias Trabajadoras (S311)`
                    word = regex.compile(
                        r"(?<![\w-])" + regex.escape(acronym.group("acr")) + r"(?![\w-])"
                    )
                    for hit in word.finditer(text):
                        extra.append(
                            Candidate(
                                hit.start(),
                                hit.end(),
                                "PROGRAM",
                                "program.acronym_defined",
                                LABEL_RANK["PROGRAM"],
                                0,
                                value={"name": name, "key": defined_key},
                            )
                        )
            if key:
                keys.add(key)
        if keys:
            for hit in self.bare_key_re.finditer(text):
                if normalize_key(hit.group()) in keys:
                    extra.append(
                        Candidate(
                            hit.start(),
                            hit.end(),
                            "PROGRAM",
                            "program.known_key",
                            LABEL_RANK["PROGRAM"],
                            0,
                            data={"parser": "program_key"},
                        )
                    )
        return extra

    def _main_program(self, chosen: list[Any]) -> str | None:
        """The program a document is about: its most mentioned program, plans and sectoral
        programs it aligns to left out."""
        from collections import Counter

        from nlp.gazetteer import lookup
        from nlp.textmap import fold

        names: Counter[str] = Counter()
        for cand in chosen:
            if (
                cand.label != "PROGRAM"
                or not isinstance(cand.value, dict)
                or not cand.value.get("name")
            ):
                continue
            name = cand.value["name"]
            program = lookup(name, self.rules_dir)
            if (program and program.role == "alignment") or fold(name).startswith(
                self.alignment_prefixes
            ):
                continue
            names[name] += 1
        return names.most_common(1)[0][0] if names else None

    def _windowed_matches(self, doc: Doc, text: str) -> list[tuple[int, int, int]]:
        """Run the Matcher only on windows that start at a head word (`Programa`, `Fondo`…):
        the patterns cannot match anywhere else, and most of a document has no head word.
        Each match is returned already cut (`_cut`)."""
        matches: list[tuple[int, int, int]] = []
        last_end = -1
        for hit in self.head_re.finditer(text):
            head = doc.char_span(hit.start(), hit.end())
            if head is None or head.start < last_end:
                continue
            window = doc[head.start : min(len(doc), head.start + MAX_NAME_TOKENS)]
            for match_id, start, end in self.matcher(window):
                if start == 0:
                    # cut first: a second name after the cut (`… Hambre y con el Programa …`) gets its own window
                    end = self._cut(doc, text, head.start, head.start + end)
                    matches.append((match_id, head.start, end))
                    last_end = end
        return matches

    def _cut(self, doc: Doc, text: str, start: int, end: int) -> int:
        """End of a name before a stop phrase (`para el ejercicio fiscal`) or a second, coordinated name."""
        from nlp.textmap import fold

        name_starts_line = not text[text.rfind("\n", 0, doc[start].idx) + 1 : doc[start].idx].strip(
            " \t*#"
        )
        for token in doc[start + 1 : end]:
            if token.is_space:  # a name goes on across a line break only in wrapped prose
                line_start = text.rfind("\n", 0, token.idx) + 1
                next_line = text[
                    token.idx + len(token.text) : text.find("\n", token.idx + len(token.text))
                    % (len(text) + 1)
                ]
                if (
                    name_starts_line
                    or token.idx - line_start < MIN_WRAPPED_LINE
                    or ":" in next_line[:40]  # the next line is a `Label: value` of a data block
                    or (
                        token.i + 1 < end and doc[token.i + 1].text in self.generic_words
                    )  # `…\nEl programa`
                ):
                    end = token.i
                    break
        words = [fold(t.text) for t in doc[start:end]]
        for i in range(1, len(words)):
            if words[i] in ("de", "del") and any(
                t.text in self.institution_words
                for t in doc[start + i + 1 : min(end, start + i + 3)]
            ):
                return start + i  # `… de la Comisión Nacional de Vivienda` is the operator
            if words[i] in ("y", "e") and any(
                t.text in self.head_words for t in doc[start + i + 1 : min(end, start + i + 4)]
            ):  # `y con el Programa`
                return start + i
            for phrase in self.stop_phrases:
                if words[i : i + len(phrase)] == phrase:
                    return start + i
        return end

    # -- values --------------------------------------------------------------
    def _assign_values(self, chosen: list[Any], text: str) -> None:
        """Read each chosen entity's value; PROGRAM keys only where the document states them."""
        from nlp.values.dates import date_value
        from nlp.values.money import amount_value
        from nlp.values.percent import percent_value
        from nlp.values.programs import canonical_name, normalize_key
        from nlp.values.years import year_value

        parsers: dict[str, Callable[[dict[str, Any], Any], Any]] = {
            "year": lambda g, d: year_value(g),
            "date": lambda g, d: date_value(g, self.rules_dir),
            "percent": lambda g, d: percent_value(g, d),
            "amount": lambda g, d: amount_value(_scale_group(g), d, self.rules_dir),
        }
        stated: dict[str, str | None] = {}  # key -> canonical name stated beside it
        for cand in chosen:
            if cand.value is not None:
                if (
                    cand.label == "PROGRAM"
                    and isinstance(cand.value, dict)
                    and cand.value.get("key")
                ):
                    stated[cand.value["key"]] = cand.value[
                        "name"
                    ]  # a key defined in parentheses after its name
                continue
            parser = cand.data.get("parser")
            if parser in parsers:
                try:
                    cand.value = parsers[parser](cand.data["groups"], cand.data.get("decimal"))
                except (ValueError, KeyError):
                    cand.value = None
            elif parser == "program_key" or (
                parser == "program" and cand.data.get("group") == "key"
            ):
                key = normalize_key(text[cand.start : cand.end])
                cand.value = {"name": None, "key": key}
                if key:
                    stated.setdefault(key, None)
            elif parser == "program":
                cand.value = {
                    "name": canonical_name(text[cand.start : cand.end], self.rules_dir),
                    "key": None,
                }
        # A quoted name right after a key names that key's program.
        for cand in chosen:
            if cand.label == "PROGRAM" and cand.data.get("group") == "name":
                key_group = cand.data["groups"].get("key")
                key = normalize_key(key_group) if key_group else None
                if key:
                    stated[key] = cand.value["name"]
        from nlp.rules import program_lookup
        from nlp.textmap import fold

        main = self._main_program(chosen)
        for key, name in list(stated.items()):
            if (
                name is None
            ):  # a key stated alone: the gazetteer's program, else the document's subject
                program = program_lookup(self.rules_dir).get(fold(key))
                stated[key] = program.name if program else main
        name_to_key = {name: key for key, name in stated.items() if name}
        for cand in chosen:
            if cand.label != "PROGRAM" or not isinstance(cand.value, dict):
                continue
            if cand.value["name"] is None:  # a bare key
                key = cand.value["key"]
                cand.value = {"name": stated.get(key) or key, "key": key} if key else None
            else:
                cand.value = {
                    "name": cand.value["name"],
                    "key": name_to_key.get(cand.value["name"]),
                }
        from nlp.catalog import link_value  # catalogue id (docs/catalog.md)

        for cand in chosen:
            if cand.label == "PROGRAM" and isinstance(cand.value, dict):
                cand.value = link_value(cand.value, None, self.rules_dir)

    # -- serialization ---------------------------------------------------------
    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        """Save the rules with the pipeline so it loads anywhere, without the repo's rules/."""
        from nlp.settings import rules_dir

        path = Path(path)
        target = path / "rules"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(rules_dir(self.rules_dir), target)

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> EntityRecognizer:
        self.rules_dir = str(Path(path) / "rules")
        self._load_rules()
        self._loaded = True
        return self


def _widen_over_markup(text: str, start: int, end: int) -> tuple[int, int]:
    """A name split by markup (`**IMSS**⏎⏎**BIENESTAR**`) is one span, outer markers included."""
    while start >= 2 and text[start - 2 : start] == "**":
        start -= 2
    while text[end : end + 2] == "**":
        end += 2
    return start, end


def _scale_group(groups: dict[str, Any]) -> dict[str, Any]:
    """Merge the alternative scale group of the `$` rule into `scale`."""
    if groups.get("scale2") and not groups.get("scale"):
        groups = {**groups, "scale": groups["scale2"]}
    return groups


def _non_overlapping(spans: list[Span]) -> list[Span]:
    """Spans widened to tokens can collide; keep the first of any overlapping pair."""
    out: list[Span] = []
    end = -1
    for span in sorted(spans, key=lambda s: (s.start, -len(s))):
        if span.start >= end:
            out.append(span)
            end = span.end
    return out


@Language.factory(
    "fichas_entities",
    default_config={"rules_dir": None},
    assigns=["doc.ents", "span._.value"],
)
def make_entities(nlp: Language, name: str, rules_dir: str | None) -> EntityRecognizer:
    """Factory of the entity recognizer (`rules_dir=None`: the project's rules folder)."""
    return EntityRecognizer(nlp, name, rules_dir)


__all__ = ["EntityRecognizer", "make_entities", "ENTITY_LABELS"]
