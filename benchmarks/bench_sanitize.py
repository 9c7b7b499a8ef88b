"""Time the marker breaking every item's text goes through before it reaches the judge.

``judge.sanitize.break_markers`` finds marker look-alikes on a normalised skeleton of the
text. For ASCII text (the common case) the skeleton is the text itself and the index map a
``range``. This prints the whole call on that fast path; the same call plus building the index
map as a list (what a list-typed map would cost); and building the general path's skeleton
(NFKC, invisible characters dropped, an index list) alone, which non-ASCII text pays before
the same matching: for a short, a medium and a long item text.

    python benchmarks/bench_sanitize.py
"""

from __future__ import annotations

import timeit

from llmqa.judge import sanitize


def per_call_us(call, number: int) -> float:
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1e6


def main() -> None:
    print(f"{'text':<22} {'fast path':>10} {'+ index list':>13} {'skeleton only':>14}")
    for name, text in (("200 chars, ASCII", "word " * 40), ("2,000 chars, ASCII", "word " * 400),
                       ("20,000 chars, ASCII", "word " * 4000)):
        number = max(200, 200_000 // len(text))
        fast = per_call_us(lambda t=text: sanitize.break_markers(t), number)
        as_list = per_call_us(lambda t=text: (list(range(len(t))),
                                              sanitize.break_markers(t)), number)
        general = per_call_us(lambda t=text: sanitize._skeleton(t), number)
        print(f"{name:<22} {fast:>8.1f}us {as_list:>11.1f}us {general:>12.1f}us")


if __name__ == "__main__":
    main()
