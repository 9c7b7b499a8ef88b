"""Reading and writing items and results in JSONL, CSV and Parquet."""

from llmqa.io.readers import ReadReport, RowError, detect_format, read_items
from llmqa.io.writers import write_records

__all__ = ["ReadReport", "RowError", "detect_format", "read_items", "write_records"]
