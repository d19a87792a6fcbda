"""Pure ASGI middleware: they see every response, including streamed and file ones.

- `RequestContextMiddleware`: an `X-Request-ID` (the client's, when it is a sane token, or a new
  one), an `X-Process-Time` header in milliseconds, and the security headers with the CSP of the
  page contract. Sockets pass through untouched: the fan-out must not pay for a wrapper.
- `UploadLimitMiddleware`: the upload route's body limit on the raw request stream (413 while the
  body is still arriving, with or without Content-Length), before python-multipart parses anything.
"""

from __future__ import annotations

import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Room for the multipart framing around the file itself.
MULTIPART_OVERHEAD = 16 * 1024
UPLOAD_PATH = re.compile(r"^/api/rooms/[^/]+/attachments/?$")
TOO_LARGE = "Content Too Large"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class UploadLimitMiddleware:
    """Count the upload route's raw body as it arrives; past the limit, answer 413.

    A declared Content-Length over the limit is refused before a byte is read. Otherwise the
    count is kept in `receive`: the moment it passes the limit, an `HTTPException(413)` is raised
    inside whatever is reading (FastAPI re-raises it from the form parser), and the exception
    handler answers with the usual JSON `{"detail": ...}`.
    """

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.limit = max_upload_bytes + MULTIPART_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not UPLOAD_PATH.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            response = JSONResponse({"detail": TOO_LARGE}, status_code=413)
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, counting_receive, send)
