"""One loop for every structured question llmqa asks a model: ask, check, re-ask once.

``ask_until_valid`` sends the messages through the seam (with the retry layer for transport
failures), decides whether the reply is usable, and when it is not, but the problem is one
a model can fix (a malformed answer, a citation it was not shown), asks again with its own
answer and the problem appended. The judge, the example generator and revision drafting all
use it, so a re-ask looks the same everywhere and the result always carries the attempts,
every reply (hence token usage) and the last raw answer.

Whether a reply is usable is ``check(reply)``: by default ``reply_problem``, which accepts
exactly the schema-valid replies. A caller adds a meaning check by composing with it, e.g.
``lambda r: reply_problem(r) or citations_problem(r.parsed)``; the generator, which salvages
the valid examples of an invalid reply, replaces it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel

from llmqa.llm.failures import Failure, classify_exception
from llmqa.llm.messages import Message, assistant
from llmqa.llm.reply import Reply, ReplyStatus, Usage
from llmqa.llm.retry import RetryPolicy, call_with_retries

if TYPE_CHECKING:
    from llmqa.llm.seam import ChatSeam


@dataclass(frozen=True)
class Problem:
    """Why a reply cannot be used: a status (a ``ReplyStatus`` value or the caller's own,
    such as ``invalid_citation``) and a message the model can act on."""

    status: str
    message: str


Check = Callable[[Reply], Problem | None]


def reply_problem(reply: Reply) -> Problem | None:
    """The default check: a schema-valid reply is usable, anything else says why not."""
    if reply.status is ReplyStatus.OK:
        return None
    return Problem(reply.status.value, reply.error or reply.status.value)


@dataclass
class Asked(Usage):
    """What asking produced: every reply, the transport attempts they took, and either an
    accepted answer or the reason there is none (``problem`` or ``failure``)."""

    replies: list[Reply] = field(default_factory=list)
    attempts: int = 0
    problem: Problem | None = None  # why the last reply was not usable
    failure: Failure | None = None  # the transport failure that ended the asking

    @property
    def ok(self) -> bool:
        return bool(self.replies) and self.problem is None and self.failure is None

    @property
    def reply(self) -> Reply | None:
        return self.replies[-1] if self.replies else None

    @property
    def answer(self) -> BaseModel | None:
        return self.replies[-1].parsed if self.ok else None

    @property
    def raw(self) -> str | None:
        return self.replies[-1].raw if self.replies else None



async def ask_until_valid(seam: ChatSeam, messages: Sequence[Message], schema: type[BaseModel],
                          *, check: Check = reply_problem,
                          reask: Callable[[Problem], Message] | None = None, reasks: int = 1,
                          reaskable: Collection[str] = (ReplyStatus.PARSE_ERROR,),
                          retry: RetryPolicy | None = None,
                          deadline: float | None = None,
                          before_reask: Callable[[Asked], None] | None = None) -> Asked:
    """Ask until ``check`` accepts a reply, re-asking at most ``reasks`` times.

    A re-ask appends the model's own answer and ``reask(problem)`` (the follow-up message,
    rendered by the caller from its template) and happens only for a problem whose status is
    in ``reaskable``: a refusal or a content-filter stop would come back the same. Transport
    failures go through ``retry`` (``deadline``: an absolute event-loop time shared by every
    call for one item) and end the asking with ``failure`` set; nothing is raised.

    ``before_reask`` sees the unusable answer just before its re-ask is sent, so a caller can
    store it first: a run killed during the re-ask then loses one call, not two.
    """
    policy = retry or RetryPolicy()
    asked = Asked()
    history = list(messages)
    for turn in range(max(0, reasks) + 1):
        attempts = [0]

        def count(number: int, attempts: list[int] = attempts) -> None:
            attempts[0] = number

        def call(m: list[Message] = history) -> Awaitable[Reply]:
            return seam.ask(m, schema)

        try:
            reply = await call_with_retries(policy, call, on_attempt=count, deadline=deadline)
        except Exception as exc:
            asked.attempts += attempts[0]
            asked.failure = classify_exception(exc)
            return asked
        asked.attempts += attempts[0]
        asked.replies.append(reply)
        asked.problem = check(reply)
        if (asked.problem is None or reask is None or turn == reasks
                or asked.problem.status not in reaskable):
            return asked
        if before_reask is not None:
            before_reask(asked)
        history = [*history, assistant(reply.raw), reask(asked.problem)]
    return asked  # pragma: no cover - the loop always returns
