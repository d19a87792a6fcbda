"""A real uvicorn process for the tests that the in-process TestClient cannot make.

    with live_server("lessons.l18_templates_and_static:app") as server:
        server.url        # "http://127.0.0.1:PORT"
        server.ws_url     # "ws://127.0.0.1:PORT"

Readiness is the event itself: the fixture waits, with a bound, for uvicorn to print that it is
listening (and fails with the server's output if the process dies first).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.conftest import ROOT

# uvicorn prints this once its socket is bound; "Application startup complete" comes before that.
READY = "Uvicorn running on"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    port: int
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def output(self) -> str:
        return "".join(self.lines)


@contextmanager
def live_server(
    app: str,
    *,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    port: int | None = None,
    ready_timeout: float = 30.0,
) -> Iterator[LiveServer]:
    port = port or free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = LiveServer(port, process)
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.lines.append(line)
            if READY in line:
                ready.set()
        ready.set()  # the process ended: stop waiting

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not ready.wait(ready_timeout) or process.poll() is not None:
            raise RuntimeError(f"uvicorn did not start {app}:\n{server.output}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
