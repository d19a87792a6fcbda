"""Pure ASGI middleware: they see every response, including streamed and file ones.

- `RequestContextMiddleware`: an `X-Request-ID` (the client's, when it is a sane token, or a new
  one), an `X-Process-Time` header in milliseconds, and the security headers with the CSP of the
  page contract. Sockets pass through untouched: the fan-out must not pay for a wrapper.
"""

from __future__ import annotations

import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'{sockets}; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def security_headers(allowed_origins: list[str]) -> dict[str, str]:
    """The headers every response carries. The page may open sockets only to the chat's own
    origins (each allowed `http(s)://` origin as `ws(s)://`), never to any host."""
    sockets = "".join(f" {ws}" for ws in map(socket_origin, allowed_origins) if ws)
    return {
        "Content-Security-Policy": CSP.format(sockets=sockets),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def socket_origin(origin: str) -> str | None:
    """`https://chat.example` → `wss://chat.example`; None for anything but http(s) origins."""
    scheme, sep, rest = origin.partition("://")
    ws = {"http": "ws", "https": "wss"}.get(scheme)
    if not sep or ws is None or not rest or any(c in rest for c in "/ ;,'\""):
        return None
    return f"{ws}://{rest}"


REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers["X-Process-Time"] = f"{(time.perf_counter() - started) * 1000:.2f}"
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
