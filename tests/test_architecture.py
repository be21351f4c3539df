"""The shape of the code: imports point one way (no cycle), own-package imports at the top of
each module, modules and functions of a readable size (in nlp/, tests/, scripts/ and bench/), a
thin entities component.

Files the lead owns that do not meet a rule yet are listed by name below, each in a list the
lead empties as they are fixed; a new file is never an exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

NLP = REPO / "nlp"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

#: Where modules and functions are held to the size limits (tests and scripts: no exceptions).
SIZED_DIRS = ("nlp", "tests", "scripts", "bench")
#: Lead-owned modules over the size limits today (issue 13: to be emptied by the lead).
LEAD_FILES_OVER_LIMITS: set[str] = set()
#: Bench files over the size limits today (none left since bench/run.py and profile_pipeline.py
#: were split: keep it empty); a new bench file is never an exception.
BENCH_FILES_OVER_LIMITS: set[str] = set()
#: Modules of other owners (the robust helper, issue 14) over the function limit today.
OTHER_OWNERS_OVER_LIMITS: set[str] = set()
#: Import cycles among lead-owned modules today (none left: keep it empty).
LEAD_CYCLES: list[set[str]] = []
#: Lead- and robust-owned modules that still import the package's own modules inside functions.
OWNER_FILES_WITH_LOCAL_IMPORTS: set[str] = set()
#: Own-package imports that stay inside a function, and why (the import is heavy or optional).
LAZY_OWN_IMPORTS = {
    ("nlp", "nlp.pipeline"): "imports spaCy: `import nlp` stays cheap",
    ("nlp.records", "nlp.extensions"): "imports spaCy: records are read without it",
    ("nlp.records", "nlp.matching"): "imports spaCy: records are read without it",
    ("nlp.cli.serve", "nlp.web.app"): "needs the optional web extra",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(NLP.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _target(node: ast.ImportFrom | ast.Import, module: str, is_package: bool) -> list[str]:
    """The project modules an import statement loads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = module.split(".") if is_package else module.split(".")[:-1]
        if node.level:
            base = base[: len(base) - node.level + 1]
            prefix = ".".join([*base, node.module] if node.module else base)
        else:
            prefix = node.module or ""
        names = [
            f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in MODULES else prefix for a in node.names
        ]
    out = []
    for name in names:
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in MODULES and name != module:
            out.append(name)
    return out


