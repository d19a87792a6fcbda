"""This process's sockets, by room: ordered delivery that never waits on any one socket.

Two kinds of object, each the one owner of its state:

- `RoomFeed`, one per room this process follows (while it has a socket in it): the room's cursor.
  `head` is the highest `seq` delivered here with no hole below it. A doorbell from the broker
  with the next seq is delivered at once; a later one waits in `pending` for `gap_wait` seconds
  for the missing ones, then the missing range is read from the database, which always has it (a
  message is published only after its commit, and a room's commits happen in seq order). After a
  broker reconnect, and at each periodic head check when the broker can lose doorbells, every
  followed room is read up to its head. So every socket gets each seq once, in order, whatever
  the broker dropped, repeated or reordered.
- `Connection`, one per socket, in one of four states: CATCHING_UP (history from `since` is read
  from the database; live frames wait, bounded), LIVE, EVICTED (too slow: out of the room, a 1013
  close on its way) and CLOSED. It owns the socket's catch-up, its sends, its backlog, its
  eviction and its close; the route only reads frames from it and hands it replies.

A socket holds as little as it can while it idles, since a chat's sockets mostly idle: the route
awaits `Hub.join`, `Connection.next_frame` and `Hub.leave` rather than holding a context
manager's and an async generator's frames open for the socket's whole life.

Sending never suspends the caller. Each frame is encoded once (`Outgoing`). Under the chat's own
uvicorn protocol (`capstone.server.ChatWebSocketProtocol`, found in the socket's scope under the
extension `WIRE`) its bytes on the wire are built once too, and written to each socket's transport
directly while the transport takes them. Otherwise (another server, the test client), or when a
transport is paused, the send goes the ASGI way, and is *started* by stepping its coroutine once
by hand: uvicorn's send awaits an `asyncio.Event` that is
already set while the transport is not paused, then writes synchronously, so a send to a healthy
socket finishes in that one step, with no task, queue or suspension. Only a send that would block
(the peer's buffers are full) yields a future; the half-run coroutine is then finished by a drain
task for that socket, which goes on to empty the socket's bounded backlog. A socket whose backlog
overflows is evicted. Python 3.12's `asyncio.eager_task_factory` would do the first step for us; on
3.11 we do it here.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from collections import deque
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.frames import Frame, Opcode

from capstone.broker import PRESENCE_SEQ, Broker, pack, unpack

log = logging.getLogger("capstone.hub")

POLICY = 1008
TOO_BIG = 1009
TOO_SLOW = 1013
GOING_AWAY = 1012


# The ASGI scope extension under which the chat's uvicorn protocol offers its `write_frame`:
# `{"write_frame": callable}`, the callable taking a complete unmasked frame's bytes and
# returning False, having written nothing, when they cannot go now.
WIRE = "capstone.wire"


def error_frame(code: str, detail: str) -> str:
    return json.dumps({"type": "error", "code": code, "detail": detail})


class Outgoing:
    """A text frame for many sockets: encoded once, and framed once the first time a socket
    can take the frame's bytes directly (a server's frames are never masked, so they are the
    same bytes for every socket)."""

    __slots__ = ("_wire", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = Frame(Opcode.TEXT, self.text.encode()).serialize(mask=False)
        return self._wire


class FeedSource(Protocol):
    """What the hub reads from the database: the truth behind the broker's doorbells."""

    async def head(self, room_id: int) -> int: ...

    async def heads(self, room_ids: Collection[int]) -> dict[int, int]: ...

    async def frames_after(self, room_id: int, after: int, limit: int) -> list[tuple[int, str]]:
        """Up to `limit` (seq, encoded message frame) after `after`, in seq order."""
        ...


class Presence(Protocol):
    """Who is online in a room across every worker (the shared state, when there is one)."""

    async def set_presence(self, room: str, usernames: set[str]) -> None: ...

    async def online(self, room: str) -> list[str]: ...

    async def heartbeat(self, presence: dict[str, set[str]]) -> set[str]: ...


@dataclass(frozen=True, slots=True)
class RoomRef:
    id: int
    name: str


class State(enum.Enum):
    CATCHING_UP = "catching up"
    LIVE = "live"
    EVICTED = "evicted"
    CLOSED = "closed"


