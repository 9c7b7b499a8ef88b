"""Generated-example eval: how many candidates survive verification, and why the rest drop.

For a handful of clauses (a text clause, a threat clause, a title clause, a media clause and a
contextual exception by default) the generator writes in-scope examples and near misses, and
the verifier drops those that are malformed, near duplicates, retrieved in the wrong place or
classified otherwise by the judge asked blind. The eval reports per clause how many were
generated and kept, the kept rate, and the drop reasons. A good generator keeps most of its
candidates with a strong model; a kept rate near zero with a strong model means the prompt or
the checks need work, and the reasons say which.

Needs a configured model: ``--model NAME`` (with ``OPENAI_API_KEY`` or ``--base-url``), or
``OPENAI_API_KEY`` alone (uses gpt-4o-mini), or ``LLMQA_MODEL``; ``--model local`` runs the
embedded model as a plumbing check (expect almost everything dropped). Without one the eval
prints that it was skipped and exits 0.

    python evals/examples_eval.py --model gpt-4o-mini
    python evals/examples_eval.py --base-url http://localhost:8000/v1 --model Qwen2.5-7B-Instruct
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLAUSES = ["HARASS-1.2", "HATE-1.1", "SPAM-2.2", "SEX-1.2", "GEN-1.4"]


def configured_model(flag: str | None) -> str | None:
    if flag:
        return flag
    if os.environ.get("LLMQA_MODEL"):
        return os.environ["LLMQA_MODEL"]
    if os.environ.get("OPENAI_API_KEY"):
        return "gpt-4o-mini"
    return None


async def run_eval(model: str, base_url: str | None, clause_ids: list[str], count: int,
                   embedder: str, guidelines: Path) -> dict:
    from llmqa.generation import (
        CandidateGenerator,
        ExamplePipeline,
        GenerationConfig,
        Verifier,
        VerifyConfig,
    )
    from llmqa.judge import Judge, JudgeConfig
    from llmqa.llm.backends import BackendSpec, make_chat_model, make_seam
    from llmqa.workspace import Workspace

    local = model == "local"
    home = tempfile.mkdtemp(prefix="llmqa-examples-eval-")
    ws = Workspace.from_settings(home=home, guidelines=str(guidelines), embedder=embedder,
                                 base_url=base_url)
    unknown = [c for c in clause_ids if c not in ws.guidelines.by_id]
    if unknown:
        raise SystemExit(f"unknown clause(s): {', '.join(unknown)}")
    if local:
        spec = BackendSpec(model="local", model_kwargs={"max_tokens": 900})
        gen_seam = judge_seam = make_seam(spec, make_chat_model(spec))
        judge_config = JudgeConfig.for_backend(spec)
    else:
        gen_seam = make_seam(BackendSpec(model=model, base_url=base_url, temperature=0.7,
                                         max_tokens=2500))
        judge_spec = BackendSpec(model=model, base_url=base_url)
        judge_seam = make_seam(judge_spec)
        judge_config = JudgeConfig.for_backend(judge_spec)
    generator = CandidateGenerator(gen_seam, ws.guidelines, GenerationConfig(
        per_kind=count, max_chars=300 if local else None))
    verifier = Verifier(ws.guidelines, ws.retriever(), Judge(judge_seam, ws.guidelines,
                                                             judge_config),
                        VerifyConfig(concurrency=1 if local else 8))
    run = await ExamplePipeline(generator, verifier).run(
        [ws.guidelines.by_id[c] for c in clause_ids])
    return run.to_dict()


def render(result: dict) -> str:
    lines = [f"model {result['model']}, guidelines {result['guideline_version']}", "",
             f"{'clause':<12} {'generated':>9} {'kept':>5} {'rate':>6}  reasons"]
    for row in result["clauses"]:
        rate = row["kept"] / row["generated"] if row["generated"] else 0.0
        reasons = ", ".join(f"{k} {v}" for k, v in row["reasons"].items()) or "-"
        lines.append(f"{row['clause_id']:<12} {row['generated']:>9} {row['kept']:>5} "
                     f"{rate:>6.0%}  {reasons}")
    total = result["generated"]
    rate = result["kept"] / total if total else 0.0
    lines.append(f"{'all':<12} {total:>9} {result['kept']:>5} {rate:>6.0%}  "
                 + (", ".join(f"{k} {v}" for k, v in result["reasons"].items()) or "-"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model spec, as for `llmqa examples --model`")
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL"))
    parser.add_argument("--clauses", nargs="+", default=DEFAULT_CLAUSES)
    parser.add_argument("--count", type=int, default=3, help="in- and out-of-scope, each")
    parser.add_argument("--embedder", default="local")
    parser.add_argument("--guidelines", type=Path, default=ROOT / "guidelines")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    model = configured_model(args.model)
    if model is None:
        print("examples eval skipped: no model configured (pass --model, or set "
              "OPENAI_API_KEY or LLMQA_MODEL)")
        return 0
    if model != "local" and not (os.environ.get("OPENAI_API_KEY") or args.base_url
                                 or model.startswith("class:")):
        print(f"examples eval skipped: model '{model}' needs OPENAI_API_KEY or --base-url")
        return 0
    sys.path.insert(0, str(ROOT / "src"))
    result = asyncio.run(run_eval(model, args.base_url, args.clauses, args.count,
                                  args.embedder, args.guidelines))
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
