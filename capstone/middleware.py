"""Pure ASGI middleware: they see every response, including streamed and file ones.

- `RequestContextMiddleware`: an `X-Request-ID` (the client's, when it is a sane token, or a new
  one), an `X-Process-Time` header in milliseconds, and the security headers with the CSP of the
  page contract. Sockets pass through untouched: the fan-out must not pay for a wrapper.
- `RefusalDoor`: a throttled client's repeats answered before the app, and late.
- `BodyPace`: a request body that stops arriving gets 408, not a connection held for ever.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from starlette import status
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
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


class HttpMiddleware:
    """A pure ASGI middleware for HTTP requests (`http`); a socket, or lifespan, goes to the app
    as it is.

    As it is, and without a frame of the middleware's own: `__call__` returns the app's awaitable
    instead of awaiting it. A socket's call lasts as long as the socket, and each middleware that
    awaited it would keep a suspended coroutine per idle socket (about 300 bytes each, measured
    with tracemalloc over 500 sockets).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class RequestContextMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        super().__init__(app)
        self.headers = headers

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
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


class BodyPace(HttpMiddleware):
    """A request body that stops arriving is answered 408, and its connection closed.

    uvicorn waits for a body's next bytes for ever: a client sending a few bytes a minute holds
    a connection and a task as long as it likes. Here each wait for more of the body is bounded
    by `idle` seconds (an upload from a slow phone keeps arriving, so it goes on). Past it the
    app's read raises HTTPException(408), which FastAPI answers like any other, with
    `Connection: close`. Once the body is complete, reads are not bounded: a streaming
    response waits for the client to leave that way.
    """

    def __init__(self, app: ASGIApp, idle: float) -> None:
        super().__init__(app)
        self.idle = idle

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        complete = False

        async def paced() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            try:
                async with asyncio.timeout(self.idle):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(
                    status.HTTP_408_REQUEST_TIMEOUT,
                    f"The request body stopped arriving for {self.idle:g} s",
                    headers={"Connection": "close"},
                ) from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        await self.app(scope, paced, send)


class Refusals:
    """What `RefusalDoor` remembers: the refusals it may answer itself, until when, for whom."""

    def __init__(
        self,
        delay: float,
        max_held: int,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay = delay
        self.max_held = max_held
        self.max_entries = max_entries
        self.clock = clock
        self.kept: dict[tuple[object, ...], Refusal] = {}
        self.held: dict[str, int] = {}

    def find(self, keys: Iterable[tuple[object, ...]]) -> Refusal | None:
        now = self.clock()
        for key in keys:
            refusal = self.kept.get(key)
            if refusal is not None:
                if refusal.until > now:
                    return refusal
                del self.kept[key]
        return None

    def keep(self, key: tuple[object, ...], refusal: Refusal) -> None:
        if len(self.kept) >= self.max_entries:
            now = self.clock()
            self.kept = {k: v for k, v in self.kept.items() if v.until > now}
            if len(self.kept) >= self.max_entries:
                return  # the app answers them itself until some are over
        self.kept[key] = refusal


class RefusalDoor(HttpMiddleware):
    """A throttled client's repeats are answered at the door, late.

    The app marks a refusal (`DOOR_HEADER`, taken off here: a throttle's 429, or the 503 of a
    full hashing pool) with whose it is: a client address's, a user's, or everyone's. Then the
    same method and path from that address (or with those credentials, `Authorization` or
    `Cookie`: two users behind one NAT do not share a per-user throttle; or from anyone) get
    the same answer here until its `Retry-After` is over, without routing, form
    parsing, token checks or the database, and after `delay` seconds: a client that retries as
    fast as it is answered waits instead, so a flood of refused logins or messages costs almost
    nothing while everyone else's requests go on at their normal speed. At most `max_held`
    answers per address wait at once; past that one goes at once and closes its connection.
    """

    def __init__(self, app: ASGIApp, refusals: Refusals) -> None:
        super().__init__(app)
        self.refusals = refusals

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = scope["client"][0] if scope.get("client") else "unknown"
        headers = dict(scope["headers"])
        everyone = (scope["method"], scope["path"])
        keys: dict[str, tuple[object, ...]] = {
            "everyone": everyone,
            "address": (*everyone, address),
        }
        credentials = headers.get(b"authorization") or headers.get(b"cookie")
        if credentials:
            keys["user"] = (*keys["address"], credentials)
        refusal = self.refusals.find(keys.values())
        if refusal is not None:
            await self._answer(address, refusal, send)
            return
        await self.app(scope, receive, self._remembering(keys, send))

    def _remembering(self, keys: dict[str, tuple[object, ...]], send: Send) -> Send:
        door: Refusal | None = None
        key: tuple[object, ...] | None = None

        async def remember(message: Message) -> None:
            nonlocal door, key
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                whose = headers.get(DOOR_HEADER)
                if whose is not None:
                    del headers[DOOR_HEADER]
                retry = headers.get("retry-after", "")
                if whose in keys and retry.isdigit():
                    key = keys[whose]
                    kept = [(k, v) for k, v in headers.raw if k.lower() not in PER_RESPONSE]
                    until = self.refusals.clock() + int(retry)
                    door = Refusal(until, message["status"], kept, b"")
            elif door is not None and key is not None:
                door.body += message.get("body", b"")
                if not message.get("more_body", False) and len(door.body) <= 4096:
                    self.refusals.keep(key, door)
            await send(message)

        return remember

    async def _answer(self, address: str, refusal: Refusal, send: Send) -> None:
        refusals, extra = self.refusals, []
        if refusals.held.get(address, 0) >= refusals.max_held:
            extra.append((b"connection", b"close"))
        else:
            refusals.held[address] = refusals.held.get(address, 0) + 1
            try:
                # Not a wait for an event: the pause is the answer's point (a tarpit).
                await asyncio.sleep(min(refusals.delay, refusal.until - refusals.clock()))
            finally:
                refusals.held[address] -= 1
                if not refusals.held[address]:
                    del refusals.held[address]
        extra.append((b"retry-after", retry_after(refusal.until - refusals.clock()).encode()))
        extra.append((b"content-length", str(len(refusal.body)).encode()))
        start = {"type": "http.response.start", "status": refusal.status}
        await send({**start, "headers": refusal.headers + extra})
        await send({"type": "http.response.body", "body": refusal.body})


@dataclass
class Refusal:
    until: float  # time.monotonic()
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


# A refusal's mark from the app, taken off by the door: whose repeats it may answer ("address",
# "user" or "everyone") until its Retry-After; a refusal without it is answered by the app.
DOOR_HEADER = "x-chat-door"
# Set for each answer from the door anew (RequestContextMiddleware, outside it, adds its own).
PER_RESPONSE = {b"retry-after", b"content-length"}


def retry_after(seconds: float) -> str:
    """A `Retry-After` value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))
