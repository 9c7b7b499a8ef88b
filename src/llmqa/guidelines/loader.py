"""Load a folder (or a single file) of guidelines into a ``GuidelineSet``."""

from __future__ import annotations

from pathlib import Path

from llmqa.errors import IMPORT_GUIDELINES, GuidelineError, Hint
from llmqa.guidelines.model import NO_VIOLATION_LABEL, Clause, GuidelineSet
from llmqa.guidelines.parser import declared_no_violation, has_clause_headings, parse_structured
from llmqa.guidelines.plain import parse_plain

GUIDELINE_SUFFIXES = (".md", ".markdown", ".txt")
DEFAULT_GUIDELINES_DIR = "guidelines"


def guideline_files(path: Path, missing: Hint | None = None) -> list[Path]:
    if path.is_file():
        if _documents([path]):
            raise GuidelineError(f"{path}: a {path.suffix.lower()} document is not read as "
                                 "guidelines", hint=_IMPORT_FIRST)
        return [path]
    if not path.is_dir():
        raise GuidelineError(f"{path}: no such guidelines folder or file", hint=missing)
    files = sorted(p for p in path.iterdir()
                   if p.suffix.lower() in GUIDELINE_SUFFIXES and p.is_file()
                   and not p.name.lower().startswith("readme") and not _leaves(path, p))
    if not files:
        documents = _documents(sorted(path.iterdir()))
        raise GuidelineError(f"{path}: no guideline files (*.md, *.txt) found" + (
            f"; {len(documents)} document(s) such as {documents[0].name}" if documents else ""),
            hint=_IMPORT_FIRST if documents else None)
    return files


_IMPORT_FIRST = Hint("turn a document into clauses with {} first", (IMPORT_GUIDELINES,))
# Guidelines found through the settings are missing where the user can name others.
_NAME_OTHERS = Hint("name the guidelines folder or file with {}", ("guidelines",))


def _documents(paths: list[Path]) -> list[Path]:
    """The PDF, Word and HTML files among ``paths``: guidelines, but only once imported."""
    others = [p for p in paths if p.suffix.lower() not in GUIDELINE_SUFFIXES]
    if not others:  # the usual case: the importer and its parsers stay unloaded
        return []
    from llmqa.guidelines.importing.extract import SUFFIXES

    return [p for p in others if p.suffix.lower() in SUFFIXES]


def _leaves(root: Path, path: Path) -> bool:
    """A link out of the guidelines folder (to ``/etc/passwd``, a home folder) is not
    followed: a shared policy repository must not pull in files from the machine it runs on."""
    return path.is_symlink() and not path.resolve().is_relative_to(root.resolve())


def links_not_followed(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return [f"{p}: a link to {p.resolve()}, outside {root}; not followed"
            for p in sorted(root.iterdir()) if _leaves(root, p)]


def parse_document(text: str, source: str) -> tuple[list[Clause], list[str]]:
    if has_clause_headings(text):
        return parse_structured(text, source)
    return parse_plain(text, source)


def load_guidelines(path: str | Path = DEFAULT_GUIDELINES_DIR, *,
                    from_setting: bool = False) -> GuidelineSet:
    """``from_setting``: ``path`` is the ``guidelines`` setting, which a missing path's error
    then names."""
    root = Path(path)
    clauses: list[Clause] = []
    problems: list[str] = links_not_followed(root)
    files = guideline_files(root, _NAME_OTHERS if from_setting else None)
    declared: dict[str, str] = {}  # label -> where it is declared
    for file in files:
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise GuidelineError(f"{file}: not valid UTF-8 (byte {exc.start}); "
                                 "re-save it as UTF-8") from exc
        if not text.strip():
            problems.append(f"{file}: empty file, no clauses")
            continue
        if (declaration := declared_no_violation(text)) is not None:
            declared.setdefault(declaration[0], f"{file}:{declaration[1]}")
        found, file_problems = parse_document(text, str(file))
        clauses.extend(found)
        problems.extend(file_problems)
    if not clauses:
        raise GuidelineError(f"{root}: no clauses found in {len(files)} file(s)")
    if len(declared) > 1:
        # Either reading would judge half the batch against the wrong label.
        raise GuidelineError("two no-violation labels declared: " + "; ".join(
            f"{label} ({where})" for label, where in declared.items()) + ". Declare one")
    return GuidelineSet(clauses=tuple(clauses), sources=tuple(str(f) for f in files),
                        problems=tuple(problems),
                        no_violation_label=next(iter(declared), NO_VIOLATION_LABEL))
