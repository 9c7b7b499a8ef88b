"""Running the judge over a batch: concurrency, resume, budget, progress."""

from llmqa.runner.review import ReviewOptions, ReviewRunner, ReviewSummary

__all__ = ["ReviewOptions", "ReviewRunner", "ReviewSummary"]
