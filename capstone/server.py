"""uvicorn's protocols with what no ASGI app can do itself: `ChatHttpProtocol` limits each
request's head (its request line and headers); `ChatWebSocketProtocol` answers a socket's bad text
quietly, writes a frame built once for a whole room, and forgets the handshake once it is done.

uvicorn itself has none: a client may send megabytes of headers, or send half a request and hold
the connection open for ever. No ASGI middleware can help, as the app first sees a request once
its headers are complete. `ChatHttpProtocol` adds, per request:

- a size limit (`CHAT_MAX_HEADER_BYTES`) and a count limit (`CHAT_MAX_HEADER_COUNT`): past either,
  the answer is 431 `{"detail":"Request Header Fields Too Large"}` and the connection closes;
- a deadline (`CHAT_HEADER_TIMEOUT_SECONDS`) from the request's first byte (from the connection's
  start for its first request) to the end of its headers: past it, 408 and the connection closes.

A socket handshake's lines are also held to the per-line limit of `websockets`, which parses the
handshake again (over it, the connection would get no answer at all): 431.

Select them with `uvicorn --http capstone.server:ChatHttpProtocol --ws
capstone.server:ChatWebSocketProtocol` (or `http=`, `ws=` in `uvicorn.run`); `python -m capstone`
and `capstone.cluster` do. The limits are read from the settings once per
process, on the first connection.

How the size is measured: the parser reports the target and each complete header line, and those
are counted exactly. A single header still arriving is held inside the parser, unseen, so every
chunk read while a head is still incomplete counts whole, except the chunk in which the request
began behind the end of the one before it (pipelining): part of that chunk is the earlier request.
Both are lower bounds, so nothing within the limit is ever refused, and what the parser may hold
past the limit is one read at most.
"""

from __future__ import annotations

import asyncio
import http
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.http11 import MAX_LINE_LENGTH as HANDSHAKE_MAX_LINE
from websockets.http11 import Request
from websockets.protocol import State as SocketState

from capstone.hub import WIRE
from capstone.settings import Settings

# A refused client still sending (a browser with oversized cookies) gets this long to finish
# before the socket is closed: closing with its bytes unread would reset the connection, and the
# reset can reach the client before the 431 it was sent.
LINGER_SECONDS = 2.0
# The request line besides its method and target ("  HTTP/1.1\r\n") and the blank line after the
# headers; the parser reports neither.
REQUEST_LINE_EXTRA = len("  HTTP/1.1\r\n") + len("\r\n")
# ": " and "\r\n" around each header's value.
HEADER_LINE_EXTRA = len(": \r\n")


@dataclass(frozen=True)
class HeadLimits:
    max_bytes: int
    max_count: int
    timeout: float


@cache
def head_limits() -> HeadLimits:
    # Once per process: every connection builds a protocol, and the environment does not change.
    settings = Settings()
    return HeadLimits(
        settings.max_header_bytes, settings.max_header_count, settings.header_timeout_seconds
    )


class HeadTooLarge(Exception):
    """Raised in a parser callback to stop httptools in the middle of a request."""


