"""Jinja2 prompt templates from ``prompts/``, and the hash that versions them.

Templates are found in ``LLMQA_PROMPTS`` when set, else the repository's ``prompts/`` folder
(source checkouts and editable installs), else ``<prefix>/share/llmqa/prompts`` (wheels).
The prompt hash covers the text of every template a prompt uses, so editing a template
re-reviews exactly the verdicts made with it.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path

import jinja2

from llmqa.errors import ConfigError


def prompts_dir() -> Path:
    # Looked up once per LLMQA_PROMPTS value: it is asked for on every prompt rendered, and
    # the file checks cost a millisecond each time.
    return _prompts_dir(os.environ.get("LLMQA_PROMPTS") or "")


@cache
def _prompts_dir(configured: str) -> Path:
    candidates = []
    if configured:
        candidates.append(Path(configured))
    candidates += [Path(__file__).resolve().parents[2] / "prompts",
                   Path(sys.prefix) / "share" / "llmqa" / "prompts"]
    for candidate in candidates:
        if (candidate / "judge_system.j2").is_file():
            return candidate.resolve()
    raise ConfigError("prompt templates not found; set LLMQA_PROMPTS to the prompts/ folder")


def environment(folder: Path | None = None) -> jinja2.Environment:
    # Resolved before the cache: a changed LLMQA_PROMPTS must not render the old templates
    # while ``template_hash`` already hashes the new ones.
    return _environment(Path(folder).resolve() if folder else prompts_dir())


@cache
def _environment(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


def template_hash(names: list[str], folder: Path | None = None) -> str:
    base = folder or prompts_dir()
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode() + b"\0" + (base / name).read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def render(name: str, folder: Path | None = None, **context: object) -> str:
    return environment(folder).get_template(name).render(**context).strip()
