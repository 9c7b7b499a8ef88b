"""One structured request from a system text and a user text, for callers outside the judge.

Kept as the single place where such callers build chat messages, so moving to llmqa's own
message types touches one function.
"""

from __future__ import annotations

import asyncio

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel

from llmqa.llm.seam import ChatSeam, Reply


def ask_once(seam: ChatSeam, system: str, user: str, schema: type[BaseModel]) -> Reply:
    """Ask once and wait; transport errors are raised as the seam raises them."""
    messages = [SystemMessage(content=system), HumanMessage(content=user)]
    return asyncio.run(seam.ask(messages, schema))
