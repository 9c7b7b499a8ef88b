"""The docs keep up with the code, in the style of sqlite-utils' docs tests: every command
and every option is documented, the command reference is current, and every relative link in
the README and docs/ resolves."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md"))
README = ROOT / "README.md"
_spec = importlib.util.spec_from_file_location("cli_reference",
                                               ROOT / "scripts" / "cli_reference.py")
assert _spec is not None and _spec.loader is not None
cli_reference: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli_reference)


def _commands() -> list[tuple[list[str], Any]]:
    from llmqa.cli import app

    return [(path, command) for path, command in cli_reference.command_paths(app) if path]


def _all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [README, *DOCS])


def test_the_command_reference_is_current() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == cli_reference.render(), (
        "docs/cli.md is out of date: run python scripts/cli_reference.py")


def test_every_command_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [" ".join(path) for path, command in _commands()
               if not getattr(command, "commands", None)
               and f"llmqa {' '.join(path)}" not in readme]
    assert not missing, f"commands the README never shows: {missing}"


@pytest.mark.parametrize("path", [p for p, _ in _commands()], ids=" ".join)
def test_every_option_is_documented(path: list[str]) -> None:
    command = dict((tuple(p), c) for p, c in _commands())[tuple(path)]
    text = _all_docs()
    for param in command.params:
        for option in [*param.opts, *param.secondary_opts]:
            if option.startswith("-") and option not in ("-h", "--help"):
                assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text), (
                    f"llmqa {' '.join(path)} {option} appears nowhere in README.md or docs/")


def test_every_relative_link_resolves() -> None:
    broken = []
    for page in [README, *DOCS]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if not (page.parent / target.split("#")[0]).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_help_points_only_to_docs_that_exist() -> None:
    for path in (ROOT / "src" / "llmqa").rglob("*.py"):
        for name in re.findall(r"docs/([\w-]+\.md)", path.read_text(encoding="utf-8")):
            assert (ROOT / "docs" / name).exists(), f"{path.relative_to(ROOT)} -> docs/{name}"


def _spelled_commands() -> list[tuple[str, str]]:
    """Every ``llmqa ...`` a user is told to type: code spans in the messages and docstrings of
    the source, scripts, benchmarks and evals; code spans and shell lines in the READMEs and
    docs/ (not the generated reference, whose deprecation note names the old spellings on
    purpose)."""
    found: list[tuple[str, str]] = []
    pages = [README, ROOT / "evals" / "README.md", *[p for p in DOCS if p.name != "cli.md"]]
    scripts = [p for p in (ROOT / "scripts").iterdir() if p.is_file()]
    sources = sorted([*(ROOT / "src" / "llmqa").rglob("*.py"), *scripts,
                      *(ROOT / "benchmarks").glob("*.py"), *(ROOT / "evals").glob("*.py")])
    for path in [*pages, *sources]:
        text = path.read_text(encoding="utf-8").replace("\\\n", " ")
        where = str(path.relative_to(ROOT))
        found += [(where, m) for m in re.findall(r"`{1,2}(llmqa [^`\n]+)`{1,2}", text)]
        if path.suffix == ".md":
            for block in re.findall(r"```(?:bash|sh|console)?\n(.*?)```", text, re.S):
                found += [(where, line.strip()) for line in block.splitlines()
                          if line.strip().startswith("llmqa ")]
    return found


def test_every_command_we_tell_users_to_type_exists_as_spelled() -> None:
    """A hint or a doc that names an old flag or a command that is gone teaches the old way."""
    import typer.main

    from llmqa.cli import app

    # Typer carries its own copy of click: groups are told apart by their sub-commands.
    root: Any = typer.main.get_command(app)
    wrong = []
    for where, spelled in _spelled_commands():
        tokens = re.split(r"\s+(?:\||&&|;|#|>).*", spelled)[0].split()[1:]
        if tokens and "{" in tokens[0]:
            continue  # a template filled in at run time (`llmqa {step}`)
        command = root
        while tokens and hasattr(command, "commands"):
            names = tokens[0].split("|")
            if not all(name in command.commands for name in names):
                break
            if len(names) > 1:  # `llmqa decisions export|import|history`: no options follow
                tokens = []
                break
            command = command.commands[tokens.pop(0)]
        if tokens and hasattr(command, "commands") and not tokens[0].startswith("-"):
            wrong.append(f"{where}: `{spelled}`: no command {tokens[0]!r}")
            continue
        known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        known |= {"-h", "--help", "--version"}
        for token in tokens:
            name = token.split("=")[0].rstrip(",.;:)")
            if name.startswith("-") and name not in ("-", "--") and name not in known:
                wrong.append(f"{where}: `{spelled}`: {name} is not an option of it")
    assert not wrong, "\n".join(wrong)

