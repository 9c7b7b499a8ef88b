"""The LLM seam: every model call in llmqa goes through ``ChatSeam``.

Judge, example generator and evals depend on ``ChatSeam`` and LangChain message types only;
which backend answers (an OpenAI-compatible endpoint, any LangChain chat model, the embedded
llama.cpp model, or the fake used in tests) is chosen once, in ``backends.make_chat_model``.
"""

from llmqa.llm.backends import BackendSpec, make_chat_model
from llmqa.llm.fake import FakeChatModel
from llmqa.llm.seam import ChatSeam, Failure, Reply, ReplyStatus

__all__ = [
    "BackendSpec",
    "ChatSeam",
    "Failure",
    "FakeChatModel",
    "Reply",
    "ReplyStatus",
    "make_chat_model",
]
