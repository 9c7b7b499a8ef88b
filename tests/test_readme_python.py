"""The README's "Use it from Python" script runs as written: against the OpenAI-protocol stub
(a real HTTP server on 127.0.0.1) for the judge and the embeddings, on the start of the
sample batch, with the state folder in tmp_path."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from llmqa.testing import OpenAIStub

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "examples/sample_batch/items.jsonl"


def _snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it from Python", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "the README's Python section has a python code block"
    return found.group(1)


@pytest.mark.slow  # a fresh interpreter imports Chroma, sklearn and cleanlab: ~40 s idle
@pytest.mark.timeout(900)
def test_readme_python_script_reviews_a_batch_and_prints_the_queue(tmp_path: Path) -> None:
    code = _snippet()
    assert SAMPLE in code and len(code.strip().splitlines()) <= 16
    small = tmp_path / "items.jsonl"  # the first 60 items: same script, a shorter run
    lines = (ROOT / SAMPLE).read_text(encoding="utf-8").splitlines()[:60]
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMQA_", "OPENAI_"))}
    with OpenAIStub() as stub:
        env |= {"OPENAI_BASE_URL": stub.url, "OPENAI_API_KEY": "sk-test",
                "LLMQA_EMBEDDER": "openai:stub-embed", "LLMQA_HOME": str(tmp_path / "home"),
                "PYTHONPATH": str(ROOT / "src")}
        done = subprocess.run([sys.executable, "-c", code.replace(SAMPLE, str(small))],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=850,
                              check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout.splitlines()
    assert out[0] == "60 items, 0 rows rejected"
    assert out[1].startswith("{'agree': 60}") and "cost:" in out[1]  # the stub always agrees
    queue = out[2:]
    assert len(queue) == 10 and queue[0].startswith("1 ")
    assert (tmp_path / "home" / "llmqa.db").exists()
