"""Reports for people: one self-contained HTML page per batch."""

from llmqa.reporting.html import build_report, confusion_heatmap, render_report, triage_section

__all__ = ["build_report", "confusion_heatmap", "render_report", "triage_section"]
