"""A workspace ties settings to the objects built from them: guidelines, embedder, index.

The CLI is a thin shell over this; a notebook does the same work with::

    ws = Workspace.from_settings(guidelines="guidelines")
    ws.index.sync(ws.guidelines)
    ws.index.search("a podcast episode mocking a religious group")
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from llmqa.config import Settings, load_settings
from llmqa.guidelines import GuidelineSet, load_guidelines

if TYPE_CHECKING:
    from llmqa.index.chroma_index import ClauseIndex
    from llmqa.index.embedders import Embedder
    from llmqa.index.retriever import Retriever


class Workspace:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def from_settings(cls, **flags: Any) -> Workspace:
        return cls(load_settings(**flags))

    @cached_property
    def guidelines(self) -> GuidelineSet:
        return load_guidelines(self.settings.guidelines)

    @cached_property
    def embedder(self) -> Embedder:
        from llmqa.index.embedders import make_embedder

        return make_embedder(self.settings.embedder, base_url=self.settings.base_url,
                             cache_dir=self.settings.home_path / "models")

    @cached_property
    def index(self) -> ClauseIndex:
        from llmqa.index.chroma_index import ClauseIndex, make_client

        embedder = self.embedder  # a bad --embedder fails before any folder is created
        client = make_client(self.settings.home_path, self.settings.chroma_url)
        return ClauseIndex(client, embedder, self.settings.collection)

    def retriever(self, sync: bool = True) -> Retriever:
        """A retriever over the current guidelines, indexing first when the index is stale."""
        if sync:
            self.index.sync(self.guidelines)
        return self.index.retriever(self.guidelines)
