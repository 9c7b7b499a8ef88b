"""A local OpenAI-protocol server for tests and benchmarks (binds 127.0.0.1 only).

By default every chat request gets a valid judge verdict that agrees with the consensus label
shown in the prompt. Misbehaviour is scripted with ``Behaviour`` rules, matched against the
request (by item id in the prompt, or for any request) for a number of times::

    with OpenAIStub(latency=0.2) as stub:
        stub.add(Behaviour(status=429, headers={"Retry-After": "1"}), times=1)
        stub.add(Behaviour(content="not json"), item="sb-0007")
        stub.add(Behaviour(content="{"), method="json_schema", times=None)
        stub.add(Behaviour(drop=True), item="sb-0009")   # connection closed, no answer
        ... ChatOpenAI(base_url=stub.url, api_key="test") ...
        stub.requests_for("sb-0007")

It also serves ``/v1/embeddings`` (deterministic hashed vectors) and a minimal Files + Batches
API whose batches complete on the first poll after ``batch_delay`` seconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ITEM = re.compile(r"^Item (\S+?)(?: \(project: [^)]*\))?:$", re.MULTILINE)
_CONSENSUS = re.compile(r"^Consensus human label: (?!none \(no annotations\))(.+?) \(",
                        re.MULTILINE)
_CLAUSE = re.compile(r"^\[([A-Z][A-Z0-9]*-[\d.]+)\]", re.MULTILINE)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    # The socketserver default backlog of 5 drops connections when a client opens more than
    # five at once (a review at concurrency 16 does).
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-request (kill -9 tests, timeouts) is expected here, not news.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class Behaviour:
    """One scripted answer. Unset fields keep the default (a valid agreeing verdict)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None  # the JSON error body for status >= 400
    content: str | None = None  # raw assistant content instead of the default verdict
    verdict: dict[str, Any] | None = None  # fields merged into the default verdict
    finish_reason: str = "stop"
    refusal: str | None = None
    delay: float = 0.0  # extra seconds before answering (a timeout, when large)
    hang: bool = False  # never answer (until the server stops)
    drop: bool = False  # close the connection without answering (a dropped connection)
    missing: bool = False  # in a batch: leave this request out of the output file
    echo_key: bool = False  # put the request's Authorization header in the error message


@dataclass
class _Rule:
    behaviour: Behaviour
    item: str | None
    times: int | None  # None: forever
    method: str | None = None  # json_schema, json_object, tools or text; None: any


def request_method(body: dict[str, Any]) -> str:
    """How a chat request asks for structure: json_schema, json_object, tools or text."""
    if body.get("tools"):
        return "tools"
    response_format = body.get("response_format") or {}
    return str(response_format.get("type") or "text")


def prompt_text(body: dict[str, Any]) -> str:
    parts: list[str] = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            parts.extend(p.get("text", "") for p in content if isinstance(p, dict))
        elif content:
            parts.append(str(content))
    return "\n".join(parts)


def default_verdict(prompt: str) -> dict[str, Any]:
    # llmqa's own consensus line follows the item; an earlier one is item text quoting it.
    found = _CONSENSUS.findall(prompt)
    label = found[-1].split(" / ")[0] if found else "allowed"
    clauses = _CLAUSE.findall(prompt)
    return {"rationale": "The content matches the consensus label under the cited clause.",
            "cited_clause_ids": clauses[:1], "suggested_label": label, "verdict": "agree",
            "confidence": 0.8}