def error_response(status: int, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A complete response ending the connection, with the chat's usual JSON error body."""
    phrase = http.HTTPStatus(status).phrase
    body = json.dumps({"detail": phrase}, separators=(",", ":")).encode()
    lines = [STATUS_LINE[status]]
    lines += [name + b": " + value + b"\r\n" for name, value in default_headers]
    lines += [
        b"content-type: application/json\r\n",
        b"content-length: %d\r\n" % len(body),
        b"connection: close\r\n",
        b"\r\n",
    ]
    return b"".join(lines) + body


class ChatHttpProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = head_limits()
        self.head_clock: asyncio.TimerHandle | None = None
        self.linger: asyncio.TimerHandle | None = None
        self.in_message = False  # from a request's first byte to the end of its body
        self.in_head = False  # from a request's first byte to the end of its headers
        self.messages_begun = 0
        self.head_bytes = 0  # what the parser reported of this head
        self.head_read = 0  # whole chunks read while this head was incomplete
        self.header_count = 0
        self.too_large: str | None = None  # why, once this request is refused
        self.refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn gives a new connection no deadline at all: one that never sends a byte would
        # be held for ever.
        self._start_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        if self.linger is not None:
            self.linger.cancel()
            self.linger = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return  # lingering: what the client still sends is read and dropped
        begins_request = not self.in_message
        if begins_request:
            self._start_head_clock()
        was_in_head = self.in_head
        begun = self.messages_begun
        self._unset_keepalive_if_required()
        # uvicorn's own data_received, but telling a refused head from a malformed one.
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.too_large is not None:
                self._refuse(431, f"request header fields too large ({self.too_large})")
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self.in_head:
            same_request = self.messages_begun == begun and was_in_head
            new_request = self.messages_begun == begun + 1 and begins_request
            if same_request or new_request:
                self.head_read += len(data)
                if self.head_read > self.limits.max_bytes:
                    self.too_large = f"over {self.limits.max_bytes} bytes"
                    self._refuse(431, f"request header fields too large ({self.too_large})")

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.messages_begun += 1
        self.in_message = self.in_head = True
        self.head_bytes = self.head_read = self.header_count = 0
        self._start_head_clock()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_count += 1
        if self.header_count > self.limits.max_count:
            self.too_large = f"more than {self.limits.max_count} fields"
            raise HeadTooLarge(self.too_large)
        self._count(len(name) + len(value) + HEADER_LINE_EXTRA)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._count(len(self.parser.get_method()) + REQUEST_LINE_EXTRA)
        self.in_head = False
        self._stop_head_clock()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.in_message = False
        super().on_message_complete()

    # The limits

    def _count(self, size: int) -> None:
        self.head_bytes += size
        if self.head_bytes > self.limits.max_bytes:
            self.too_large = f"over {self.limits.max_bytes} bytes"
            raise HeadTooLarge(self.too_large)

    def _start_head_clock(self) -> None:
        if self.head_clock is None:
            self.head_clock = self.loop.call_later(self.limits.timeout, self._head_timed_out)

    def _stop_head_clock(self) -> None:
        if self.head_clock is not None:
            self.head_clock.cancel()
            self.head_clock = None

    def _head_timed_out(self) -> None:
        self.head_clock = None
        if self.transport.is_closing():
            return
        if self.in_head:
            self._refuse(408, f"request headers not complete after {self.limits.timeout:g}s")
        else:
            self.transport.close()  # not a byte of a request: nothing to answer

    def handle_websocket_upgrade(self) -> None:
        # The handshake is parsed again by `websockets`, whose limit is per line: a line over
        # it would get no answer at all (the connection just hangs), so it is refused here.
        method, url = self.scope["method"].encode(), self.url
        lines = [len(method) + len(url) + len(" ") + len(" HTTP/1.1\r\n")]
        lines += [len(n) + len(v) + HEADER_LINE_EXTRA for n, v in self.scope["headers"]]
        if max(lines) > HANDSHAKE_MAX_LINE:
            self._refuse(431, f"a socket handshake line over {HANDSHAKE_MAX_LINE} bytes")
            return
        super().handle_websocket_upgrade()

    def _refuse(self, status: int, why: str) -> None:
        self._stop_head_clock()
        self.refused = True
        prefix = "{}:{} - ".format(*self.client) if self.client else ""
        self.logger.warning("%s%s: %d, connection closed", prefix, why, status)
        if self.cycle is not None and not self.cycle.response_complete:
            # The answer to an earlier request is still being written: no room for this one.
            self.transport.close()
            return
        self.transport.write(error_response(status, self.server_state.default_headers))
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()


class ChatWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol with three changes.

    - **A text frame that is not UTF-8.** uvicorn closes the socket with 1007, as RFC 6455 asks,
      but logs a traceback for it; and a second bad frame already on its way meets a connection
      that is closing, whose error escapes to asyncio's handler as another traceback. Here the
      frame is checked first: one log line, the 1007, and frames after the close are dropped as
      uvicorn drops them.
    - **A frame built once for many sockets** (`write_frame`). A server's frames are not masked,
      so with no extension (no compression) a message's bytes on the wire are the same for every
      socket. The protocol offers `write_frame` in the socket's ASGI scope, under the extension
      `capstone.hub.WIRE`; the hub hands it those bytes, and they go to the transport in one
      call, instead of one trip per socket through Starlette's `send`, uvicorn's `send` and
      `websockets`' framing. Whatever cannot go that way at that moment (a paused transport, a
      close under way) goes the ASGI way, which waits and raises as it always does.
    - **The handshake is forgotten** once the socket is accepted. uvicorn keeps the request and
      the 101 response, with their headers, for the connection's whole life (and `websockets`
      keeps the request); nothing reads them after the 101 is written, and on an idle socket
      they are a large part of its memory.
    """

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if not self.close_sent:  # the handshake was valid, and the app will see the scope
            self.scope["extensions"][WIRE] = {"write_frame": self.write_frame}  # type: ignore[index]

    def start_keepalive(self) -> None:
        # uvicorn calls it once, just after it wrote the 101.
        super().start_keepalive()
        # The request lives on in `websockets`' parser too (a local of its generator, for the
        # connection's life), so its headers are emptied rather than only let go.
        self.request.headers.clear()
        self.request = self.response = None  # type: ignore[assignment]

    def write_frame(self, frame: bytes) -> bool:
        """Write one complete, unmasked frame now, or return False and write nothing."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.disconnected
            or not self.writable.is_set()  # paused: the ASGI send waits for the buffer
            or self.conn.state is not SocketState.OPEN
            or self.conn.extensions  # compressed: the bytes differ per socket
        ):
            return False
        self.transport.write(frame)
        return True

    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text" and not self.close_sent:
            try:
                b"".join(self.frames).decode()
            except UnicodeDecodeError:
                self.frames = []
                if self.conn.state is not SocketState.OPEN:
                    return  # closing already (a close sent or received): nothing more to say
                prefix = "{}:{} - ".format(*self.client) if self.client else ""
                self.logger.info("%sa text frame that is not UTF-8: closed with 1007", prefix)
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
        super().send_receive_event_to_app()
