"""Durable local state: verdicts, runs, item snapshots and Batch API jobs in SQLite."""

from llmqa.store.verdicts import RunLock, VerdictStore, locked_store

__all__ = ["RunLock", "VerdictStore", "locked_store"]
