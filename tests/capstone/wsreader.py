"""A real-server socket reader for the capstone's tests against uvicorn.

It reads one socket continuously in a task and keeps every frame; `wait_for(check)` waits on the
frames changing, with a bound, until `check(frames)` gives something true.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed


@dataclass
class Reader:
    ws: ClientConnection
    frames: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    closed_code: int | None = None

    def start(self) -> Reader:
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        try:
            async for raw in self.ws:
                self.frames.append(json.loads(raw))
                self.changed.set()
        except ConnectionClosed:
            pass
        self.closed_code = self.ws.close_code
        self.changed.set()

    async def wait_for(self, check: Any, within: float = 20) -> Any:
        async with asyncio.timeout(within):
            while True:
                found = check(self.frames)
                if found:
                    return found
                self.changed.clear()
                await self.changed.wait()

    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.frames if f["type"] == "message"]

    def acks(self) -> dict[str, int]:
        return {f["client_msg_id"]: f["seq"] for f in self.frames if f["type"] == "ack"}