class Connection:
    """One accepted socket in one room."""

    __slots__ = (
        "_gone",
        "_gone_event",
        "_overflowed",
        "_receiving",
        "backlog",
        "closer",
        "drainer",
        "feed",
        "handler",
        "hub",
        "last_seq",
        "session_id",
        "state",
        "user_id",
        "username",
        "waiting",
        "websocket",
        "write_frame",
    )

    def __init__(
        self,
        hub: Hub,
        feed: RoomFeed,
        websocket: WebSocket,
        user_id: int,
        username: str,
        session_id: str = "",
    ) -> None:
        self.hub = hub
        self.feed = feed
        self.websocket = websocket
        wire = (websocket.scope.get("extensions") or {}).get(WIRE) or {}
        self.write_frame: Callable[[bytes], bool] | None = wire.get("write_frame")
        self.user_id = user_id
        self.username = username
        self.session_id = session_id  # the login this socket opened with
        self.state = State.CATCHING_UP
        self.last_seq = 0
        # While catching up, live frames wait here; None once live.
        self.waiting: list[tuple[int, Outgoing]] | None = []
        self._overflowed = False
        self.backlog: deque[Outgoing] | None = None
        self.drainer: asyncio.Task[None] | None = None
        self.closer: asyncio.Task[None] | None = None
        self.handler: asyncio.Task[Any] | None = None
        self._receiving = False
        self._gone = False
        self._gone_event: asyncio.Event | None = None

    @property
    def room(self) -> str:
        return self.feed.name

    @property
    def present(self) -> bool:
        return self.state is State.CATCHING_UP or self.state is State.LIVE

    @property
    def gone(self) -> asyncio.Event:
        """Set once the hub has dropped or closed this socket. Made on first use: nothing in the
        app waits on it, and an Event per idle socket is about 380 bytes (tracemalloc)."""
        if self._gone_event is None:
            self._gone_event = asyncio.Event()
            if self._gone:
                self._gone_event.set()
        return self._gone_event

    def _mark_gone(self) -> None:
        self._gone = True
        if self._gone_event is not None:
            self._gone_event.set()

    # ---- catching up, then live --------------------------------------------------------------

    async def catch_up(self, since: int) -> None:
        """Send what came after `since` from the database, then go live with no gap or repeat.

        The feed already delivers to this socket (into `waiting`), so what the database read
        misses at its end is waiting; if too much arrived meanwhile, read the database again.
        A `since` past the room's head (a client's mistake, or a database restored from a
        backup) resumes from the head instead of muting the socket until the room catches up.
        """
        hub, room_id = self.hub, self.feed.room_id
        last = min(since, await hub.source.head(room_id))
        while True:
            rows = await hub.source.frames_after(room_id, last, hub.history_page)
            for seq, text in rows:
                await self.websocket.send_text(text)
                last = seq
            if len(rows) == hub.history_page:
                continue
            if self._overflowed:
                self._overflowed = False
                continue
            break
        # Synchronous from here on: nothing can arrive between the flush and the switch.
        waiting, self.waiting = self.waiting or [], None
        self.last_seq = max(self.last_seq, last)
        self.state = State.LIVE
        for seq, frame in waiting:
            self.deliver(seq, frame)

    def deliver(self, seq: int, frame: Outgoing) -> None:
        """A frame for this socket: `seq` > 0 for a message (sent once, in order), 0 otherwise."""
        if self.state is State.LIVE:
            if seq:
                if seq <= self.last_seq:
                    return  # sent already (history, or a repeated doorbell)
                self.last_seq = seq
            self.send(frame)
        elif self.state is State.CATCHING_UP:
            if self._overflowed or self.waiting is None:
                return  # the catch-up reads these from the database
            if len(self.waiting) >= self.hub.backlog_limit:
                self._overflowed = True
                self.waiting.clear()
                return
            self.waiting.append((seq, frame))

    # ---- sending, without waiting ------------------------------------------------------------

    def send(self, frame: Outgoing | str) -> None:
        """Send one frame in order; never suspends the caller."""
        if self.state is not State.LIVE:
            return
        if isinstance(frame, str):
            frame = Outgoing(frame)
        if self.backlog is not None:
            if len(self.backlog) >= self.hub.backlog_limit:
                self.evict()
            else:
                self.backlog.append(frame)
            return
        if self.write_frame is not None and self.write_frame(frame.wire):
            return  # the common case under the chat's own protocol
        coro = self.websocket.send({"type": "websocket.send", "text": frame.text})
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
                await self.websocket.send_text(self.backlog.popleft().text)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.drop()
            return
        self.backlog = None
        self.drainer = None

    # ---- reading frames ----------------------------------------------------------------------

    async def next_frame(self) -> str | None:
        """The client's next text frame; None once it left or the hub ended this socket.

        A frame over the size limit closes this socket with 1009 (uvicorn's `ws_max_size` catches
        most of them first; this covers any other server); a binary frame gets an error frame.
        """
        limit = self.hub.max_frame_bytes
        while self.state is State.LIVE:
            self._receiving = True
            try:
                message = await self.websocket.receive()
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if self.state is State.CLOSED and task is not None and task.cancelling():
                    task.uncancel()  # the hub ended this socket (see `_stop_handler`)
                    return None
                raise
            except (WebSocketDisconnect, RuntimeError):
                return None
            finally:
                self._receiving = False
            if message["type"] == "websocket.disconnect":
                return None
            text: str | None = message.get("text")
            if text is None:
                size = len(message.get("bytes") or b"")
            else:
                size = len(text) if len(text) * 4 <= limit else len(text.encode())
            if size > limit:
                await self.close(TOO_BIG, "frame too large")
                return None
            if text is None:
                self.send(error_frame("bad_frame", "frames are JSON text"))
                continue
            return text
        return None

    # ---- leaving -----------------------------------------------------------------------------

    def drop(self) -> None:
        """A send failed (the peer went away): forget this socket, tell no one else."""
        if not self.present:
            return
        self.state = State.CLOSED
        self.backlog = None
        self.hub.remove(self)
        self._mark_gone()

    def evict(self) -> None:
        """Too slow: out of the room now, closed with 1013 once the close can go through."""
        if self.present:
            log.warning("evicting %s from %s: backlog full", self.username, self.room)
            self.end(TOO_SLOW, "too slow: resume with since")

    def end(self, code: int, reason: str) -> None:
        """Out of the room now, closed with `code` once the close can go through; the caller
        does not wait for that."""
        if not self.present:
            return
        self.state = State.EVICTED
        self.backlog = None
        if self.drainer is not None:
            self.drainer.cancel()
            self.drainer = None
        self.hub.remove(self)
        self.closer = asyncio.create_task(self._close(code, reason))

    async def close(self, code: int, reason: str) -> None:
        """Close from the socket's own handler (1009), or from the hub (1012 at shutdown)."""
        if self.present:
            self.state = State.EVICTED
            self.hub.remove(self)
        if self.drainer is not None:
            self.drainer.cancel()
            self.drainer = None
        await self._close(code, reason)

    async def _close(self, code: int, reason: str) -> None:
        # The close frame waits behind whatever fills the peer's buffers: bounded. A peer that
        # reads again within the bound gets everything sent before it, then the close code.
        try:
            async with asyncio.timeout(self.hub.close_timeout):
                await self.websocket.close(code, reason)
        except (TimeoutError, Exception):
            pass
        finally:
            self.state = State.CLOSED
            self._mark_gone()
            self._stop_handler()

    def _stop_handler(self) -> None:
        """End the handler's wait for frames: a stuck peer never sends the disconnect that
        would end it, and its socket's resources should go now."""
        handler = self.handler
        if handler is not None and self._receiving and handler is not asyncio.current_task():
            handler.cancel()


