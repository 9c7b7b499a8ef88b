"""Embedding clauses and items, and the Chroma index of clauses and their examples."""

from llmqa.index.embedders import Embedder, make_embedder
from llmqa.index.retriever import Hit, Retriever

__all__ = ["Embedder", "Hit", "Retriever", "make_embedder"]
