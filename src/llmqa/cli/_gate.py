"""``llmqa gate`` lives in cli/_decisions.py: the trust gate is about decisions."""

from llmqa.cli._decisions import gate as gate  # re-exported: cli/__init__.py registers it