class OpenAIStub:
    def __init__(self, latency: float = 0.0, batch_delay: float = 0.0, port: int = 0,
                 model: str = "stub-model") -> None:
        self.latency = latency
        self.batch_delay = batch_delay
        self.model = model
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()  # per item id
        self.arrivals: list[tuple[str | None, float]] = []  # (item id, time.monotonic())
        self.paths: Counter[str] = Counter()
        self.bodies: list[dict[str, Any]] = []
        self.auth_headers: list[str] = []
        self.keep_bodies = True
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._server = _QuietServer(("127.0.0.1", port), self._handler())
        self._thread: threading.Thread | None = None

    # -- control ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def add(self, behaviour: Behaviour, item: str | None = None, times: int | None = 1,
            method: str | None = None) -> None:
        """Answer with ``behaviour`` the next ``times`` requests (None: all) that match
        ``item`` (the item id in the prompt) and ``method`` (see ``request_method``)."""
        with self._lock:
            self._rules.append(_Rule(behaviour, item, times, method))

    def requests_for(self, item: str) -> int:
        return self.counts[item]

    @property
    def chat_requests(self) -> int:
        return self.paths["/v1/chat/completions"]

    def start(self) -> OpenAIStub:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OpenAIStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- behaviour --------------------------------------------------------------------------
    def _pick(self, item: str | None, method: str | None = None) -> Behaviour:
        with self._lock:
            for rule in self._rules:
                if rule.item is not None and rule.item != item:
                    continue
                if rule.method is not None and rule.method != method:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                return rule.behaviour
        return Behaviour()

    def completion(self, body: dict[str, Any], behaviour: Behaviour,
                   authorization: str = "") -> tuple[int, dict, dict]:
        prompt = prompt_text(body)
        if behaviour.status >= 400:
            error = dict(behaviour.error or {"message": f"stub error {behaviour.status}",
                                             "type": "stub_error", "code": None})
            if behaviour.echo_key:
                # Some proxies echo the credential they rejected; llmqa must not repeat it.
                error["message"] = f"{error.get('message')} (key: {authorization})"
            return behaviour.status, behaviour.headers, {"error": error}
        if behaviour.content is not None:
            content = behaviour.content
        else:
            verdict = default_verdict(prompt) | (behaviour.verdict or {})
            content = json.dumps(verdict)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if behaviour.refusal:
            message = {"role": "assistant", "content": None, "refusal": behaviour.refusal}
        tools = body.get("tools")
        if tools and behaviour.refusal is None and behaviour.content is None:
            name = tools[0]["function"]["name"]
            message = {"role": "assistant", "content": None, "tool_calls": [{
                "id": "call_1", "type": "function",
                "function": {"name": name, "arguments": content}}]}
        prompt_tokens = max(1, len(prompt) // 4)
        completion_tokens = max(1, len(content or "") // 4)
        return 200, behaviour.headers, {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model", self.model),
            "choices": [{"index": 0, "message": message, "finish_reason": behaviour.finish_reason,
                         "logprobs": None}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}

    def _embedding(self, text: str, dimension: int = 64) -> list[float]:
        vector = [0.0] * dimension
        for token in re.findall(r"\w+", text.lower()):
            digest = hashlib.sha256(token.encode()).digest()
            vector[digest[0] % dimension] += 1.0 if digest[1] % 2 else -1.0
        norm = sum(v * v for v in vector) ** 0.5 or 1.0
        return [v / norm for v in vector]

    def _run_batch(self, batch: dict[str, Any]) -> None:
        lines = self.files[batch["input_file_id"]].decode().splitlines()
        out = []
        for line in lines:
            if not line.strip():
                continue
            request = json.loads(line)
            item_match = _ITEM.search(prompt_text(request["body"]))
            item = item_match.group(1) if item_match else None
            if item:
                with self._lock:
                    self.counts[item] += 1
            behaviour = self._pick(item, request_method(request["body"]))
            if behaviour.missing:
                continue
            status, _, body = self.completion(request["body"], behaviour)
            out.append({"id": f"batch_req_{uuid.uuid4().hex[:8]}",
                        "custom_id": request["custom_id"],
                        "response": {"status_code": status, "body": body}, "error": None})
        out.reverse()  # results come back in no particular order
        file_id = f"file-{uuid.uuid4().hex[:12]}"
        self.files[file_id] = "\n".join(json.dumps(o) for o in out).encode() + b"\n"
        batch.update(status="completed", output_file_id=file_id,
                     request_counts={"total": len(out), "completed": len(out), "failed": 0})

    # -- HTTP -------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None,
                      raw: bytes | None = None) -> None:
                data = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def do_GET(self) -> None:
                with stub._lock:
                    stub.paths[self.path] += 1
                if self.path.startswith("/v1/batches/"):
                    batch = stub.batches.get(self.path.rsplit("/", 1)[1])
                    if batch is None:
                        self._send(404, {"error": {"message": "no such batch"}})
                        return
                    if (batch["status"] != "completed"
                            and time.time() - batch["created_at"] >= stub.batch_delay):
                        stub._run_batch(batch)
                    self._send(200, batch)
                elif self.path.startswith("/v1/files/") and self.path.endswith("/content"):
                    file_id = self.path.split("/")[3]
                    self._send(200, None, raw=stub.files.get(file_id, b""))
                elif self.path == "/v1/models":
                    self._send(200, {"object": "list", "data": [{"id": stub.model,
                                                                 "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                with stub._lock:
                    stub.paths[self.path] += 1
                stub.auth_headers.append(self.headers.get("Authorization", ""))
                raw = self._body()
                if self.path == "/v1/files":
                    content = raw.split(b"\r\n\r\n", 2)[-1].rsplit(b"\r\n--", 1)[0]
                    file_id = f"file-{uuid.uuid4().hex[:12]}"
                    stub.files[file_id] = content
                    self._send(200, {"id": file_id, "object": "file", "bytes": len(content),
                                     "created_at": int(time.time()), "filename": "batch.jsonl",
                                     "purpose": "batch", "status": "processed"})
                    return
                body = json.loads(raw or b"{}")
                if stub.keep_bodies:
                    stub.bodies.append(body)
                if self.path == "/v1/batches":
                    batch_id = f"batch_{uuid.uuid4().hex[:12]}"
                    stub.batches[batch_id] = {
                        "id": batch_id, "object": "batch", "endpoint": body.get("endpoint"),
                        "input_file_id": body["input_file_id"], "status": "in_progress",
                        "completion_window": "24h", "created_at": time.time(),
                        "output_file_id": None, "error_file_id": None}
                    self._send(200, stub.batches[batch_id])
                elif self.path == "/v1/embeddings":
                    inputs = body.get("input")
                    texts = [inputs] if isinstance(inputs, str) else list(inputs)
                    self._send(200, {"object": "list", "model": body.get("model"), "data": [
                        {"object": "embedding", "index": i, "embedding": stub._embedding(t)}
                        for i, t in enumerate(texts)],
                        "usage": {"prompt_tokens": 1, "total_tokens": 1}})
                elif self.path == "/v1/chat/completions":
                    found = _ITEM.search(prompt_text(body))
                    item = found.group(1) if found else None
                    with stub._lock:
                        stub.arrivals.append((item, time.monotonic()))
                        if item:
                            stub.counts[item] += 1
                    behaviour = stub._pick(item, request_method(body))
                    if behaviour.drop:
                        # Read the request, then hang up: the client sees the connection end.
                        self.close_connection = True
                        with contextlib.suppress(OSError):
                            self.connection.shutdown(2)
                        return
                    if behaviour.hang:
                        stub._stop.wait(3600)
                        return
                    wait = stub.latency + behaviour.delay
                    if wait:
                        time.sleep(wait)
                    status, headers, payload = stub.completion(
                        body, behaviour, self.headers.get("Authorization", ""))
                    # The client may have given up already (a timeout test).
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self._send(status, payload, headers)
                else:
                    self._send(404, {"error": {"message": "not found"}})

        return Handler
