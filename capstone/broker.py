"""Fan-out between processes: a publish goes to every process's hub that follows the room.

The interface is three methods in the style of encode/broadcaster: `publish`, `subscribe`,
`unsubscribe`; each process's hub is registered as the broker's delivery callback. `MemoryBroker`
serves one process; a Redis pub/sub broker can stand behind the same interface. The broker is a
doorbell, the database the truth: a message the broker loses costs a resync with `since`.

The payload is bytes: a header line `"<seq> <user to skip>\n"` then the frame's JSON, encoded once.
`seq` 0 marks a frame outside the room's order (typing); the skipped user (may be empty) is the one
a frame is not for (a typing frame goes to the others).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

Deliver = Callable[[str, bytes], None]


def pack(seq: int, text: str, skip: str = "") -> bytes:
    return f"{seq} {skip}\n{text}".encode()


def unpack(payload: bytes) -> tuple[int, str, str]:
    header, _, body = payload.partition(b"\n")
    seq, _, skip = header.decode().partition(" ")
    return int(seq), skip, body.decode()


class Broker(ABC):
    def __init__(self, deliver: Deliver) -> None:
        self.deliver = deliver

    @abstractmethod
    async def publish(self, room: str, payload: bytes) -> None: ...

    @abstractmethod
    async def subscribe(self, room: str) -> None: ...

    @abstractmethod
    async def unsubscribe(self, room: str) -> None: ...

    async def connect(self) -> None:  # noqa: B027 - optional for a backend
        """Open connections (lifespan start)."""

    async def disconnect(self) -> None:  # noqa: B027 - optional for a backend
        """Close connections (lifespan end)."""

    async def ping(self) -> bool:
        """Reachable? (`/readyz`)"""
        return True


class MemoryBroker(Broker):
    """One process: a publish is handed straight to this process's hub, without a task or queue."""

    def __init__(self, deliver: Deliver) -> None:
        super().__init__(deliver)
        self.rooms: set[str] = set()

    async def publish(self, room: str, payload: bytes) -> None:
        if room in self.rooms:
            self.deliver(room, payload)

    async def subscribe(self, room: str) -> None:
        self.rooms.add(room)

    async def unsubscribe(self, room: str) -> None:
        self.rooms.discard(room)
