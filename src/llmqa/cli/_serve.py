"""``llmqa serve``: the review app for analysts (see docs/review-app.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from llmqa.cli import _options as opt
from llmqa.cli._common import err, workspace


def serve(
    items: opt.Items,
    fmt: opt.InputFormat = None,
    queue: Path | None = typer.Option(None, "--queue", help="Triage queue written by `llmqa "
                                      "triage -o queue.jsonl` [default: triage the items now]."),
    guidelines: Path | None = typer.Option(
        None, "--guidelines", "-g", help="Guidelines for the cited clauses [default: "
        "guidelines/ when it exists]."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; anything but "
                             "loopback needs --token."),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port (0: any free one)."),
    token: str | None = typer.Option(
        None, "--token", envvar="LLMQA_TOKEN", help="Access token every request must carry "
        "(open /?token=... once)."),
    analyst: str | None = typer.Option(None, "--analyst", envvar="LLMQA_ANALYST",
                                       help="Prefill the analyst's name."),
    media_root: list[Path] | None = typer.Option(
        None, "--media-root", help="Also serve media files under this folder, such as Label "
        "Studio's media folder (repeatable) [default: only under the items file's folder]."),
    home: opt.Home = None,
    config: opt.Config = None,
) -> None:
    """Work the triage queue in a browser: filter, read the item, the judge and the clauses,
    and record decisions (gold) with buttons or keys. Listens on 127.0.0.1 by default."""
    import uvicorn

    from llmqa.serve import create_app, listen, load

    sock = listen(host, port, token)
    ws = workspace(config, guidelines, home=home)
    err("loading items, queue and store..." if queue else
        "no --queue given: triaging the items first (llmqa triage -o queue.jsonl saves this)")
    data = load(items, ws, queue_path=queue, fmt=fmt, media_roots=media_root or ())
    for note in data.notes[:10]:
        err(f"note: {note}")
    app = create_app(data, ws.settings.home_path, token=token, analyst=analyst)
    shown = f"http://{host}:{sock.getsockname()[1]}/" + ("?token=..." if token else "")
    err(f"review app on {shown} ({len(data.queue.rows)} items, "
        f"{len(data.queue.decisions)} decided); Ctrl-C stops it")
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
