"""The LLM judge: one item plus its retrieved clauses in, one structured verdict out."""

from llmqa.judge.judge import Judge, JudgeConfig
from llmqa.judge.schema import Verdict, VerdictLabel, VerdictStatus, answer_model

__all__ = ["Judge", "JudgeConfig", "Verdict", "VerdictLabel", "VerdictStatus", "answer_model"]
