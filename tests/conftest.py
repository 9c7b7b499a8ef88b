"""Shared fixtures: an isolated home, a fast deterministic embedder, tiny guideline folders.

Unit tests use ``FakeEmbedder`` (hashed bag of words: instant, deterministic, no model). Tests
marked ``slow`` use the real ``LocalEmbedder``, loaded once per session; they still run in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from llmqa.index.embedders import LocalEmbedder

from llmqa.testing import FakeEmbedder

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_GUIDELINES = REPO_ROOT / "guidelines"


def modules_loaded_by(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` in the repository root:
    what an import or a call costs, unmixed with what this test process already loaded."""
    import json
    import subprocess
    import sys

    probe = f"{code}\nimport json as _j, sys as _s; print(_j.dumps(sorted(_s.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=120, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))



@pytest.fixture
def tmp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in ``tmp_path`` with LLMQA_HOME pointing there and no stray LLMQA_*/OpenAI settings."""
    import os

    for name in list(os.environ):
        if name.startswith("LLMQA_") or name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LLMQA_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def cli_fake_embedder(monkeypatch: pytest.MonkeyPatch) -> FakeEmbedder:
    """Make every ``Workspace`` (and so every CLI command) use one FakeEmbedder."""
    import llmqa.index.embedders as embedders

    fake = FakeEmbedder()
    monkeypatch.setattr(embedders, "make_embedder",
                        lambda spec="local", base_url=None, cache_dir=None: fake)
    return fake


@pytest.fixture(scope="session")
def local_embedder() -> Iterator[LocalEmbedder]:
    """The real all-MiniLM-L6-v2 embedder, loaded once for the whole session."""
    from llmqa.index.embedders import LocalEmbedder

    embedder = LocalEmbedder()
    embedder.embed(["warm up"])
    yield embedder


def write_files(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(dedent(text).lstrip(), encoding="utf-8")
    return folder


TINY_HATE = """
    # Hate speech

    Preamble: attacks on people for a protected characteristic. Not a clause.

    ## HATE-1 Attacks on protected groups

    Shared context for the clauses below.

    ### HATE-1.1 Dehumanising comparisons
    Label: hate

    Content that compares a protected group to animals, vermin or disease.

    In scope:
    - [lyrics] "[group] are rats crawling through our town." (why: vermin comparison)
    - [title] "[group] Are A Disease"

    Out of scope:
    - [transcript] "Historians explain how propaganda called [group] vermin." (why: GEN-1.1 history)
    - [lyrics] "My ex is a snake." (why: one person, no protected characteristic)

    ### HATE-1.2 Calls for exclusion
    Label: hate

    Content that calls for a protected group to be expelled or segregated.

    In scope:
    - [lyrics] "No [group] in our schools, send them all back."
    - [description] "Why [group] should be banned from public office."

    Out of scope:
    - [transcript] "Immigration levels should be lower, here is the economic case."
    - [description] "A support group podcast for survivors."
"""

TINY_SPAM = """
    # Spam

    ## SPAM-1 Platform manipulation

    ### SPAM-1.1 Keyword stuffing
    Label: spam

    Titles or descriptions stuffed with unrelated artist names or search terms.

    In scope:
    - [title] "Rain Sounds Sleep Music Drake Taylor Swift Lofi Study Beats"
    - [description] "best music top hits viral trending free download free download"

    Out of scope:
    - [title] "Rain Sounds for Sleep (10 Hours)"
    - [description] "A long but accurate description of a ten hour ambient recording."

    ## GEN-1 Context

    ### GEN-1.1 News and history
    Label: allowed

    Reporting or historical analysis of harmful content, without endorsing it.

    In scope:
    - [transcript] "Historians explain how wartime propaganda worked."
    - [description] "A news report on a court case about online threats."

    Out of scope:
    - [transcript] "A 'documentary' that praises the attack it describes."
    - [title] "The Truth They Hide: [group] Did It"
"""


@pytest.fixture
def tiny_guidelines(tmp_path: Path) -> Path:
    """A two-file structured guideline folder: HATE-1.1, HATE-1.2, SPAM-1.1, GEN-1.1."""
    return write_files(tmp_path / "guidelines", {"hate.md": TINY_HATE, "spam.md": TINY_SPAM})
