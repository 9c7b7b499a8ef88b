"""How fast the embedded model runs, for the dry run's time estimate.

The embedded SmolLM2-135M runs on the CPU one call at a time (llama.cpp contexts are not
thread-safe), so a batch takes its model load plus every prompt's processing plus every
answer's generation. The rates are measured by ``benchmarks/bench_local_model.py`` on the
project's reference machine (2 shared CPU cores, see evals/README.md); on another machine the
estimate is off by the ratio of its speed, and that script prints the rates to use there.
"""

from __future__ import annotations

# bench_local_model.py, 8 sample items, 2 cores shared at load average ~5 (2026-12-01): load
# 1.8 s, prompts 33 tokens/s (llama-cpp-python's default of one thread on 2 cores; about
# 1,200 prompt tokens an item, hardly any of them a prefix shared with the previous item),
# answers 13.8 tokens/s, 110 answer tokens an item. An idle machine is faster: the estimate
# errs long there.
LOAD_SECONDS = 2.0
PROMPT_TOKENS_PER_S = 33.0
ANSWER_TOKENS_PER_S = 14.0
# The local grammar bounds the rationale (300 characters) and the cited clauses: its answers
# are shorter than a remote model's.
ANSWER_TOKENS = 110


def seconds(tokens_in: int, tokens_out: int, calls: int) -> float:
    """Estimated wall time of ``calls`` embedded-model calls with these token totals."""
    if calls <= 0:
        return 0.0
    return LOAD_SECONDS + tokens_in / PROMPT_TOKENS_PER_S + tokens_out / ANSWER_TOKENS_PER_S
