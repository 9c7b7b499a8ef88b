"""``llmqa serve``: the review app where analysts work the triage queue and record decisions.

``load`` reads what it serves (items, queue, verdicts, decisions, guideline, gate), ``queue``
filters it in memory, ``security`` keeps it local, authenticated and inert to hostile
content, ``app`` holds the routes; see docs/review-app.md.
"""

from llmqa.serve.app import create_app
from llmqa.serve.load import ServeData, load
from llmqa.serve.queue import QueueFilter, ReviewQueue
from llmqa.serve.security import check_bind, listen

__all__ = ["QueueFilter", "ReviewQueue", "ServeData", "check_bind", "create_app", "listen", "load"]
