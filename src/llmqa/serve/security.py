"""Safe-by-default rules for the review app: where it may listen, who may call it, and the
headers that keep hostile item content inert.

* ``check_bind``: a loopback address needs nothing; any other host needs an access token
  (the app is then reachable by others on the network, and decisions are gold). ``listen``
  checks that, then binds.
* ``AccessMiddleware``: with a token, every request must carry it: the ``llmqa_token``
  cookie (set after the first visit with ``?token=...``), or ``Authorization: Bearer``.
  Wrong or missing: 401 (no page, no data).
* CSRF: every POST carries the per-process ``csrf`` form field the pages embed, and a
  cross-site ``Origin`` is refused (403). A page on another site cannot decide for the
  analyst even while the app runs on their machine.
* ``SECURITY_HEADERS``: a Content-Security-Policy that runs only the app's own script (an
  injected ``<script>`` or ``onerror=`` never executes), no framing, no sniffing.
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import secrets
import socket
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from llmqa.errors import ConfigError, Hint

TOKEN_COOKIE = "llmqa_token"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: http: "
        "https:; media-src 'self' http: https:; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the
    # app's own POSTs, which the CSRF check must refuse.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# A local SVG is opened on its own, never inline in the page: no script, no outside loads.
SVG_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
               "sandbox", "X-Content-Type-Options": "nosniff"}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    if not is_loopback(host) and not token:
        raise ConfigError(f"listening on {host} makes the review app reachable by others",
                          hint=Hint("set an access token ({}, or LLMQA_TOKEN) or bind to "
                                    "127.0.0.1", ("token",)))


def listen(host: str, port: int, token: str | None) -> socket.socket:
    """The app's socket, listening before anything is loaded: a port in use or an address
    this machine lacks is said at once, not after a triage, and port 0 gets a free port whose
    number the caller can print."""
    check_bind(host, token)
    address = host.strip("[]")
    sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} on {host} is in use", hint=Hint(
                "pick another with {} (0: any free port)", ("port",))) from None
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    # Listening from here on, a browser opened on the printed address waits in the backlog
    # while the items load, instead of being refused.
    sock.listen()
    return sock


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


class AccessMiddleware:
    """Token check on every request (when a token is set) and security headers on every
    response."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.token is not None:
            given = request.query_params.get("token")
            if same(given, self.token):
                # Trade the token in the address (history, logs) for an HttpOnly cookie.
                query = urlencode([(k, v) for k, v in request.query_params.multi_items()
                                   if k != "token"])
                target = request.url.path + (f"?{query}" if query else "")
                response: Response = RedirectResponse(target, status_code=303)
                response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                await response(scope, receive, send)
                return
            bearer = request.headers.get("authorization", "")
            offered = (bearer[7:] if bearer.lower().startswith("bearer ")
                       else request.cookies.get(TOKEN_COOKIE))
            if not same(offered, self.token):
                await PlainTextResponse("access token required", status_code=401)(
                    scope, receive, send)
                return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cross_site(request: Request) -> bool:
    """True when the browser says the request comes from another origin."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc != request.headers.get("host", "")
