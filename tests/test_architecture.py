"""The shape of the package: no import cycles among llmqa modules, LangChain only under llm/.

Both tests read the source with ``ast`` instead of importing it, so they see every module,
including ones no other test imports, and they name the offending modules and lines.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "llmqa"


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(src: Path) -> dict[str, Path]:
    return {_module_name(path, src): path for path in sorted((src / PACKAGE).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: the top level and the bodies of
    top-level ``if``/``try``/``with`` blocks, but not ``if TYPE_CHECKING:`` (never run) and not
    function or class bodies."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody,
                              *(h.body for h in node.handlers)):
                    visit(block)
            elif isinstance(node, ast.With):
                visit(node.body)

    visit(tree.body)
    return found


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    # A package's own name is its first level; a module's first level is its package.
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(src: Path = SRC) -> dict[str, dict[str, int]]:
    """``{importer: {imported: line}}`` for module-level llmqa -> llmqa imports.

    Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first, so those count as
    imported too, except a module's own ancestors (already being imported when it runs).
    ``from pkg import name`` points at ``pkg.name`` when that is a module, else at ``pkg``.
    """
    modules = _modules(src)
    graph: dict[str, dict[str, int]] = {name: {} for name in modules}
    for importer, path in modules.items():
        own = set(_ancestors(importer))
        is_package = path.name == "__init__.py"

        def add(target: str, line: int, explicit: bool, importer: str = importer,
                own: set[str] = own) -> None:
            for name in [*_ancestors(target), target]:
                if name not in modules or name == importer:
                    continue
                if name in own and not (explicit and name == target):
                    continue
                graph[importer].setdefault(name, line)

        for node in _module_level_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name, node.lineno, explicit=True)
                continue
            base = _absolute(node, importer, is_package)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in modules:
                    add(sub, node.lineno, explicit=True)
                else:
                    add(base, node.lineno, explicit=True)
    return graph


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]``, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _describe(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    steps = [f"{a} imports {b} (line {graph[a][b]})" for a, b in itertools.pairwise(cycle)]
    return "import cycle among llmqa modules:\n  " + "\n  ".join(steps)


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert len(graph) > 50  # the walk found the package
    cycle = find_cycle(graph)
    assert cycle is None, _describe(cycle, graph)


def test_langchain_only_under_llm() -> None:
    allowed = SRC / PACKAGE / "llm"
    offenders = []
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        if allowed in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):  # any level
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{path.relative_to(SRC)}:{node.lineno} imports {name}"
                          for name in names if name.split(".")[0].startswith("langchain")]
    assert not offenders, "LangChain imported outside src/llmqa/llm/:\n  " + "\n  ".join(
        offenders)


# -- the checks themselves catch what they claim to -----------------------------------------
def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_cycle_check_sees_from_imports_relative_imports_and_package_inits(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "llmqa/__init__.py": "",
        "llmqa/a/__init__.py": "from llmqa.a.one import thing\n",
        "llmqa/a/one.py": "from ..b import other\nthing = 1\n",
        "llmqa/b/__init__.py": "",
        "llmqa/b/other.py": "import llmqa.a.two\n",
        "llmqa/a/two.py": "x = 1\n",
        "llmqa/c.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                       "    from llmqa.d import y\n\ndef f():\n    from llmqa.d import y\n"),
        "llmqa/d.py": "from llmqa.c import f\n",
    })
    graph = import_graph(src)
    # one -> b.other -> a (package init, via a.two) -> one
    assert graph["llmqa.a.one"] == {"llmqa.b": 1, "llmqa.b.other": 1}
    assert "llmqa.a" in graph["llmqa.b.other"]
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1]
    assert {"llmqa.a", "llmqa.a.one", "llmqa.b.other"} <= set(cycle)
    # TYPE_CHECKING and function-level imports are not module-level: c and d are no cycle.
    assert graph["llmqa.c"] == {}
    (src / "llmqa/b/other.py").write_text("x = 1\n")
    assert find_cycle(import_graph(src)) is None


@pytest.mark.parametrize("line", ["import langchain_core.messages",
                                  "    from langchain_openai import ChatOpenAI"])
def test_langchain_check_sees_nested_imports(tmp_path: Path, line: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    body = line if not line.startswith(" ") else f"def f():\n{line}\n"
    _tree(tmp_path, {"llmqa/__init__.py": "", "llmqa/judge.py": body + "\n",
                     "llmqa/llm/seam.py": "import langchain_core\n"})
    monkeypatch.setattr(f"{__name__}.SRC", tmp_path)
    with pytest.raises(AssertionError, match=r"llmqa/judge.py:\d imports langchain"):
        test_langchain_only_under_llm()
