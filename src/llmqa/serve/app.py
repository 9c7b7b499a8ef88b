"""The review app (``llmqa serve``): Starlette routes over a ``ServeData`` held in memory.

Pages are rendered on the server from ``templates/*.j2`` with autoescaping on; the only
script is ``static/app.js`` (keyboard shortcuts, the analyst's name remembered in the
browser). Decisions are written with ``DecisionStore.record``, the same rows ``llmqa decide``
writes, and the in-memory queue is updated in the same step.
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from llmqa.serve.load import ServeData
from llmqa.serve.queue import QueueFilter
from llmqa.serve.security import SVG_HEADERS, AccessMiddleware, cross_site, new_secret, same
from llmqa.store.decisions import DecisionStore, for_item
from llmqa.store.gold import gold_record
from llmqa.store.verdicts import VerdictStore

HERE = Path(__file__).parent
PAGE_SIZE = 100
# Past this many values a filter is a text box with suggestions, not a menu to scroll.
LONG_FACET = 40
_MEDIA_FIELDS = {"image": "image_path", "audio": "audio_path", "video": "video_path"}


def web_url(value: str | None) -> str | None:
    """Only http(s) addresses become links or sources; ``javascript:``, ``data:`` and the
    rest are shown as text."""
    if not value:
        return None
    return value if urlsplit(value.strip()).scheme.lower() in ("http", "https") else None


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["web_url"] = web_url
    env.filters["query"] = lambda params: urlencode(params)
    env.filters["combine_offset"] = lambda params, offset: urlencode(params | {"offset": offset})
    return env


class ReviewApp:
    def __init__(self, data: ServeData, home: Path, analyst: str | None = None) -> None:
        self.data = data
        self.home = home
        self.default_analyst = analyst or ""
        self.csrf = new_secret()
        self.env = _environment()
        self.store = VerdictStore(home)
        self.decisions = DecisionStore(self.store)
        self.lock = threading.Lock()  # one writer at a time on the shared connection

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context |= {"csrf": self.csrf, "default_analyst": self.default_analyst,
                    "gate": self.data.gate}
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=status)

    def queue_page(self, request: Request) -> Response:
        flt = QueueFilter.from_query(request.query_params)
        try:
            offset = max(int(request.query_params.get("offset", 0)), 0)
        except ValueError:
            offset = 0
        rows, total, undecided = self.data.queue.page(flt, offset, PAGE_SIZE)
        return self.render("queue.j2", rows=rows, total=total, undecided=undecided,
                           offset=offset, page=PAGE_SIZE, flt=flt, query=flt.query(),
                           facets=self._facets(), long_facet=LONG_FACET,
                           decisions=self.data.queue.decisions,
                           all_items=len(self.data.queue.rows), notes=self.data.notes)

    def _facets(self) -> dict[str, list[str]]:
        if not hasattr(self, "_facet_cache"):
            self._facet_cache = self.data.queue.facets()
        return self._facet_cache

    def item_page(self, request: Request) -> Response:
        item_id = request.path_params["item_id"]
        queue = self.data.queue
        item = queue.items.get(item_id)
        if item is None:
            return self.render("message.j2", status=404, message=f"no item {item_id}")
        flt = QueueFilter.from_query(request.query_params)
        row = queue.rows[queue.position[item_id]]
        verdict = queue.verdicts.get(item_id)
        cited = list(dict.fromkeys([*((verdict or {}).get("cited_clause_ids") or []),
                                    *sorted(row.clauses)]))
        clauses = [self.data.guidelines.by_id[c] for c in cited
                   if self.data.guidelines is not None and c in self.data.guidelines.by_id]
        media = {kind: web_url(getattr(item.content, f"{kind}_url")) or (
            f"/media/{item_id}/{kind}" if getattr(item.content, field) else None)
            for kind, field in _MEDIA_FIELDS.items()}
        bad_urls = [u for u in (item.content.image_url, item.content.audio_url,
                                item.content.video_url) if u and not web_url(u)]
        return self.render(
            "item.j2", item=item, row=row, verdict=verdict, clauses=clauses, media=media,
            labels=self.data.labels_for(item),
            bad_urls=bad_urls, query=flt.query(), decision=queue.decisions.get(item_id),
            history=self.decisions.history(item_id),
            next_id=queue.neighbour(item_id, flt, 1), prev_id=queue.neighbour(item_id, flt, -1),
            trusted=self.data.gate.is_trusted(cited) if self.data.gate else None,
            error=request.query_params.get("error"))

    async def decide(self, request: Request) -> Response:
        item_id = request.path_params["item_id"]
        form = await request.form()
        if cross_site(request) or not same(str(form.get("csrf") or ""), self.csrf):
            return self.render("message.j2", status=403,
                               message="refused: the form did not come from this app (CSRF)")
        item = self.data.queue.items.get(item_id)
        if item is None:
            return self.render("message.j2", status=404, message=f"no item {item_id}")
        flt = QueueFilter.from_query({k: str(v) for k, v in form.items()})
        analyst = str(form.get("analyst") or "").strip()
        if not analyst:
            return self.render("message.j2", status=400,
                               message="a decision needs the analyst's name: type it at the "
                               "top of the page")
        choice = str(form.get("choice") or "")
        kind, _, label = choice.partition(":")
        row = self.data.queue.rows[self.data.queue.position[item_id]]
        if kind == "label":
            if label not in self.data.labels_for(item):  # a tampered or stale form
                return self.render("message.j2", status=400,
                                   message=f"not recorded: unknown label {label!r}")
            kind = "confirm" if label == row.label else "correct"
        verdict = self.data.queue.verdicts.get(item_id) or {}
        try:
            decision = for_item(
                item, kind, analyst=analyst,
                label=row.label if kind == "confirm" else (label.strip() or None),
                clause_ids=sorted(row.clauses), note=str(form.get("note") or "") or None,
                source="serve", model=verdict.get("model"),
                guideline_version=verdict.get("guideline_version"),
                verdict_key=verdict.get("key"))
        except (ValidationError, ValueError) as exc:
            return self.render("message.j2", status=400, message=f"not recorded: {exc}")
        with self.lock:
            self.decisions.record(decision)
            self.data.queue.record(decision)
        target = self.data.queue.neighbour(item_id, flt, 1, undecided_only=True)
        query = urlencode(flt.query())
        url = f"/item/{target}" if target else "/"
        return RedirectResponse(url + (f"?{query}" if query else ""), status_code=303)

    def export(self, request: Request) -> Response:
        """The gold rows as ``llmqa decisions export`` writes them: JSONL, or CSV for a
        spreadsheet (``/export/gold.csv``)."""
        with self.lock:
            rows = [gold_record(d) for d in self.decisions.gold().values()]
        csv = request.url.path.endswith(".csv")
        if csv:
            from llmqa.io.writers import csv_text

            body, media_type = csv_text(rows), "text/csv; charset=utf-8"
        else:
            body, media_type = "".join(map(_json_line, rows)), "application/x-ndjson"
        name = "gold.csv" if csv else "gold.jsonl"
        return Response(body, media_type=media_type, headers={
            "Content-Disposition": f'attachment; filename="{name}"'})

    def media(self, request: Request) -> Response:
        item = self.data.queue.items.get(request.path_params["item_id"])
        field = _MEDIA_FIELDS.get(request.path_params["kind"])
        value = getattr(item.content, field) if item and field else None
        if not value:
            return Response("not found", status_code=404)
        path = (self.data.media_root / value).resolve()
        # Only files under the items file's folder (or one named with --media-root): an item
        # naming /etc/passwd or ../.. is hostile content, not media.
        roots = self.data.media_roots or (self.data.media_root,)
        if not any(path.is_relative_to(root) for root in roots) or not path.is_file():
            return Response("not found", status_code=404)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers = SVG_HEADERS if media_type == "image/svg+xml" else None
        return FileResponse(path, media_type=media_type, headers=headers)

    def close(self) -> None:
        self.store.close()


def _json_line(record: dict[str, Any]) -> str:
    import json

    return json.dumps(record, ensure_ascii=False) + "\n"


def create_app(data: ServeData, home: Path, *, token: str | None = None,
               analyst: str | None = None) -> Starlette:
    """The ASGI app; ``token`` (when set) is required on every request."""
    review = ReviewApp(data, home, analyst)
    routes = [
        Route("/", review.queue_page),
        Route("/item/{item_id:path}/decide", review.decide, methods=["POST"]),
        Route("/item/{item_id:path}", review.item_page),
        Route("/export/gold.jsonl", review.export),
        Route("/export/gold.csv", review.export),
        Route("/media/{item_id}/{kind}", review.media),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        review.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.review = review
    app.add_middleware(AccessMiddleware, token=token)
    return app
