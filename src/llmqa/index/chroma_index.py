"""The clause index: clauses and their examples as vectors in a Chroma collection.

One document per clause text and per example, keyed ``CLAUSE_ID#CLAUSE_HASH#part`` so a
clause edit replaces exactly that clause's documents. The collection's metadata records the
embedder (name, dimension), the distance, the guideline version it holds and whether it is
``ready``. ``sync`` marks the collection ``building`` before it writes and ``ready`` with the
new version only after every write, so a run killed mid-index leaves an index that refuses
queries until the next ``llmqa index`` completes it (re-embedding only what is missing).

Local by default (``PersistentClient`` under ``.llmqa/chroma``); a team shares one index by
pointing every command at a Chroma server with ``--chroma-url http://host:8000``.
"""

from __future__ import annotations

import contextlib
import errno
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from llmqa.errors import INDEX, REBUILD_INDEX, ConfigError, Hint, IndexMismatchError, StoreError
from llmqa.guidelines.model import GuidelineSet
from llmqa.index.documents import clause_documents
from llmqa.index.embedders import Embedder
from llmqa.index.retriever import Hit, Retriever, score_clauses

DISTANCE = "cosine"
EXACT_SEARCH_LIMIT = 5000
_KEYS = ("llmqa_embedder", "llmqa_dimension", "llmqa_distance", "llmqa_version", "llmqa_state")


@dataclass(frozen=True)
class SyncReport:
    version: str
    clauses: int
    added: int
    changed: int
    removed: int
    documents_embedded: int
    seconds: float
    general: int = 0  # general rules: read with every item, so not indexed

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()

    def summary(self) -> str:
        return (f"indexed guideline version {self.version}: {self.clauses} clauses "
                f"({self.added} added, {self.changed} changed, {self.removed} removed), "
                f"{self.documents_embedded} documents embedded in {self.seconds:.1f}s"
                + (f"; {self.general} general rules not indexed (the judge reads them with "
                   "every item)" if self.general else ""))


def make_client(home: Path, chroma_url: str | None = None):
    import chromadb  # heavy; only commands that touch the index pay for it
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        if not parsed.hostname:
            raise ConfigError(f"'{chroma_url}' is not a URL like http://host:8000",
                              hint=Hint("check {}", ("chroma_url",)))
        try:
            return chromadb.HttpClient(host=parsed.hostname, port=parsed.port or 8000,
                                       ssl=parsed.scheme == "https", settings=chroma_settings)
        except Exception as exc:  # chromadb 1.x: ValueError("Could not connect ..."); by version
            raise ConfigError(f"no Chroma server answers at {chroma_url} ({exc})", hint=Hint(
                "start one (the `chroma run` command) or check {}",
                ("chroma_url",))) from exc
    return LocalClient(home / "chroma", chroma_settings)


class LocalClient:
    """A local Chroma folder, opened on first use. Looking a collection up where no folder
    exists is a miss that creates nothing: ``llmqa search`` before any ``llmqa index`` must
    not leave an empty index behind (Chroma makes its folder and database when it opens)."""

    def __init__(self, path: Path, settings: Any) -> None:
        self.path, self._settings = path, settings
        self._opened: Any = None

    def _client(self) -> Any:
        if self._opened is None:
            import chromadb

            self.path.mkdir(parents=True, exist_ok=True)
            self._opened = chromadb.PersistentClient(path=str(self.path),
                                                     settings=self._settings)
        return self._opened

    def get_collection(self, name: str, **kwargs: Any) -> Any:
        if self._opened is None and not self.path.exists():
            raise ValueError(f"Collection {name} does not exist")
        return self._client().get_collection(name, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client(), name)


_STORAGE_PROBLEMS = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded",
                     errno.EROFS: "read-only file system", errno.EACCES: "permission denied"}


def _storage_problem(exc: BaseException) -> str | None:
    """What a storage failure inside Chroma means for the user, or None for other errors."""
    for error in (exc, exc.__cause__, exc.__context__):
        if isinstance(error, OSError) and error.errno in _STORAGE_PROBLEMS:
            return _STORAGE_PROBLEMS[error.errno]
    text = str(exc).lower()
    if "disk is full" in text or "no space left" in text:
        return "disk full"
    if "readonly database" in text or "read-only file system" in text:
        return "read-only file system"
    return None