def _imports(module: str) -> list[tuple[str, bool]]:
    """(imported project module, imported inside a function) of every import of `module`
    (imports under `if TYPE_CHECKING:` load nothing and are left out)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.extend(
                    (t, in_function) for t in _target(child, module, path.name == "__init__.py")
                )
            visit(child, inner)

    visit(tree, False)
    return found


GRAPH = {m: sorted({t for t, _ in _imports(m)}) for m in MODULES}


def _cycles() -> list[set[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in GRAPH:
        if v not in index:
            connect(v)
    return groups


@pytest.mark.issue(13)
def test_no_import_cycles() -> None:
    assert len(MODULES) > 40
    assert [c for c in _cycles() if c not in LEAD_CYCLES] == []


def test_the_cycle_check_finds_a_cycle() -> None:
    GRAPH["nlp.settings"] = [*GRAPH["nlp.settings"], "nlp.rules"]  # rules imports settings
    try:
        assert {"nlp.settings", "nlp.rules"} in [
            c & {"nlp.settings", "nlp.rules"} for c in _cycles()
        ]
    finally:
        GRAPH["nlp.settings"].remove("nlp.rules")


@pytest.mark.issue(13)
def test_own_package_imports_are_at_the_top() -> None:
    late = [
        (module, target)
        for module, path in MODULES.items()
        if path.relative_to(REPO).as_posix() not in OWNER_FILES_WITH_LOCAL_IMPORTS
        for target, in_function in _imports(module)
        if in_function and (module, target) not in LAZY_OWN_IMPORTS
    ]
    assert late == []


#: The layers, lowest first: a module imports only from its own layer or lower ones.
#: (Values sit below candidates because a table cell's candidate carries its value.)
LAYERS = [
    ("base", ["nlp.settings", "nlp.textmap", "nlp.manifest", "nlp.readers", "nlp.rules",
              "nlp.gazetteer", "nlp.extensions", "nlp.decoding", "nlp.paths", "nlp.ids",
              "nlp.errors", "nlp.catalog", "nlp.catalog_check", "nlp.labels_es",
              "nlp.progress", "nlp.regex_reading", "nlp.regex_cache"]),
    ("values", ["nlp.values", "nlp.entity_rules"]),
    ("candidates and resolution", ["nlp.candidates", "nlp.table_layout", "nlp.tables",
                                   "nlp.programs", "nlp.overlaps", "nlp.matching",
                                   "nlp.program_names", "nlp.money_context", "nlp.table_rows"]),
    ("records", ["nlp.records", "nlp.gold", "nlp.gold_validation", "nlp.outfile",
                 "nlp.perturb"]),
    ("components", ["nlp.components", "nlp.blocks", "nlp.section_cues", "nlp.section_model",
                    "nlp.section_vectors", "nlp.section_export", "nlp.section_arrays",
                    "nlp.cue_prefilter",
                    "nlp.heading_rules", "nlp.headings", "nlp.reflow",
                    "nlp.section_features", "nlp.section_decoding", "nlp.pipeline", "nlp"]),
    ("batch", ["nlp.annotate", "nlp.batch_pipe", "nlp.parallel", "nlp.section_scores",
               "nlp.entity_scores", "nlp.evaluate", "nlp.eval_report", "nlp.train"]),
    ("index and search", ["nlp.index_schema", "nlp.index_rows", "nlp.index",
                          "nlp.search_query", "nlp.snippets", "nlp.exports", "nlp.search",
                          "nlp.datasette_meta"]),
    ("web and CLI", ["nlp.web", "nlp.program_page", "nlp.cli"]),
]  # fmt: skip


def _layer(module: str) -> int:
    """Index of the layer whose longest prefix names `module` (-1: no layer names it)."""
    found = [
        (len(prefix), index)
        for index, (_, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(found)[1] if found else -1


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if _layer(m) < 0] == [], "add the module to LAYERS"


@pytest.mark.issue(13)
def test_layers_point_one_way() -> None:
    """readers/textmap/rules -> values -> candidates -> records -> components -> batch ->
    index and search -> web and CLI; never upwards."""
    upwards = [
        f"{module} ({LAYERS[_layer(module)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for module, targets in GRAPH.items()
        for target in targets
        if _layer(target) > _layer(module) >= 0
    ]
    assert upwards == []


def _sized_files() -> list[Path]:
    """Every Python file of the sized directories (sub-folders too: a new one is covered)."""
    return sorted(path for folder in SIZED_DIRS for path in (REPO / folder).rglob("*.py"))


def _oversized(relative: str, text: str) -> list[str]:
    """The module and each function of `text` that is over its limit, named by `relative`."""
    lines = text.splitlines()
    out = [f"{relative}: {len(lines)} lines"] if len(lines) > MAX_MODULE_LINES else []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            size = node.end_lineno - node.lineno + 1
            if size > MAX_FUNCTION_LINES:
                out.append(f"{relative}:{node.lineno} {node.name}: {size} lines")
    return out


def _too_long() -> list[str]:
    return [
        found
        for path in _sized_files()
        for found in _oversized(path.relative_to(REPO).as_posix(), path.read_text(encoding="utf-8"))
    ]


@pytest.mark.issue(13)
def test_modules_and_functions_have_a_readable_size() -> None:
    files = {path.relative_to(REPO).as_posix() for path in _sized_files()}
    assert {"nlp/pipeline.py", "tests/conftest.py", "bench/run.py"} <= files
    known = LEAD_FILES_OVER_LIMITS | OTHER_OWNERS_OVER_LIMITS | BENCH_FILES_OVER_LIMITS
    too_long = [p for p in _too_long() if p.split(":")[0] not in known]
    assert too_long == []


def test_the_size_check_finds_a_long_module_and_function() -> None:
    """The limits themselves: 400 lines and 60 pass, one more fails."""
    function = "def f():\n" + "    x = 1\n" * (MAX_FUNCTION_LINES - 1)
    filler = "y = 0\n" * (MAX_MODULE_LINES - MAX_FUNCTION_LINES)
    assert _oversized("tests/test_x.py", function + filler) == []
    longer = function + "    x = 2\n" + filler
    assert _oversized("tests/test_x.py", longer) == [
        f"tests/test_x.py: {MAX_MODULE_LINES + 1} lines",
        f"tests/test_x.py:1 f: {MAX_FUNCTION_LINES + 1} lines",
    ]


def test_the_exception_lists_only_name_files_that_still_need_them() -> None:
    """A file fixed leaves its list, so the lists only shrink."""
    too_long = {p.split(":")[0] for p in _too_long()}
    assert LEAD_FILES_OVER_LIMITS | OTHER_OWNERS_OVER_LIMITS | BENCH_FILES_OVER_LIMITS <= too_long
    assert all(name.startswith("bench/") for name in BENCH_FILES_OVER_LIMITS)
    assert all(cycle in _cycles() for cycle in LEAD_CYCLES)
    late = {
        MODULES[m].relative_to(REPO).as_posix()
        for m in MODULES
        for target, in_function in _imports(m)
        if in_function and (m, target) not in LAZY_OWN_IMPORTS
    }
    assert OWNER_FILES_WITH_LOCAL_IMPORTS <= late


def test_the_entities_component_is_thin() -> None:
    lines = (NLP / "components" / "entities.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 150
