"""Declared dependencies match what the code imports: every third-party package imported
under src/llmqa is declared in pyproject.toml, and every runtime dependency is imported there
(so nothing is installed for nobody, and nothing works only by the accident of a transitive
install)."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "llmqa"
# Declared but never imported by name, on purpose: the CPU build of torch is pinned here for
# sentence-transformers, which imports it (see README and scripts/setup).
# python-multipart: starlette imports it (not llmqa) to parse the review app's form posts.
NOT_IMPORTED_ON_PURPOSE = {"torch", "python-multipart"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _imported_top_level() -> dict[str, str]:
    """Top-level third-party module -> one file importing it (module level or deferred)."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "llmqa" and top not in sys.stdlib_module_names and top != "__future__":
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


@functools.cache
def _mapping() -> Mapping[str, list[str]]:
    return importlib.metadata.packages_distributions()  # walks every installed package: once


def _distributions(module: str) -> set[str]:
    mapping = _mapping()
    # A module of an optional extra that is not installed here (e.g. model2vec, fast-embed)
    # has no installed distribution to ask: take its own name, as its distribution uses.
    found = mapping.get(module) or [module]
    return {d.lower().replace("_", "-") for d in found}


def test_every_imported_package_is_declared() -> None:
    project = _pyproject()
    declared = {_name(r) for r in project["dependencies"]}
    declared |= {_name(r) for extra in project["optional-dependencies"].values() for r in extra}
    undeclared = {module: where for module, where in _imported_top_level().items()
                  if not _distributions(module) & declared}
    assert not undeclared, f"imported under src/ but not declared in pyproject: {undeclared}"


def test_every_runtime_dependency_is_imported() -> None:
    imported = _imported_top_level()
    provided = set().union(*(_distributions(m) for m in imported))
    runtime = {_name(r) for r in _pyproject()["dependencies"]}
    unused = runtime - provided - NOT_IMPORTED_ON_PURPOSE
    assert not unused, (f"runtime dependencies nothing under src/ imports: {sorted(unused)}; "
                        "move test-only ones to the dev extra")


def test_test_only_packages_are_not_runtime_dependencies() -> None:
    runtime = {_name(r) for r in _pyproject()["dependencies"]}
    dev = {_name(r) for r in _pyproject()["optional-dependencies"]["dev"]}
    assert {"statsmodels", "krippendorff"} <= dev
    assert not {"statsmodels", "krippendorff", "pytest"} & runtime
