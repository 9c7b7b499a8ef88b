"""The CI-sized variant of evals/kill_trials.py (the full run is 20 trials × 2,000 items)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location("kill_trials", ROOT / "evals" / "kill_trials.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_kill_nine_then_resume_keeps_every_promise(capsys):
    args = ["--trials", "3", "--items", "120", "--concurrency", "8", "--seed", "3",
            "--malformed", "0.1"]
    assert _load().main(args) == 0
    out = capsys.readouterr().out
    assert "3/3 trials kept every promise" in out
