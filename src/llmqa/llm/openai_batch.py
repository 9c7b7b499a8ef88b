"""The OpenAI Batch API: half-price requests answered within 24 hours.

This is the one place llmqa talks to the OpenAI SDK directly: LangChain has no batch
abstraction. Requests are built from the same messages and JSON schema the seam uses, and
answers are turned back into LangChain messages (``adapter.message_from_body``) so
``ChatSeam.interpret`` decides their status exactly as for a live call.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from typing import Any

from llmqa.llm.adapter import openai_messages
from llmqa.llm.messages import Message

TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


class BatchClient:
    def __init__(self, model: str, base_url: str | None = None, timeout: float = 60.0,
                 max_tokens: int | None = 600, temperature: float = 0.0) -> None:
        import openai

        self.model = model
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.client = openai.OpenAI(base_url=base_url,
                                    api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
                                    timeout=timeout, max_retries=3)

    def request_line(self, custom_id: str, messages: list[Message],
                     schema: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model, "messages": openai_messages(messages),
            "temperature": self.temperature,
            "response_format": {"type": "json_schema", "json_schema": {
                "name": schema.get("title", "JudgeVerdict"), "schema": schema}}}
        if self.max_tokens:
            body["max_tokens"] = self.max_tokens
        return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions",
                "body": body}

    def submit(self, lines: list[dict[str, Any]]) -> tuple[str, str]:
        """Upload the requests and create the batch; returns (batch id, input file id)."""
        payload = "".join(json.dumps(line) + "\n" for line in lines).encode()
        uploaded = self.client.files.create(file=("requests.jsonl", io.BytesIO(payload)),
                                            purpose="batch")
        batch = self.client.batches.create(input_file_id=uploaded.id,
                                           endpoint="/v1/chat/completions",
                                           completion_window="24h")
        return batch.id, uploaded.id

    def status(self, batch_id: str) -> dict[str, Any]:
        batch = self.client.batches.retrieve(batch_id)
        return {"status": batch.status, "output_file_id": batch.output_file_id,
                "error_file_id": batch.error_file_id}

    def results(self, file_id: str) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """(custom_id, HTTP status, response body) for each line, in the file's order."""
        text = self.client.files.content(file_id).text
        for line in text.splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            response = record.get("response") or {}
            body = response.get("body") or {"error": record.get("error")}
            yield record["custom_id"], int(response.get("status_code") or 500), body
