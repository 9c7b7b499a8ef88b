"""The LLM judge: one item plus its retrieved clauses in, one structured verdict out.

The verdict records live in the base module ``llmqa.verdicts`` (the store uses them too);
they are re-exported here for callers that know them as the judge's.
"""

from llmqa.judge.judge import Judge, JudgeConfig
from llmqa.verdicts import Verdict, VerdictLabel, VerdictStatus, answer_model, answer_problem

__all__ = ["Judge", "JudgeConfig", "Verdict", "VerdictLabel", "VerdictStatus", "answer_model",
           "answer_problem"]
