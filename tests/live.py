"""A real uvicorn process for the tests that the in-process TestClient cannot make.

    with live_server("lessons.l18_templates_and_static:app") as server:
        server.url        # "http://127.0.0.1:PORT"
        server.ws_url     # "ws://127.0.0.1:PORT"

Readiness is the event itself: the fixture waits, with a bound, for uvicorn to print that it is
listening (and fails with the server's output if the process dies first). The process itself is
`capstone.cluster.Uvicorn`, the same one the cluster command and the multi-worker tests start.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from capstone.cluster import Uvicorn, free_port

LiveServer = Uvicorn
__all__ = ["LiveServer", "free_port", "live_server"]


@contextmanager
def live_server(
    app: str,
    *,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    port: int | None = None,
    ready_timeout: float = 30.0,
) -> Iterator[LiveServer]:
    server = Uvicorn(app, port or free_port(), env, args)
    server.start(ready_timeout)
    try:
        yield server
    finally:
        server.stop()