async def _finish(coro: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """Drive a coroutine that was stepped once by hand and yielded `waiting_on`, as a Task would.

    The future it yielded is still marked as being awaited (`_asyncio_future_blocking`), since no
    Task took it: awaiting it again directly raises "await wasn't used with future". Waiting on
    it with `asyncio.wait` adds a callback instead, and the coroutine reads the outcome itself.
    """
    try:
        while True:
            if waiting_on is None:
                await asyncio.sleep(0)  # a bare yield: give the loop one turn
            else:
                await asyncio.wait((waiting_on,))
            waiting_on = coro.send(None)
    except StopIteration:
        return
    except asyncio.CancelledError:
        coro.close()
        raise


class RoomFeed:
    """One followed room's cursor in this process (see the module's docstring)."""

    __slots__ = (
        "announced",
        "announcer",
        "announcing",
        "fill_again",
        "filler",
        "gap_timer",
        "head",
        "hub",
        "members",
        "name",
        "newcomers",
        "pending",
        "presence_dirty",
        "ready",
        "room_id",
        "written",
    )

    def __init__(self, hub: Hub, room_id: int, name: str) -> None:
        self.hub = hub
        self.room_id = room_id
        self.name = name
        # The sockets in the order they joined (a dict as an ordered set).
        self.members: dict[Connection, None] = {}
        self.head: int | None = None  # None while the feed is being set up
        self.ready = asyncio.Event()
        self.pending: dict[int, str] = {}
        self.gap_timer: asyncio.TimerHandle | None = None
        self.filler: asyncio.Task[None] | None = None
        self.fill_again = False
        # Presence: the list last sent, this worker's users last written to the shared state.
        self.announced: list[str] | None = None
        self.written: set[str] = set()
        self.newcomers: list[Connection] = []
        self.presence_dirty = False
        self.announcing = False
        self.announcer: asyncio.Task[None] | None = None

    def start(self, head: int) -> None:
        """Set up: what arrived while the head was read is kept if it is newer."""
        self.head = head
        self.pending = {seq: text for seq, text in self.pending.items() if seq > head}
        self._advance_pending()
        self.ready.set()
        if self.pending:
            self._wait_for_gap()

    def on_message(self, seq: int, text: str) -> None:
        head = self.head
        if head is None:
            self.pending[seq] = text
            return
        if seq <= head:
            return  # delivered already: a repeated doorbell, or read from the database first
        if seq == head + 1:
            self._advance(seq, text)
            self._advance_pending()
            if not self.pending and self.gap_timer is not None:
                self.gap_timer.cancel()
                self.gap_timer = None
            return
        self.pending[seq] = text
        self._wait_for_gap()

    def _advance(self, seq: int, text: str) -> None:
        self.head = seq
        frame = Outgoing(text)
        for conn in tuple(self.members):
            conn.deliver(seq, frame)

    def _advance_pending(self) -> None:
        assert self.head is not None
        while (text := self.pending.pop(self.head + 1, None)) is not None:
            self._advance(self.head + 1, text)

    def _wait_for_gap(self) -> None:
        if self.gap_timer is None and self.filler is None:
            loop = asyncio.get_running_loop()
            self.gap_timer = loop.call_later(self.hub.gap_wait, self.fill)

    def fill(self) -> None:
        """Read from the database what lies between `head` and the room's head."""
        if self.gap_timer is not None:
            self.gap_timer.cancel()
            self.gap_timer = None
        if self.head is None:
            return
        if self.filler is not None:
            self.fill_again = True
            return
        self.filler = asyncio.create_task(self._fill())

    async def _fill(self) -> None:
        page = self.hub.history_page
        try:
            while True:
                self.fill_again = False
                assert self.head is not None
                rows = await self.hub.source.frames_after(self.room_id, self.head, page)
                for seq, text in rows:
                    if seq > self.head:  # live doorbells may have moved on meanwhile
                        self.pending.pop(seq, None)
                        self._advance(seq, text)
                for seq in [seq for seq in self.pending if seq <= self.head]:
                    del self.pending[seq]
                self._advance_pending()
                if len(rows) < page and not self.fill_again:
                    break
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: try again later
            log.warning("reading %s from the database failed (%s): will retry",
                        self.name, type(exc).__name__)  # fmt: skip
        finally:
            self.filler = None
        if self.pending:
            self._wait_for_gap()

    def stop(self) -> None:
        if self.gap_timer is not None:
            self.gap_timer.cancel()
            self.gap_timer = None
        if self.filler is not None:
            self.filler.cancel()
            self.filler = None


class Hub:
    """This process's followed rooms and their sockets; the broker's delivery callback."""

    def __init__(
        self,
        source: FeedSource,
        *,
        backlog_limit: int,
        close_timeout: float,
        max_frame_bytes: int = 16384,
        history_page: int = 500,
        gap_wait: float = 0.05,
        presence: Presence | None = None,
    ) -> None:
        self.source = source
        self.backlog_limit = backlog_limit
        self.close_timeout = close_timeout
        self.max_frame_bytes = max_frame_bytes
        self.history_page = history_page
        self.gap_wait = gap_wait
        # None: one process, presence is this hub's own sockets.
        self.presence = presence
        self.feeds: dict[str, RoomFeed] = {}
        self.broker: Broker | None = None
        self.closing = False

    # ---- sockets coming and going ------------------------------------------------------------

    async def join(
        self,
        websocket: WebSocket,
        room: RoomRef,
        user_id: int,
        username: str,
        since: int,
        session_id: str = "",
    ) -> Connection:
        """Follow the room, catch the socket up from `since`, and hand it over live. The caller
        reads its frames, then calls `leave` in a `finally`.

        The feed is followed (subscribed) before the history is read, so nothing falls between.
        A peer that leaves during the catch-up is returned closed: `next_frame` gives None, and
        the peer resumes with `since`.
        """
        feed = await self._follow(room)
        conn = Connection(self, feed, websocket, user_id, username, session_id)
        conn.handler = asyncio.current_task()
        feed.members[conn] = None
        try:
            await conn.catch_up(since)
        except WebSocketDisconnect:
            conn.state = State.CLOSED
        except BaseException:
            await self.leave(conn)
            raise
        else:
            self.presence_changed(feed, newcomer=conn)
        return conn

    async def _follow(self, room: RoomRef) -> RoomFeed:
        """The room's feed, set up once even when several sockets join at the same moment."""
        while True:
            feed = self.feeds.get(room.name)
            if feed is None:
                feed = self.feeds[room.name] = RoomFeed(self, room.id, room.name)
                try:
                    if self.broker is not None:
                        await self.broker.subscribe(room.name)
                    head = await self.source.head(room.id)
                except BaseException:
                    if self.feeds.get(room.name) is feed:
                        del self.feeds[room.name]
                    feed.ready.set()
                    raise
                feed.start(head)
                return feed
            if feed.head is None:
                await feed.ready.wait()
                continue  # set up now, or failed and gone: look again
            return feed

    def remove(self, conn: Connection) -> None:
        """Out of its room's delivery (dropped, evicted, closed): presence changes."""
        feed = conn.feed
        if conn in feed.members:
            del feed.members[conn]
            self.presence_changed(feed)

    async def leave(self, conn: Connection) -> None:
        if conn.present:
            conn.state = State.CLOSED
        self.remove(conn)
        if conn.drainer is not None:
            conn.drainer.cancel()
            conn.drainer = None
        feed = conn.feed
        if not feed.members and self.feeds.get(feed.name) is feed:
            del self.feeds[feed.name]
            feed.stop()
            if self.broker is not None:
                await self.broker.unsubscribe(feed.name)

    # ---- from the broker ---------------------------------------------------------------------

    def on_payload(self, room: str, payload: bytes) -> None:
        """The broker's callback: one decode per message, then one non-waiting send per socket."""
        feed = self.feeds.get(room)
        if feed is None:
            return
        seq, skip, text = unpack(payload)
        if seq > 0:
            feed.on_message(seq, text)
        elif seq == PRESENCE_SEQ:
            self.presence_changed(feed, ring=False)
        else:
            frame = Outgoing(text)
            for conn in tuple(feed.members):
                if not (skip and conn.username == skip):
                    conn.deliver(0, frame)

    def resync(self) -> None:
        """The broker reconnected: doorbells may have been lost, so read every room to its head."""
        for feed in tuple(self.feeds.values()):
            feed.fill()
            # A restarted Redis has forgotten this worker's presence: write it again now rather
            # than at the next heartbeat, and tell the others.
            feed.written = set()
            self.presence_changed(feed)

    async def check_heads(self) -> None:
        """Catch a lost doorbell for a room's last message (nothing after it reveals the gap)."""
        feeds = [feed for feed in self.feeds.values() if feed.head is not None]
        if not feeds:
            return
        heads = await self.source.heads([feed.room_id for feed in feeds])
        for feed in feeds:
            assert feed.head is not None
            if heads.get(feed.room_id, 0) > feed.head:
                feed.fill()

    async def heartbeat(self) -> None:
        """Keep this worker's presence alive in the shared state; notice workers that died."""
        if self.presence is None:
            return
        local = {name: self._local_online(feed) for name, feed in self.feeds.items()}
        for name in await self.presence.heartbeat(local):
            if (feed := self.feeds.get(name)) is not None:
                self.presence_changed(feed, ring=False)

    # ---- presence ----------------------------------------------------------------------------

    @staticmethod
    def _local_online(feed: RoomFeed) -> set[str]:
        return {conn.username for conn in feed.members if conn.present}

    def online(self, room: str) -> list[str]:
        """This process's users in the room."""
        feed = self.feeds.get(room)
        return sorted(self._local_online(feed)) if feed else []

    def presence_changed(
        self, feed: RoomFeed, newcomer: Connection | None = None, *, ring: bool = True
    ) -> None:
        """Send the room's online list to its sockets when it changed (and to a newcomer, who
        needs it anyway). `ring`: the change is this worker's own, so tell the other workers."""
        if self.closing:
            return
        if newcomer is not None:
            feed.newcomers.append(newcomer)
        feed.presence_dirty = True
        if self.presence is None:
            self._announce_local(feed)
        elif feed.announcer is None:
            feed.announcer = asyncio.create_task(self._announce_shared(feed, ring))

    def _announce_local(self, feed: RoomFeed) -> None:
        # A send that fails drops its socket, which changes the list again: announced after this
        # round, never inside it, so every socket sees the lists in the order they were true.
        if feed.announcing:
            return
        feed.announcing = True
        try:
            while feed.presence_dirty:
                feed.presence_dirty = False
                self._send_presence(feed, sorted(self._local_online(feed)))
        finally:
            feed.announcing = False

    async def _announce_shared(self, feed: RoomFeed, ring: bool) -> None:
        assert self.presence is not None
        try:
            while feed.presence_dirty:
                feed.presence_dirty = False
                local = self._local_online(feed)
                if local != feed.written:
                    feed.written = local
                    await self.presence.set_presence(feed.name, local)
                    if ring and self.broker is not None:
                        await self.broker.publish(feed.name, pack(PRESENCE_SEQ, ""))
                self._send_presence(feed, await self.presence.online(feed.name))
        except Exception as exc:  # Redis away: the next heartbeat repairs it
            log.warning("presence of %s not updated (%s)", feed.name, type(exc).__name__)
        finally:
            feed.announcer = None

    @staticmethod
    def _send_presence(feed: RoomFeed, online: list[str]) -> None:
        frame = Outgoing(json.dumps({"type": "presence", "room": feed.name, "online": online}))
        newcomers, feed.newcomers = feed.newcomers, []
        if online != feed.announced:
            feed.announced = online
            for conn in tuple(feed.members):
                conn.deliver(0, frame)
        else:
            for conn in newcomers:
                conn.deliver(0, frame)  # a second tab of someone already online

    # ---- logins that ended --------------------------------------------------------------------

    def session_ids(self) -> set[str]:
        """The logins this process's sockets opened with."""
        return {conn.session_id for feed in self.feeds.values() for conn in feed.members}

    def end_logins(self, ended: Callable[[Connection], bool]) -> int:
        """Close with 1008 every socket whose login `ended` (logged out, account deleted)."""
        conns = [conn for feed in self.feeds.values() for conn in feed.members if ended(conn)]
        for conn in conns:
            conn.end(POLICY, "logged out")
        return len(conns)

    # ---- shutting down -----------------------------------------------------------------------

    async def close_all(self, code: int = GOING_AWAY) -> None:
        """Server going away: tell every socket to come back later (with `since`)."""
        self.closing = True
        conns = [conn for feed in self.feeds.values() for conn in feed.members]
        for feed in self.feeds.values():
            feed.stop()
        await asyncio.gather(
            *(conn.close(code, "server restarting") for conn in conns), return_exceptions=True
        )
