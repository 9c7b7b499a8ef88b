"""A real Label Studio server for the round-trip test, started once per test session.

The server is the ``label-studio`` package from its own venv (``scripts/setup-labelstudio``),
on 127.0.0.1 with a temporary data folder, SQLite, and an admin whose token comes from the
environment. A copy of the setup script's migrated template database saves the minutes
Label Studio's migrations take. ``LLMQA_LABEL_STUDIO_URL`` (+ ``LLMQA_LABEL_STUDIO_TOKEN``)
uses a server that is already running instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TOKEN = "llmqa0test0token0000000000000000000000ab"
START_TIMEOUT_S = float(os.environ.get("LLMQA_LABEL_STUDIO_START_S", "900"))


@dataclass(frozen=True)
class LabelStudioServer:
    url: str
    token: str
    data: Path | None = None  # its LABEL_STUDIO_BASE_DATA_DIR, when this session started it


def _binary() -> Path:
    return Path(os.environ.get("LLMQA_LABEL_STUDIO_BIN",
                               REPO_ROOT / ".venv-labelstudio" / "bin" / "label-studio"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def running_label_studio(workdir: Path) -> Iterator[LabelStudioServer]:
    if os.environ.get("LLMQA_LABEL_STUDIO_URL"):
        yield LabelStudioServer(os.environ["LLMQA_LABEL_STUDIO_URL"].rstrip("/"),
                                os.environ.get("LLMQA_LABEL_STUDIO_TOKEN", TOKEN))
        return
    binary = _binary()
    if not binary.exists():
        message = f"no Label Studio at {binary}: run scripts/setup-labelstudio"
        if os.environ.get("LLMQA_REQUIRE_LABEL_STUDIO"):
            pytest.fail(message)
        pytest.skip(message)
    data = workdir / "label-studio-data"
    template = binary.parent.parent / "template"
    if template.is_dir():
        shutil.copytree(template, data)
    else:
        data.mkdir(parents=True)
    port = _free_port()
    env = {**os.environ,
           "LABEL_STUDIO_BASE_DATA_DIR": str(data),
           "LABEL_STUDIO_USERNAME": "qa-lead@example.org",
           "LABEL_STUDIO_PASSWORD": "llmqa-test-password",
           "LABEL_STUDIO_USER_TOKEN": TOKEN,
           # the SDK authenticates with this token; 1.23 refuses such tokens unless asked
           "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
           "LATEST_VERSION_CHECK": "false", "COLLECT_ANALYTICS": "false",
           "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "", "DJANGO_DB": "sqlite"}
    log_path = workdir / "label-studio.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(binary), "start", "--no-browser", "--internal-host", "127.0.0.1",
             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                pytest.fail(f"Label Studio did not start (exit {process.poll()}); log:\n{tail}")
            time.sleep(2)
        yield LabelStudioServer(url, TOKEN, data)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