class ClauseIndex:
    def __init__(self, client: Any, embedder: Embedder, name: str = "llmqa_clauses") -> None:
        if len(name) < 3:
            raise ConfigError(f"collection name '{name}' is too short (Chroma needs 3+ characters)")
        self.client = client
        self.embedder = embedder
        self.name = name

    # -- collection state -------------------------------------------------------------------
    def _collection(self, create: bool = False):
        if create:
            return self.client.get_or_create_collection(
                self.name, embedding_function=None, configuration={"hnsw": {"space": DISTANCE}})
        try:
            return self.client.get_collection(self.name, embedding_function=None)
        except Exception as exc:  # chromadb raises NotFoundError or ValueError by version
            raise IndexMismatchError(f"no clause index '{self.name}' yet",
                                     hint=Hint("build it with {}", (INDEX,))) from exc

    def info(self) -> dict[str, Any]:
        collection = self._collection()
        meta = dict(collection.metadata or {})
        return {k.removeprefix("llmqa_"): meta.get(k) for k in _KEYS} | {
            "documents": collection.count(), "collection": self.name}

    def _check_embedder(self, meta: dict[str, Any]) -> None:
        built_with = meta.get("llmqa_embedder")
        if built_with and built_with != self.embedder.name:
            raise IndexMismatchError(
                f"index '{self.name}' was built with embedder '{built_with}' but this run uses "
                f"'{self.embedder.name}'",
                hint=Hint("rebuild it with {} or use the embedder it was built with ({})",
                          (REBUILD_INDEX, "embedder")))
        distance = meta.get("llmqa_distance")
        if distance and distance != DISTANCE:
            raise IndexMismatchError(f"index '{self.name}' uses distance '{distance}', "
                                     f"expected '{DISTANCE}'")

    def _set_state(self, collection: Any, meta: dict[str, Any], **values: Any) -> None:
        # Chroma overwrites collection metadata as a whole; keep every key we own.
        merged = {k: v for k, v in {**meta, **values}.items() if k in _KEYS and v is not None}
        collection.modify(metadata=merged)
        meta.update(merged)

    # -- building ---------------------------------------------------------------------------
    def rebuild(self, guidelines: GuidelineSet) -> SyncReport:
        with contextlib.suppress(Exception):  # absent collection: nothing to delete
            self.client.delete_collection(self.name)
        return self.sync(guidelines)

    def sync(self, guidelines: GuidelineSet) -> SyncReport:
        """Bring the index up to ``guidelines``, embedding only what is missing. A full or
        read-only disk is a ``StoreError`` that says so (Chroma reports it many ways: an
        ``OSError``, SQLite's "database or disk is full", a Rust I/O error); the index stays
        marked ``building`` and the next run completes it."""
        try:
            return self._sync(guidelines)
        except Exception as exc:
            problem = _storage_problem(exc)
            if problem is None:
                raise
            raise StoreError(f"index '{self.name}': {problem} while indexing; free space (or "
                             "fix the permissions) and re-run to complete the index") from exc

    def _sync(self, guidelines: GuidelineSet) -> SyncReport:
        started = time.perf_counter()
        collection = self._collection(create=True)
        meta = dict(collection.metadata or {})
        self._check_embedder(meta)
        wanted: dict[str, tuple[str, dict[str, Any]]] = {}
        for clause in guidelines.by_id.values():
            for doc_id, text, doc_meta in clause_documents(clause):
                wanted[doc_id] = (text, doc_meta)
        existing = collection.get(include=["metadatas"])
        have = {doc_id: m for doc_id, m in zip(existing["ids"], existing["metadatas"], strict=True)}
        # Both sides from documents: a clause without any (a general rule) is not indexed.
        old_clauses = {m["clause_id"]: m["clause_hash"] for m in have.values()}
        new_clauses = {m["clause_id"]: m["clause_hash"] for _, m in wanted.values()}

        self._set_state(collection, meta, llmqa_state="building", llmqa_embedder=self.embedder.name,
                        llmqa_distance=DISTANCE)
        stale = [doc_id for doc_id in have if doc_id not in wanted]
        if stale:
            collection.delete(ids=stale)
        missing = [doc_id for doc_id in wanted if doc_id not in have]
        for start in range(0, len(missing), 256):
            chunk = missing[start:start + 256]
            texts = [wanted[d][0] for d in chunk]
            vectors = self.embedder.embed(texts)
            dimension = meta.get("llmqa_dimension")
            if dimension and int(dimension) != vectors.shape[1]:
                raise IndexMismatchError(f"embedder returns {vectors.shape[1]}-dimensional "
                                         f"vectors; index '{self.name}' holds {dimension}")
            if not dimension:
                self._set_state(collection, meta, llmqa_dimension=int(vectors.shape[1]))
            collection.upsert(ids=chunk, documents=texts, embeddings=vectors.tolist(),
                              metadatas=[wanted[d][1] for d in chunk])
        self._set_state(collection, meta, llmqa_state="ready", llmqa_version=guidelines.version)
        return SyncReport(
            version=guidelines.version, clauses=len(new_clauses),
            added=len(new_clauses.keys() - old_clauses.keys()),
            changed=sum(1 for k in new_clauses.keys() & old_clauses.keys()
                        if new_clauses[k] != old_clauses[k]),
            removed=len(old_clauses.keys() - new_clauses.keys()),
            documents_embedded=len(missing), seconds=time.perf_counter() - started,
            general=len(guidelines.general))

    # -- reading ----------------------------------------------------------------------------
    def _ready_collection(self, guidelines: GuidelineSet | None):
        collection = self._collection()
        meta = dict(collection.metadata or {})
        self._check_embedder(meta)
        if meta.get("llmqa_state") != "ready":
            raise IndexMismatchError(f"index '{self.name}' is incomplete (an indexing run did not "
                                     "finish)", hint=Hint("complete it with {}", (INDEX,)))
        if guidelines is not None and meta.get("llmqa_version") != guidelines.version:
            raise IndexMismatchError(
                f"index '{self.name}' holds guideline version {meta.get('llmqa_version')} but the "
                f"guidelines are at {guidelines.version}",
                hint=Hint("update it with {}", (INDEX,)))
        return collection

    def retriever(self, guidelines: GuidelineSet | None = None) -> Retriever:
        """A snapshot of the index for fast batch retrieval (see ``retriever.py``)."""
        collection = self._ready_collection(guidelines)
        data = collection.get(include=["embeddings", "metadatas", "documents"])
        vectors = np.asarray(data["embeddings"], dtype=np.float32)
        if len(vectors) == 0:
            vectors = vectors.reshape(0, 1)
        return Retriever(self.embedder, vectors,
                         [m["clause_id"] for m in data["metadatas"]],
                         [m["kind"] for m in data["metadatas"]], list(data["documents"]))

    def search(self, text: str, k: int = 5, guidelines: GuidelineSet | None = None,
               exclude_ids: list[str] | None = None) -> list[Hit]:
        """Query Chroma directly (one text); ``exclude_ids`` supports leave-one-out evals."""
        collection = self._ready_collection(guidelines)
        vector = self.embedder.embed([text])
        dimension = (collection.metadata or {}).get("llmqa_dimension")
        if dimension and int(dimension) != vector.shape[1]:
            raise IndexMismatchError(f"embedder returns {vector.shape[1]}-dimensional vectors; "
                                     f"index '{self.name}' holds {dimension}")
        total = max(collection.count(), 1)
        excluded = set(exclude_ids or ())
        # Clause scores combine several documents, so read every document's similarity when
        # the index is of guideline size; very large indexes are scored on the nearest ones.
        if total <= EXACT_SEARCH_LIMIT:
            # Exact: the HNSW graph is approximate and, asked for every document, may return
            # fewer (a crowded clause can then hide every other clause).
            data = collection.get(include=["embeddings", "metadatas", "documents"])
            vectors = np.asarray(data["embeddings"], dtype=np.float32).reshape(len(data["ids"]),
                                                                               -1)
            similarities = (vectors @ vector[0]).tolist() if len(vectors) else []
            rows = zip(data["ids"], data["metadatas"], data["documents"], similarities,
                       strict=True)
        else:
            result = collection.query(query_embeddings=vector.tolist(),
                                      n_results=EXACT_SEARCH_LIMIT,
                                      include=["metadatas", "documents", "distances"])
            rows = zip(result["ids"][0], result["metadatas"][0], result["documents"][0],
                       (1.0 - float(d) for d in result["distances"][0]), strict=True)
        matches = ((meta["clause_id"], meta["kind"], float(similarity), doc)
                   for doc_id, meta, doc, similarity in rows if doc_id not in excluded)
        return score_clauses(matches, k)
