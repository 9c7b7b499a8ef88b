"""The clause index: incremental sync, identity checks, crash recovery, retrieval parity,
a real Chroma server, the real local embedder and an OpenAI-compatible embeddings stub."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_GUIDELINES, FakeEmbedder
from llmqa.cli import app
from llmqa.cli._common import flag
from llmqa.errors import BackendError, ConfigError, IndexMismatchError
from llmqa.guidelines import GuidelineSet, load_guidelines
from llmqa.index.chroma_index import ClauseIndex, clause_documents, make_client
from llmqa.index.embedders import LocalEmbedder, OpenAIEmbedder, make_embedder
from llmqa.workspace import Workspace

runner = CliRunner()


def _index(home: Path, embedder: Any, name: str = "llmqa_clauses") -> ClauseIndex:
    return ClauseIndex(make_client(home), embedder, name)


def _doc_count(guidelines: GuidelineSet) -> int:
    return sum(len(clause_documents(c)) for c in guidelines.by_id.values())


def _stored(index: ClauseIndex) -> dict[str, dict[str, Any]]:
    data = index.client.get_collection(index.name).get(include=["metadatas"])
    return dict(zip(data["ids"], data["metadatas"], strict=True))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- sync ---------------------------------------------------------------------------------------

def test_sync_indexes_every_document(tmp_path: Path, tiny_guidelines: Path,
                                     fake_embedder: FakeEmbedder) -> None:
    guidelines = load_guidelines(tiny_guidelines)
    index = _index(tmp_path / "home", fake_embedder)
    report = index.sync(guidelines)
    assert _doc_count(guidelines) == 20
    assert (report.clauses, report.added, report.changed, report.removed) == (4, 4, 0, 0)
    assert report.documents_embedded == 20 and len(fake_embedder.texts) == 20
    assert index.info() == {
        "embedder": "fake/bow-256", "dimension": 256, "distance": "cosine",
        "version": guidelines.version, "state": "ready", "documents": 20,
        "collection": "llmqa_clauses"}
    kinds = sorted(m["kind"] for m in _stored(index).values())
    assert kinds == ["clause"] * 4 + ["in"] * 8 + ["out"] * 8

    fake_embedder.reset()
    again = index.sync(guidelines)
    assert again.documents_embedded == 0 and fake_embedder.calls == []
    assert (again.added, again.changed, again.removed) == (0, 0, 0)


def test_resync_after_editing_one_clause_embeds_only_that_clause(
        tmp_path: Path, tiny_guidelines: Path, fake_embedder: FakeEmbedder) -> None:
    index = _index(tmp_path / "home", fake_embedder)
    before = load_guidelines(tiny_guidelines)
    index.sync(before)
    _edit(tiny_guidelines / "hate.md", "expelled or segregated", "expelled or excluded")
    after = load_guidelines(tiny_guidelines)
    fake_embedder.reset()
    report = index.sync(after)
    edited = after.by_id["HATE-1.2"]
    assert sorted(fake_embedder.texts) == sorted(t for _, t, _ in clause_documents(edited))
    assert (report.changed, report.added, report.removed, report.documents_embedded) == (
        1, 0, 0, 5)
    stored = _stored(index)
    assert len(stored) == 20
    assert {m["clause_hash"] for m in stored.values() if m["clause_id"] == "HATE-1.2"} == {
        edited.content_hash}
    assert index.info()["version"] == after.version


def test_removed_clause_documents_are_deleted(tmp_path: Path, tiny_guidelines: Path,
                                              fake_embedder: FakeEmbedder) -> None:
    index = _index(tmp_path / "home", fake_embedder)
    index.sync(load_guidelines(tiny_guidelines))
    text = (tiny_guidelines / "hate.md").read_text(encoding="utf-8")
    (tiny_guidelines / "hate.md").write_text(text[:text.index("### HATE-1.2")], encoding="utf-8")
    fake_embedder.reset()
    report = index.sync(load_guidelines(tiny_guidelines))
    assert (report.removed, report.documents_embedded) == (1, 0)
    stored = _stored(index)
    assert len(stored) == 15 and "HATE-1.2" not in {m["clause_id"] for m in stored.values()}
    assert all(h.clause_id != "HATE-1.2" for h in index.search("send them all back", k=4))


# -- identity checks ----------------------------------------------------------------------------

def test_other_embedder_name_is_refused(tmp_path: Path, tiny_guidelines: Path,
                                        fake_embedder: FakeEmbedder) -> None:
    guidelines = load_guidelines(tiny_guidelines)
    home = tmp_path / "home"
    _index(home, fake_embedder).sync(guidelines)
    other = _index(home, FakeEmbedder(name="fake/other"))
    with pytest.raises(IndexMismatchError, match="built with embedder 'fake/bow-256'"):
        other.search("rats")
    with pytest.raises(IndexMismatchError) as refused:
        other.sync(guidelines)
    # The library names the call and the setting; the command line its command and flag.
    assert "`Workspace.index.rebuild(guidelines)`" in str(refused.value)
    assert "`embedder`" in str(refused.value)
    assert ("rebuild it with `llmqa index --rebuild` or use the embedder it was built with "
            "(--embedder)") in refused.value.describe(flag)
    with pytest.raises(IndexMismatchError):
        other.retriever(guidelines)
    report = other.rebuild(guidelines)  # the documented way out
    assert report.documents_embedded == 20 and other.info()["embedder"] == "fake/other"


def test_other_dimension_is_refused(tmp_path: Path, tiny_guidelines: Path,
                                    fake_embedder: FakeEmbedder) -> None:
    home = tmp_path / "home"
    _index(home, fake_embedder).sync(load_guidelines(tiny_guidelines))
    narrow = _index(home, FakeEmbedder(dimension=128, name=fake_embedder.name))
    with pytest.raises(IndexMismatchError, match=r"128-dimensional vectors; .* holds 256"):
        narrow.search("rats")
    _edit(tiny_guidelines / "spam.md", "unrelated artist names", "unrelated artists' names")
    with pytest.raises(IndexMismatchError, match="128-dimensional"):
        narrow.sync(load_guidelines(tiny_guidelines))


def test_interrupted_sync_refuses_queries_until_completed(tmp_path: Path) -> None:
    guidelines = load_guidelines(SAMPLE_GUIDELINES)
    total = _doc_count(guidelines)
    assert total > 256  # more than one write batch, so the crash lands mid-index
    home = tmp_path / "home"
    crashing = FakeEmbedder()
    crashing.fail_after = 300
    with pytest.raises(RuntimeError, match="simulated crash"):
        _index(home, crashing).sync(guidelines)

    fresh = FakeEmbedder()
    index = _index(home, fresh)
    assert index.info()["state"] == "building" and index.info()["documents"] == 256
    with pytest.raises(IndexMismatchError, match="incomplete"):
        index.search("rats")
    with pytest.raises(IndexMismatchError, match="incomplete"):
        index.retriever()
    report = index.sync(guidelines)
    assert report.documents_embedded == total - 256 == len(fresh.texts)
    assert index.info()["state"] == "ready" and index.info()["documents"] == total
    assert index.search("rats", guidelines=guidelines)


def test_stale_version_is_refused(tmp_path: Path, tiny_guidelines: Path,
                                  fake_embedder: FakeEmbedder) -> None:
    index = _index(tmp_path / "home", fake_embedder)
    old = load_guidelines(tiny_guidelines)
    index.sync(old)
    _edit(tiny_guidelines / "hate.md", "animals, vermin or disease", "animals or vermin")
    new = load_guidelines(tiny_guidelines)
    with pytest.raises(IndexMismatchError, match=f"holds guideline version {old.version} but "
                       f"the guidelines are at {new.version}"):
        index.search("rats", guidelines=new)
    with pytest.raises(IndexMismatchError,
                       match=r"update it with `Workspace\.index\.sync\(guidelines\)`"):
        index.retriever(new)
    assert index.search("rats", guidelines=old)  # the version it holds is fine
    assert index.search("rats")  # no guidelines given: no version check


def test_missing_index_and_bad_names(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    with pytest.raises(IndexMismatchError, match="no clause index"):
        _index(tmp_path / "home", fake_embedder).search("x")
    assert not (tmp_path / "home").exists()  # a lookup creates no empty index to find later
    with pytest.raises(ConfigError, match="too short"):
        _index(tmp_path / "home", fake_embedder, name="ab")
    with pytest.raises(ConfigError, match="not a URL"):
        make_client(tmp_path, "http://")


# -- retrieval ----------------------------------------------------------------------------------

@pytest.fixture
def sample_index(tmp_path: Path) -> tuple[ClauseIndex, GuidelineSet]:
    guidelines = load_guidelines(SAMPLE_GUIDELINES)
    index = _index(tmp_path / "home", FakeEmbedder())
    index.sync(guidelines)
    return index, guidelines


def _queries(guidelines: GuidelineSet) -> list[str]:
    examples = [e.text for c in guidelines for e in (*c.in_scope, *c.out_of_scope)]
    return [*examples[::7], "a podcast mocking a religious group",
            "buy cheap streams and followers now", "zzz unmatched words"]


def test_retriever_matches_chroma(sample_index: tuple[ClauseIndex, GuidelineSet]) -> None:
    index, guidelines = sample_index
    retriever = index.retriever(guidelines)
    assert len(retriever) == _doc_count(guidelines)
    queries = _queries(guidelines)
    batch = retriever.search_vectors(index.embedder.embed(queries), k=5)
    assert retriever.search_many(queries, k=5) == batch
    for query, fast in zip(queries, batch, strict=True):
        slow = index.search(query, k=5)
        assert len(slow) == len(fast) == 5
        assert [h.score for h in slow] == pytest.approx([h.score for h in fast], abs=1e-5)
        for a, b in zip(slow, fast, strict=True):
            # Equal scores may come in either order; distinct scores must rank the same.
            if a.clause_id != b.clause_id:
                assert a.score == pytest.approx(b.score, abs=1e-5)
            else:
                assert (a.via, a.matched) == (b.via, b.matched) or a.score == pytest.approx(
                    b.score, abs=1e-5)


def test_search_returns_k_distinct_clauses(
        sample_index: tuple[ClauseIndex, GuidelineSet]) -> None:
    index, guidelines = sample_index
    hits = index.search("hate speech against a group", k=40)
    assert len(hits) == 40 == len({h.clause_id for h in hits})
    fast = index.retriever(guidelines).search("hate speech against a group", k=40)
    assert [h.score for h in hits] == pytest.approx([h.score for h in fast], abs=1e-5)
    assert len(index.search("x", k=100)) == len(guidelines)


def test_search_widens_when_one_clause_fills_the_first_page(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    crowded = "\n".join(f"- rats rats rats example {n}" for n in range(60))
    others = "\n\n".join(f"## X-{n} Other {n}\nLabel: spam\n\nSome rats and other words {n}."
                         for n in range(2, 6))
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "x.md").write_text(f"## X-1 Crowded\nLabel: hate\n\nText.\n\nIn scope:\n"
                                 f"{crowded}\n\n{others}\n", encoding="utf-8")
    guidelines = load_guidelines(folder)
    index = _index(tmp_path / "home", fake_embedder)
    index.sync(guidelines)
    hits = index.search("rats rats rats", k=3)
    assert len(hits) == 3 == len({h.clause_id for h in hits})
    fast = index.retriever().search("rats rats rats", k=3)
    assert [h.score for h in hits] == pytest.approx([h.score for h in fast], abs=1e-5)


def test_search_exclude_ids_leaves_one_out(
        sample_index: tuple[ClauseIndex, GuidelineSet]) -> None:
    index, guidelines = sample_index
    clause = guidelines.by_id["SPAM-1.1"]
    doc_id, text, _ = next(d for d in clause_documents(clause) if d[2]["kind"] == "in")
    top = index.search(text, k=1)[0]
    # The example matches itself exactly, so it is the clause's best document.
    assert (top.clause_id, top.matched, top.via) == ("SPAM-1.1", text, "in")
    left_out = index.search(text, k=3, exclude_ids=[doc_id])
    assert all(h.matched != text for h in left_out)
    assert max(h.score for h in left_out) < top.score


def test_workspace_retriever_syncs_first(tmp_home: Path, tiny_guidelines: Path,
                                         cli_fake_embedder: FakeEmbedder) -> None:
    ws = Workspace.from_settings(guidelines=str(tiny_guidelines))
    retriever = ws.retriever()
    assert len(retriever) == 20 and len(cli_fake_embedder.texts) == 20
    assert retriever.search("rats crawling through our town", k=1)[0].clause_id == "HATE-1.1"
    assert (tmp_home / "chroma").is_dir()


# -- CLI on the local index ---------------------------------------------------------------------

def test_cli_index_and_search_local(tmp_home: Path, tiny_guidelines: Path,
                                    cli_fake_embedder: FakeEmbedder) -> None:
    result = runner.invoke(app, ["search", "rats"])
    assert isinstance(result.exception, IndexMismatchError)  # main() turns it into "error: ..."

    result = runner.invoke(app, ["index", "--json"])  # guidelines/ in the working folder
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents_embedded"] == 20
    result = runner.invoke(app, ["index"])
    assert result.exit_code == 0 and "0 documents embedded" in result.stdout
    result = runner.invoke(app, ["index", "--rebuild"])
    assert "20 documents embedded" in result.stdout

    result = runner.invoke(app, ["search", "[group] are rats crawling", "-k", "2", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits[0]["clause_id"] == "HATE-1.1" and hits[0]["label"] == "hate"
    assert hits[0]["title"] == "Dehumanising comparisons" and len(hits) == 2
    table = runner.invoke(app, ["search", "-", "-k", "3"], input="keyword stuffing in titles")
    assert table.exit_code == 0 and "SPAM-1.1" in table.stdout.splitlines()[2]


# -- a real Chroma server -----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    executable = Path(sys.executable).parent / "chroma"
    if not executable.exists():
        found = shutil.which("chroma")
        assert found, "the chroma CLI is part of the chromadb install"
        executable = Path(found)
    port = _free_port()
    log = open(tmp_path / "chroma.log", "wb")  # noqa: SIM115 - closed in teardown
    process = subprocess.Popen(
        [str(executable), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("chroma server did not start:\n"
                                   + (tmp_path / "chroma.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.slow
def test_cli_against_a_chroma_server(chroma_server: str, tmp_home: Path, tiny_guidelines: Path,
                                     cli_fake_embedder: FakeEmbedder) -> None:
    result = runner.invoke(app, ["index", str(tiny_guidelines), "--chroma-url", chroma_server])
    assert result.exit_code == 0, result.output
    assert "4 clauses (4 added" in result.stdout
    assert not (tmp_home / "chroma").exists()  # nothing written to the local index
    result = runner.invoke(app, ["search", "stuffed with artist names and search terms",
                                 "--chroma-url", chroma_server, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["clause_id"] == "SPAM-1.1"
    # A second client (another team member) sees the same, ready index.
    shared = ClauseIndex(make_client(tmp_home, chroma_server), FakeEmbedder())
    assert shared.info()["state"] == "ready" and shared.info()["documents"] == 20


def test_no_chroma_server_at_the_url_is_one_error_line(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as free:  # a port nothing listens on once it is closed
        free.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{free.getsockname()[1]}"
    with pytest.raises(ConfigError, match=f"no Chroma server answers at {url}"):
        make_client(tmp_path, url)
    done = subprocess.run([sys.executable, "-m", "llmqa", "search", "hello", "--chroma-url",
                           url, "--home", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"error: no Chroma server answers at {url}")
    assert "or check --chroma-url" in done.stderr


# -- the real local embedder --------------------------------------------------------------------

@pytest.mark.slow
def test_local_embedder_on_sample_guidelines(tmp_path: Path,
                                             local_embedder: LocalEmbedder) -> None:
    vectors = local_embedder.embed(["hello world", "another text"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert local_embedder.embed([]).shape == (0, 384)

    guidelines = load_guidelines(SAMPLE_GUIDELINES)
    index = _index(tmp_path / "home", local_embedder)
    index.sync(guidelines)
    retriever = index.retriever(guidelines)
    expectations = {
        "a rap verse calling an ethnic group cockroaches that must be wiped out":
            {"HATE-1.1", "VEX-1.3"},
        "pay me and I will get your song a million streams from bot accounts": {"SPAM-1.2"},
        "step by step guide to building a pipe bomb at home": {"DANG-1.1"},
        "a podcast telling listeners that vaccines cause autism and to skip them": {"MIS-1.1"},
    }
    for query, wanted in expectations.items():
        top3 = {h.clause_id for h in index.search(query, k=3, guidelines=guidelines)}
        assert top3 & wanted, (query, top3)
        assert {h.clause_id for h in retriever.search(query, k=3)} == top3


# -- OpenAI-compatible embeddings stub ----------------------------------------------------------

class _EmbeddingsStub(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body,
                                    "auth": self.headers.get("Authorization")})
        if self.path != "/v1/embeddings":
            return self._reply(404, {"error": {"message": "not found"}})
        if body["model"] == "broken":
            return self._reply(400, {"error": {"message": "model not found", "type": "invalid"}})
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for i, text in enumerate(texts):
            vector = np.zeros(8, dtype=np.float32)
            for token in text.lower().split():
                vector[zlib.crc32(token.encode()) % 8] += 3.0  # deliberately not unit length
            if body.get("encoding_format") == "base64":
                embedding: Any = base64.b64encode(vector.astype("<f4").tobytes()).decode()
            else:
                embedding = vector.tolist()
            data.append({"object": "embedding", "index": i, "embedding": embedding})
        data.reverse()  # servers may answer out of order; the client sorts by index
        self._reply(200, {"object": "list", "data": data, "model": body["model"],
                          "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def embeddings_stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    _EmbeddingsStub.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbeddingsStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_openai_embedder_against_a_stub(embeddings_stub: str, tmp_path: Path,
                                        tiny_guidelines: Path) -> None:
    embedder = OpenAIEmbedder("stub-embed", base_url=embeddings_stub, api_key="sk-test",
                              batch_size=2)
    assert embedder.name == "openai/stub-embed"
    texts = ["alpha beta", "gamma", "alpha beta", "delta epsilon zeta", "eta"]
    vectors = embedder.embed(texts)
    assert vectors.shape == (5, 8) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert np.allclose(vectors[0], vectors[2]) and not np.allclose(vectors[0], vectors[1])
    posts = _EmbeddingsStub.requests
    assert [len(r["body"]["input"]) for r in posts] == [2, 2, 1]
    assert posts[0]["auth"] == "Bearer sk-test" and posts[0]["body"]["model"] == "stub-embed"

    index = _index(tmp_path / "home", embedder)
    assert index.sync(load_guidelines(tiny_guidelines)).documents_embedded == 20
    assert index.info()["embedder"] == "openai/stub-embed" and index.info()["dimension"] == 8

    with pytest.raises(BackendError, match="embeddings endpoint failed: BadRequestError"):
        OpenAIEmbedder("broken", base_url=embeddings_stub, api_key="k").embed(["x"])


def test_make_embedder_specs() -> None:
    assert isinstance(make_embedder("local"), LocalEmbedder)
    hosted = make_embedder("openai:text-embedding-3-small", base_url="http://127.0.0.1:9/v1")
    assert isinstance(hosted, OpenAIEmbedder) and hosted.name == "openai/text-embedding-3-small"
    for bad in ("openai:", "bert", ""):
        with pytest.raises(ConfigError, match="unknown embedder"):
            make_embedder(bad)


def test_retrieval_eval_script_runs(tmp_path: Path, tiny_guidelines: Path) -> None:
    """evals/retrieval_eval.py end to end, with the model-free embedder (smoke test)."""
    script = Path(__file__).resolve().parent.parent / "evals" / "retrieval_eval.py"
    done = subprocess.run([sys.executable, str(script), "--guidelines", str(tiny_guidelines),
                           "--embedder", "fake", "--json"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["clauses"] == 4 and summary["documents"] == 20
    assert [m["mode"] for m in summary["modes"]] == ["leave-one-out", "clause-text", "as-indexed"]
    assert summary["modes"][2]["top3"] == 1.0  # every example finds itself as indexed
    assert all(m["queries"] == 8 for m in summary["modes"])
    assert not (tmp_path / ".llmqa").exists()  # a temporary home, never the working one
