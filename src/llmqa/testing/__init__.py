"""Test doubles shipped with llmqa, so teams can test their own pipelines around it.

- ``FakeChatModel`` (re-exported from ``llmqa.llm.fake``): an in-process chat model.
- ``FakeEmbedder``: hashed bag-of-words vectors, no model, records what it embeds.
- ``distinct_copies``: many distinct item rows sampled from a few (benchmarks, trials).
- ``OpenAIStub``: a real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions,
  embeddings, files and batches protocol, which counts requests and misbehaves on request.
"""

from llmqa.llm.fake import FakeChatModel
from llmqa.testing.fake_embedder import FakeEmbedder
from llmqa.testing.openai_stub import Behaviour, OpenAIStub
from llmqa.testing.sample_copies import distinct_copies

__all__ = ["Behaviour", "FakeChatModel", "FakeEmbedder", "OpenAIStub", "distinct_copies"]
