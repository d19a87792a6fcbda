"""This process's sockets, by room, and the fan-out that never waits on any one of them.

Each frame is encoded once; the same string goes to every recipient. For each socket the hub
*starts* the send by stepping its coroutine once by hand: uvicorn's send awaits an `asyncio.Event`
that is already set while the transport is not paused, then writes synchronously, so a send to a
healthy socket finishes in that one step (`StopIteration`) without a task, a queue or a suspension.
Only a send that would block (the peer's buffers are full) yields a future; the half-run coroutine
is then handed to a drain task for that socket, which finishes it and then empties the socket's
bounded backlog. A socket whose backlog overflows is evicted: marked dead (it gets nothing more),
taken out of its room, and closed with 1013 with a bounded wait, since a close to a stuck peer waits
behind the same full buffer. A send that raises drops that recipient only.

Python 3.12's `asyncio.eager_task_factory` would do the first step for us; on 3.11 we do it here.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Coroutine
from typing import Any

from starlette.websockets import WebSocket

from capstone.broker import Broker, unpack

log = logging.getLogger("capstone.hub")

TOO_SLOW = 1013


class Connection:
    """One accepted socket in one room."""

    __slots__ = (
        "_close_task",
        "_gone",
        "_gone_event",
        "backlog",
        "backlog_limit",
        "catch_up",
        "close_timeout",
        "dead",
        "drainer",
        "hub",
        "last_seq",
        "overflowed",
        "room",
        "user_id",
        "username",
        "websocket",
    )

    def __init__(
        self,
        hub: Hub,
        websocket: WebSocket,
        room: str,
        user_id: int,
        username: str,
        *,
        backlog_limit: int,
        close_timeout: float,
    ) -> None:
        self.hub = hub
        self.websocket = websocket
        self.room = room
        self.user_id = user_id
        self.username = username
        self.backlog_limit = backlog_limit
        self.close_timeout = close_timeout
        self.dead = False
        # Until the history is sent, live frames wait here (see `go_live`).
        self.catch_up: list[tuple[int, str]] | None = []
        self.overflowed = False
        self.last_seq = 0
        self.backlog: deque[str] | None = None
        self.drainer: asyncio.Task[None] | None = None
        self._close_task: asyncio.Task[None] | None = None
        self._gone = False
        self._gone_event: asyncio.Event | None = None

    @property
    def gone(self) -> asyncio.Event:
        """Set once this socket is dropped or closed by the hub. Made on first use: nothing in
        the app waits on it, and an Event per idle socket is about 380 bytes (tracemalloc)."""
        if self._gone_event is None:
            self._gone_event = asyncio.Event()
            if self._gone:
                self._gone_event.set()
        return self._gone_event

    def _mark_gone(self) -> None:
        self._gone = True
        if self._gone_event is not None:
            self._gone_event.set()

    # ---- receiving frames from the hub ----------------------------------------------------

    def deliver(self, seq: int, text: str) -> None:
        if self.dead:
            return
        if self.catch_up is not None:
            if self.overflowed:
                return  # the history pass will fetch these from the database
            if len(self.catch_up) >= self.backlog_limit:
                self.overflowed = True
                self.catch_up.clear()
                return
            self.catch_up.append((seq, text))
            return
        if seq:
            if seq <= self.last_seq:
                return  # sent already (history, or a repeated publish)
            self.last_seq = seq
        self.send(text)

    def go_live(self, last_sent: int) -> None:
        """History is out up to `last_sent`: flush what arrived meanwhile, newer seqs only.

        Synchronous on purpose: nothing can arrive between the flush and the switch to live.
        """
        waiting, self.catch_up = self.catch_up or [], None
        self.last_seq = max(self.last_seq, last_sent)
        for seq, text in waiting:
            self.deliver(seq, text)

    # ---- sending, without waiting ---------------------------------------------------------

    def send(self, text: str) -> None:
        """Send one frame in order; never suspends the caller."""
        if self.dead:
            return
        if self.backlog is not None:
            if len(self.backlog) >= self.backlog_limit:
                self.evict()
            else:
                self.backlog.append(text)
            return
        coro = self.websocket.send({"type": "websocket.send", "text": text})
        try:
            waiting_on = coro.send(None)
        except StopIteration:
            return  # the common case: written to the transport already
        except Exception:
            coro.close()
            self.drop()
            return
        self.backlog = deque()
        self.drainer = asyncio.create_task(self._drain(coro, waiting_on))

    async def _drain(self, coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
        try:
            await _finish(coro, waiting_on)
            while self.backlog:
                await self.websocket.send_text(self.backlog.popleft())
        except asyncio.CancelledError:
            raise
        except Exception:
            self.drop()
            return
        self.backlog = None
        self.drainer = None

    # ---- leaving ----------------------------------------------------------------------------

    def drop(self) -> None:
        """The send failed (the peer went away): forget this socket, tell no one else."""
        if self.dead:
            return
        self.dead = True
        self.backlog = None
        self.hub.remove(self)
        self._mark_gone()

    def evict(self) -> None:
        """Too slow: out of the room now, closed with 1013 if the close can go through."""
        if self.dead:
            return
        log.warning("evicting %s from %s: backlog full", self.username, self.room)
        self.dead = True
        self.backlog = None
        if self.drainer is not None:
            self.drainer.cancel()
            self.drainer = None
        self.hub.remove(self)
        self._close_task = asyncio.create_task(self._close(TOO_SLOW, "too slow, resume with since"))

    async def _close(self, code: int, reason: str) -> None:
        try:
            async with asyncio.timeout(self.close_timeout):
                await self.websocket.close(code, reason)
        except (TimeoutError, Exception):
            pass  # a stuck peer: its transport goes when it does; it gets nothing more from us
        finally:
            self._mark_gone()


async def _finish(coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """Drive a coroutine that was stepped once by hand and yielded `waiting_on`, as a Task would."""
    try:
        while True:
            if waiting_on is None:
                await asyncio.sleep(0)  # a bare yield: give the loop one turn
            else:
                try:
                    await waiting_on
                except asyncio.CancelledError:
                    raise
                except BaseException:
                    pass  # the coroutine sees the future's outcome itself when resumed
            waiting_on = coro.send(None)
    except StopIteration:
        return
    except asyncio.CancelledError:
        coro.close()
        raise


class Hub:
    """Sockets by room for this process; the broker's delivery callback."""

    def __init__(self, *, backlog_limit: int, close_timeout: float) -> None:
        self.backlog_limit = backlog_limit
        self.close_timeout = close_timeout
        # Per room, the sockets in the order they joined (a dict as an ordered set).
        self.rooms: dict[str, dict[Connection, None]] = {}
        self.by_user: dict[int, int] = {}
        self.broker: Broker | None = None
        self._announcing: set[str] = set()
        self._stale: set[str] = set()
        self._announced: dict[str, list[str]] = {}

    def connection(
        self, websocket: WebSocket, room: str, user_id: int, username: str
    ) -> Connection:
        return Connection(
            self,
            websocket,
            room,
            user_id,
            username,
            backlog_limit=self.backlog_limit,
            close_timeout=self.close_timeout,
        )

    def sockets_of(self, user_id: int) -> int:
        return self.by_user.get(user_id, 0)

    def reserve(self, user_id: int) -> None:
        self.by_user[user_id] = self.by_user.get(user_id, 0) + 1

    def release(self, user_id: int) -> None:
        left = self.by_user.get(user_id, 0) - 1
        if left > 0:
            self.by_user[user_id] = left
        else:
            self.by_user.pop(user_id, None)

    async def join(self, conn: Connection) -> None:
        """Follow the room (subscribe first, so nothing published from now on is missed)."""
        members = self.rooms.get(conn.room)
        if members is None:
            members = self.rooms[conn.room] = {}
            if self.broker is not None:
                await self.broker.subscribe(conn.room)
        members[conn] = None

    def remove(self, conn: Connection) -> None:
        members = self.rooms.get(conn.room)
        if members is None or conn not in members:
            return
        del members[conn]
        self.announce_presence(conn.room)

    async def leave(self, conn: Connection) -> None:
        conn.dead = True
        self.remove(conn)
        if not self.rooms.get(conn.room, True):
            del self.rooms[conn.room]
            self._announced.pop(conn.room, None)
            if self.broker is not None:
                await self.broker.unsubscribe(conn.room)

    def online(self, room: str) -> list[str]:
        return sorted({conn.username for conn in self.rooms.get(room, ()) if not conn.dead})

    def announce_presence(self, room: str, newcomer: Connection | None = None) -> None:
        """Send the room's online list when it changed (and to a newcomer, who needs it anyway).

        A send that fails drops its socket, which changes the list again: that change is
        announced after this round, never nested inside it, so every socket sees the lists in the
        order they were true.
        """
        if room in self._announcing:
            self._stale.add(room)
            return
        self._announcing.add(room)
        try:
            while members := self.rooms.get(room):
                self._stale.discard(room)
                online = self.online(room)
                text = json.dumps({"type": "presence", "room": room, "online": online})
                if online != self._announced.get(room):
                    self._announced[room] = online
                    for conn in tuple(members):
                        conn.deliver(0, text)
                elif newcomer is not None:
                    newcomer.deliver(0, text)  # a second tab of someone already online
                newcomer = None
                if room not in self._stale:
                    break
        finally:
            self._announcing.discard(room)
            self._stale.discard(room)

    def on_payload(self, room: str, payload: bytes) -> None:
        """The broker's callback: one decode per message, then one non-waiting send per socket."""
        members = self.rooms.get(room)
        if not members:
            return
        seq, skip, text = unpack(payload)
        for conn in tuple(members):
            if skip and conn.username == skip:
                continue
            conn.deliver(seq, text)

    async def close_all(self, code: int = 1012) -> None:
        """Server going away: tell every socket to come back later (with `since`)."""
        conns = [conn for members in self.rooms.values() for conn in members]
        for conn in conns:
            conn.dead = True
        self.rooms.clear()
        for conn in conns:
            if conn.drainer is not None:
                conn.drainer.cancel()
        await asyncio.gather(
            *(conn._close(code, "server restarting") for conn in conns), return_exceptions=True
        )
