"""A package that installs: the wheel carries `rules/` and the section model, and
`fichas annotate` works from a fresh virtualenv, in a directory outside the repository.

Offline and fast: the wheel is built without build isolation from a clean copy of the
sources, the fresh virtualenv has no pip, and its dependencies come from this
virtualenv's site-packages through a `.pth` line (the package itself does not: a `.pth`
line adds a folder, not the editable-install hooks inside it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SEEDS

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FICHAS_", "PYTHON"))}
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for folder in ("nlp", "rules"):
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", dist, src)  # fmt: skip
    (path,) = dist.glob("fichas-*.whl")
    return path


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    )
    (purelib / "_fichas_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         "-q", wheel)  # fmt: skip
    return venv


@pytest.mark.issue(13)
def test_the_wheel_carries_every_package_the_rules_and_the_model(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (REPO / "nlp").rglob("__init__.py"):
        assert init.relative_to(REPO).as_posix() in names, f"{init} is not in the wheel"
    for path in (REPO / "rules").rglob("*"):
        if path.is_file():
            assert "nlp/rules_data/" + path.relative_to(REPO / "rules").as_posix() in names
    assert "nlp/resources/section_model/model.joblib" in names


@pytest.mark.issue(13)
def test_fichas_annotate_from_a_fresh_virtualenv_outside_the_repo(
    fresh_venv: Path, tmp_path: Path
) -> None:
    python, fichas = fresh_venv / "bin" / "python", fresh_venv / "bin" / "fichas"
    where = _run(python, "-c", "import nlp.settings as s; print(s.__file__); print(s.rules_dir())",
                 cwd=tmp_path)  # fmt: skip
    module, rules = where.split()
    assert module.startswith(str(fresh_venv)) and rules.startswith(str(fresh_venv))
    seed = tmp_path / SEEDS[1].name
    shutil.copy(SEEDS[1], seed)
    _run(fichas, "annotate", seed, "--out", tmp_path / "out.jsonl", "--base", "blank", cwd=tmp_path)
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    labels = {e["label"] for e in record["entities"]}
    assert {"PROGRAM", "YEAR", "AMOUNT"} <= labels and record["sections"]


def _declared() -> tuple[set[str], str]:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["web"]
    names = {re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0].lower() for spec in specs}
    sklearn = next(s for s in project["dependencies"] if s.startswith("scikit-learn"))
    return names, sklearn


@pytest.mark.issue(13)
def test_every_library_nlp_imports_is_declared() -> None:
    import ast
    import importlib.metadata

    names, _ = _declared()
    distributions = importlib.metadata.packages_distributions()
    imported = set()
    for path in (REPO / "nlp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"nlp"}
    missing = {
        module: distributions.get(module)
        for module in third_party
        if not {d.lower() for d in distributions.get(module, [module])} & names
    }
    assert missing == {}


def test_scikit_learn_is_pinned_to_the_shipped_model() -> None:
    """The section model is a pickle: the pinned minor version is the one it was saved with."""
    meta = json.loads((REPO / "nlp/resources/section_model/meta.json").read_text())
    major, minor, *_ = meta["sklearn_version"].split(".")
    _, spec = _declared()
    assert f">={major}.{minor}" in spec and f"<{major}.{int(minor) + 1}" in spec
