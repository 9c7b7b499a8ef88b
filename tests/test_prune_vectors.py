"""``llmqa prune-vectors``: cached item vectors of other embedders go, verdicts stay."""

from __future__ import annotations

import numpy as np

from llmqa.store import VerdictStore
from review_helpers import clean_env, run_main


def _cache(home, embedder: str, n: int) -> None:
    with VerdictStore(home) as store:
        store.save_vectors(embedder, {f"h{embedder}{i}": np.ones(4, np.float32).tobytes()
                                      for i in range(n)})


def test_prune_keeps_the_configured_embedder_and_dry_run_changes_nothing(
        tmp_path, monkeypatch, capsys) -> None:
    clean_env(monkeypatch)
    home = tmp_path / "home"
    _cache(home, "sentence-transformers/all-MiniLM-L6-v2", 3)
    _cache(home, "openai:text-embedding-3-small", 5)
    code, out, _ = run_main(["prune-vectors", "--home", str(home), "--dry-run"], capsys)
    assert code == 0 and "openai:text-embedding-3-small" in out and "drop" in out
    with VerdictStore(home) as store:
        assert sum(n for n, _ in store.vector_counts().values()) == 8
    code, out, _ = run_main(["prune-vectors", "--home", str(home)], capsys)
    assert code == 0 and "dropped 5 cached item vectors" in out
    with VerdictStore(home) as store:
        assert store.vector_counts() == {"sentence-transformers/all-MiniLM-L6-v2": (3, 48)}
    code, out, _ = run_main(["prune-vectors", "--home", str(home), "--all"], capsys)
    assert "dropped 3" in out
    code, out, _ = run_main(["prune-vectors", "--home", str(home)], capsys)
    assert "no cached item vectors" in out and "dropped 0" in out


def test_upkeep_on_a_home_without_a_store_refuses_and_makes_nothing(
        tmp_path, monkeypatch, capsys) -> None:
    """A mistyped --home must not become a new, empty store that then says "nothing to
    do": prune-vectors and reparse refuse as a read does, and leave no folder behind."""
    from pathlib import Path

    clean_env(monkeypatch)
    home = tmp_path / "typo"
    guidelines = str(Path(__file__).resolve().parents[1] / "guidelines")
    for args in (["prune-vectors", "--dry-run"], ["prune-vectors"], ["reparse", "-g", guidelines]):
        code, _, err = run_main([*args, "--home", str(home)], capsys)
        assert code == 1 and f"no store at {home}/llmqa.db" in err, (args, err)
        assert not home.exists(), args
