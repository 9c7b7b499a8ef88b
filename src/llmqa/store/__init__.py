"""Durable local state: verdicts, runs, item snapshots and Batch API jobs in SQLite."""

from llmqa.store.verdicts import RunLock, VerdictStore

__all__ = ["RunLock", "VerdictStore"]
