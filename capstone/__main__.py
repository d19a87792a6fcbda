"""Serve the chat: `python -m capstone [--host 127.0.0.1] [--port 8000] [--reload]`.

HTTP through `capstone.server.ChatHttpProtocol` (uvicorn's httptools protocol with limits on the
size of a request's headers and the time they may take to arrive);
sockets through `capstone.server.ChatWebSocketProtocol`, uvicorn's sans-I/O websockets
implementation (the cheapest per delivery here) with one log line for a frame that is not UTF-8,
per-message
compression off (it costs CPU and memory for short texts), and a frame limit just above
`CHAT_MAX_MESSAGE_BYTES` so an oversize frame is refused by the protocol layer with 1009.
"""

from __future__ import annotations

import argparse
import json
import os

import uvicorn

from capstone.settings import Settings

FRAME_MARGIN = 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m capstone", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--reload", action="store_true", help="restart when the code changes")
    args = parser.parse_args(argv)
    if "CHAT_ALLOWED_ORIGINS" not in os.environ and args.port != 8000:
        # The default allow-list names port 8000; on another port the page's own origin must be
        # on it, or every browser socket is refused. An explicit setting always wins.
        os.environ["CHAT_ALLOWED_ORIGINS"] = json.dumps(own_origins(args.host, args.port))
    settings = Settings()
    uvicorn.run(
        "capstone.main:app",
        host=args.host,
        port=args.port,
        reload=args.reload,
        http="capstone.server:ChatHttpProtocol",
        ws="capstone.server:ChatWebSocketProtocol",
        ws_per_message_deflate=False,
        ws_max_size=settings.max_message_bytes + FRAME_MARGIN,
    )


def own_origins(host: str, port: int) -> list[str]:
    hosts = ["127.0.0.1", "localhost"]
    if host not in {"127.0.0.1", "localhost", "0.0.0.0", "::"}:
        hosts.append(host)
    return [f"http://{name}:{port}" for name in hosts]


if __name__ == "__main__":
    main()
