"""The shared trimming helpers (report excerpts, terminal reasons, guideline quotes)."""

from llmqa.text import one_line, trim


def test_trim_cuts_at_a_word_boundary_within_the_limit() -> None:
    assert trim("short", 10) == "short"
    cut = trim("the quick brown fox jumps over the lazy dog", 20)
    assert cut == "the quick brown…" and len(cut) <= 20
    assert trim("abcdefghijklmnopqrstuvwxyz", 10) == "abcdefghi…"  # no space: a hard cut


def test_one_line_folds_whitespace_before_trimming() -> None:
    assert one_line("first line\n\n  second\tline", 100) == "first line second line"
    assert one_line("a " * 200, 50).endswith("…") and len(one_line("a " * 200, 50)) <= 50
