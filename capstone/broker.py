"""Fan-out between processes: a publish goes to every process's hub that follows the room.

The interface is three methods in the style of encode/broadcaster: `publish`, `subscribe`,
`unsubscribe`; each process's hub is registered as the broker's delivery callback, and is told
when the broker has reconnected (`on_reconnect`), since whatever was published meanwhile is gone.

- `MemoryBroker` (no `CHAT_REDIS_URL`): one process; a publish is handed straight to the hub.
- `RedisBroker`: Redis pub/sub, one channel per room. Redis keeps nothing: a subscriber that is
  disconnected misses what is published meanwhile. That is fine here, because the broker is only a
  doorbell and the database the truth: the hub notices a missing `seq` and reads it from the
  database, and after a reconnect it reads every room it follows up to the head (see `hub.py`).

The payload is bytes: a header line `"<seq> <user to skip>\n"` then the frame's JSON, encoded once.
`seq` 0 marks a frame outside the room's order (typing); the skipped user (may be empty) is the one
a frame is not for (a typing frame goes to the others). `seq` -1 is presence's doorbell: the room's
online list changed somewhere, read it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("capstone.broker")

Deliver = Callable[[str, bytes], None]
PRESENCE_SEQ = -1


def pack(seq: int, text: str, skip: str = "") -> bytes:
    return f"{seq} {skip}\n{text}".encode()


def unpack(payload: bytes) -> tuple[int, str, str]:
    header, _, body = payload.partition(b"\n")
    seq, _, skip = header.decode().partition(" ")
    return int(seq), skip, body.decode()


class Broker(ABC):
    # Whether a publish can be lost on the way (the hub then checks room heads periodically).
    lossy = False

    def __init__(self, deliver: Deliver, on_reconnect: Callable[[], None] | None = None) -> None:
        self.deliver = deliver
        self.on_reconnect = on_reconnect or (lambda: None)

    @abstractmethod
    async def publish(self, room: str, payload: bytes) -> None:
        """Ring every follower of `room`, this process's hub included. Never raises: a lost
        doorbell costs a read from the database, not a message."""

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

    def __init__(self, deliver: Deliver, on_reconnect: Callable[[], None] | None = None) -> None:
        super().__init__(deliver, on_reconnect)
        self.rooms: set[str] = set()

    async def publish(self, room: str, payload: bytes) -> None:
        if room in self.rooms:
            self.deliver(room, payload)

    async def subscribe(self, room: str) -> None:
        self.rooms.add(room)

    async def unsubscribe(self, room: str) -> None:
        self.rooms.discard(room)


class RedisBroker(Broker):
    """Redis pub/sub behind the same three methods, with a supervised listener.

    The listener owns the subscribing connection. When it breaks (Redis restarted, the network
    cut), the listener logs one line, waits with exponential backoff and jitter, opens a new one,
    subscribes to every room followed now, and only then calls `on_reconnect`, so the hub's
    read-up-to-head starts after the new subscriptions and nothing falls between.
    """

    lossy = True
    PREFIX = "chat:room:"
    # Subscribed for the connection's whole life: redis-py's listener needs one subscription,
    # and rooms come and go.
    CONTROL = "chat:control"

    def __init__(
        self,
        deliver: Deliver,
        redis: Redis,
        on_reconnect: Callable[[], None] | None = None,
        *,
        backoff_first: float = 0.05,
        backoff_max: float = 2.0,
        publish_timeout: float = 1.0,
    ) -> None:
        super().__init__(deliver, on_reconnect)
        self.redis = redis
        self.rooms: set[str] = set()
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self.publish_timeout = publish_timeout
        self.connected = asyncio.Event()
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None

    def _channel(self, room: str) -> str:
        return self.PREFIX + room

    async def connect(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="redis-broker-listener")

    async def disconnect(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    async def publish(self, room: str, payload: bytes) -> None:
        try:
            async with asyncio.timeout(self.publish_timeout):
                await self.redis.publish(self._channel(room), payload)
        except (RedisError, OSError, TimeoutError) as exc:
            # Stored already: the followers find it by the next seq or the periodic head check.
            log.warning("publish to %s failed (%s): followers will read it from the database",
                        room, type(exc).__name__)  # fmt: skip

    async def subscribe(self, room: str) -> None:
        self.rooms.add(room)
        await self._send_to_listener("subscribe", room)

    async def unsubscribe(self, room: str) -> None:
        self.rooms.discard(room)
        await self._send_to_listener("unsubscribe", room)

    async def _send_to_listener(self, command: str, room: str) -> None:
        pubsub = self._pubsub
        if pubsub is None:
            return  # reconnecting: the listener subscribes to `self.rooms` when it is back
        try:
            await getattr(pubsub, command)(self._channel(room))
        except (RedisError, OSError) as exc:
            # The listener sees the same broken connection and reconnects with every room.
            log.warning("%s %s failed (%s)", command, room, type(exc).__name__)

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(self.publish_timeout):
                return bool(await self.redis.ping())
        except (RedisError, OSError, TimeoutError):
            return False

    def _hand_over(self, room: str, payload: bytes) -> None:
        try:
            self.deliver(room, payload)
        except Exception:
            # A defect in delivery must not take the subscription down with it.
            log.exception("delivering a payload for %s failed", room)

    async def _listen(self) -> None:
        delay = self.backoff_first
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.CONTROL, *(self._channel(r) for r in self.rooms))
                self._pubsub = pubsub
                self.connected.set()
                self.on_reconnect()
                delay = self.backoff_first
                async for message in pubsub.listen():
                    channel = message["channel"].decode()
                    if message["type"] == "message" and channel.startswith(self.PREFIX):
                        self._hand_over(channel[len(self.PREFIX) :], message["data"])
                raise ConnectionError("subscription ended")  # pragma: no cover - always subscribed
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: reconnect, never die
                log.warning("redis listener lost (%s): reconnecting in %.2f s",
                            type(exc).__name__, delay)  # fmt: skip
            finally:
                self._pubsub = None
                self.connected.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, self.backoff_max)
