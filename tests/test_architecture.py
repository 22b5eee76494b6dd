"""The import rules of pyproject.toml ([tool.importlinter]) hold, and they really bite: a copy of the tree
with one import that points the wrong way fails them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")
pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter er ikke installeret")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root,
                          capture_output=True, text=True, timeout=300)


def _copy_tree(target: Path) -> Path:
    for package in ("models", "matcher", "service"):
        shutil.copytree(REPO / package, target / package, ignore=shutil.ignore_patterns("__pycache__", "*.html",
                                                                                       "*.css", "*.mako"))
    shutil.copy(REPO / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_tree_keeps_its_import_rules() -> None:
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(("module", "wrong_import", "contract"), [
    ("models/store.py", "import matcher.ranking", "service -> matcher -> models"),
    ("matcher/scoring.py", "import service.core.audit", "service -> matcher -> models"),
    ("matcher/scoring.py", "import sqlalchemy", "matcher is pure"),
    ("service/core/rematch.py", "import service.http.problems", "inside service"),
    ("service/importer/rows.py", "import service.cli.audit", "inside service"),
])
def test_an_import_against_the_direction_fails(tmp_path: Path, module: str, wrong_import: str, contract: str) -> None:
    root = _copy_tree(tmp_path)
    path = root / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{wrong_import}  # against the rules\n", encoding="utf-8")
    result = _lint(root)
    assert result.returncode != 0
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout
