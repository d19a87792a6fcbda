"""The hub, with stand-ins that behave like the real parts: sockets whose send completes without
suspending while writable and waits like uvicorn's when not, and a "database" of stored messages.
Every test that uses the `room` fixture runs twice: with sockets reached through ASGI's `send`
only (any server), and with sockets that also take a frame's bytes directly, as the chat's own
uvicorn protocol offers (`capstone.server.ChatWebSocketProtocol.write_frame`).

What a socket receives is what a chat user sees, so each test asserts the frames a socket got.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
from collections.abc import AsyncIterator, Collection
from typing import Any

import pytest
import pytest_asyncio

from capstone.broker import MemoryBroker, pack
from capstone.hub import WIRE, Connection, Hub, RoomRef, State

ROOM = RoomRef(1, "general")


def unframe(data: bytes) -> str:
    """The text of one complete frame as a server writes it: final, text, not masked."""
    assert data[0] == 0x81 and not data[1] & 0x80, data[:2]
    length, start = data[1], 2
    if length == 126:
        length, start = struct.unpack("!H", data[2:4])[0], 4
    elif length == 127:
        length, start = struct.unpack("!Q", data[2:10])[0], 10
    assert len(data) == start + length, "one whole frame, nothing more"
    return data[start:].decode()


class FakeSocket:
    """uvicorn's send in miniature: `await writable.wait()`, then a synchronous write; with
    `wire`, also the chat's protocol's `write_frame`, which writes only while writable."""

    def __init__(self, name: str, wire: bool = False) -> None:
        self.name = name
        self.scope: dict[str, Any] = {"type": "websocket", "extensions": {}}
        if wire:
            self.scope["extensions"][WIRE] = {"write_frame": self.write_frame}
        self.wires: list[bytes] = []  # what came through `write_frame`
        self.writable = asyncio.Event()
        self.writable.set()
        self.texts: list[str] = []
        self.closed_with: int | None = None
        self.broken = False
        self.incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.changed = asyncio.Event()  # set whenever the socket gets a frame

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        if self.broken:
            raise OSError("connection reset")
        if message["type"] == "websocket.close":
            self.closed_with = message["code"]
            self.incoming.put_nowait({"type": "websocket.disconnect", "code": message["code"]})
        else:
            self.texts.append(message["text"])
        self.changed.set()

    async def send_text(self, text: str) -> None:
        await self.send({"type": "websocket.send", "text": text})

    def write_frame(self, frame: bytes) -> bool:
        if not self.writable.is_set() or self.broken or self.closed_with is not None:
            return False  # uvicorn's protocol: paused, gone or closing; the ASGI send decides
        self.wires.append(frame)
        self.texts.append(unframe(frame))
        self.changed.set()
        return True

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.send({"type": "websocket.close", "code": code, "reason": reason})

    async def receive(self) -> dict[str, Any]:
        return await self.incoming.get()

    def frames(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in map(json.loads, self.texts) if f["type"] == kind]

    def messages(self) -> list[int]:
        return [f["seq"] for f in self.frames("message")]


def frame(seq: int) -> str:
    return json.dumps({"type": "message", "room": ROOM.name, "seq": seq})


class FakeDatabase:
    """The truth behind the doorbells: stored frames per room, in seq order."""

    def __init__(self) -> None:
        self.stored: dict[int, list[str]] = {ROOM.id: []}
        self.reads = 0

    def store(self, count: int = 1) -> list[int]:
        rows = self.stored[ROOM.id]
        for _ in range(count):
            rows.append(frame(len(rows) + 1))
        return list(range(len(rows) - count + 1, len(rows) + 1))

    async def head(self, room_id: int) -> int:
        return len(self.stored[room_id])

    async def heads(self, room_ids: Collection[int]) -> dict[int, int]:
        return {room_id: len(self.stored[room_id]) for room_id in room_ids}

    async def frames_after(self, room_id: int, after: int, limit: int) -> list[tuple[int, str]]:
        self.reads += 1
        rows = self.stored[room_id][after : after + limit]
        return list(enumerate(rows, start=after + 1))


def doorbell(seq: int) -> bytes:
    return pack(seq, frame(seq))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def hub(db: FakeDatabase) -> Hub:
    hub = Hub(db, backlog_limit=4, close_timeout=0.2, history_page=3, gap_wait=0.01)
    hub.broker = MemoryBroker(hub.on_payload)
    return hub


class Room:
    """Sockets held open in the hub, each as the socket route holds one."""

    def __init__(self, hub: Hub, wire: bool = False) -> None:
        self.hub = hub
        self.wire = wire
        self.stack = contextlib.AsyncExitStack()
        self.sockets: dict[str, tuple[FakeSocket, Connection]] = {}

    async def join(self, name: str, since: int = 0, user_id: int | None = None) -> FakeSocket:
        socket = FakeSocket(name, self.wire)
        user = user_id or len(self.sockets) + 1
        conn = await self.hub.join(socket, ROOM, user, name, since)  # type: ignore[arg-type]
        self.stack.push_async_callback(self.hub.leave, conn)
        self.sockets[name] = (socket, conn)
        return socket

    async def leave(self, name: str) -> None:
        _, conn = self.sockets.pop(name)
        await self.hub.leave(conn)


@pytest_asyncio.fixture(params=["asgi", "wire"])
async def room(hub: Hub, request: pytest.FixtureRequest) -> AsyncIterator[Room]:
    room = Room(hub, wire=request.param == "wire")
    async with room.stack:
        yield room


async def until(socket: FakeSocket, check: Any, within: float = 2.0) -> None:
    """Wait, with a bound, until what `socket` got makes `check()` true (the hub's own tasks and
    timers deliver it)."""
    async with asyncio.timeout(within):
        while not check():
            socket.changed.clear()
            await socket.changed.wait()


# ---- sending without waiting ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_healthy_sockets_get_the_frame_without_a_task_or_a_suspension(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    sockets = [await room.join(name) for name in ("ann", "bob", "cid")]
    tasks_before = asyncio.all_tasks()
    db.store()
    hub.on_payload(ROOM.name, doorbell(1))  # a plain call: no await anywhere
    assert asyncio.all_tasks() == tasks_before
    assert len({socket.texts[-1] for socket in sockets}) == 1  # one string for every recipient
    assert all(socket.messages() == [1] for socket in sockets)
    if room.wire:  # and one frame's bytes, built once, for all of them
        assert all(socket.wires[-1] is sockets[0].wires[-1] for socket in sockets)


@pytest.mark.asyncio
async def test_a_send_that_has_to_wait_is_finished_later_and_nothing_is_lost(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    ann, slow = await room.join("ann"), await room.join("slow")
    slow.writable.clear()  # the peer's buffers are full: uvicorn's send waits
    for seq in db.store(3):
        hub.on_payload(ROOM.name, doorbell(seq))
    assert ann.messages() == [1, 2, 3]  # not held up
    assert slow.messages() == []
    # The peer reads again a moment later, once the drain task is waiting on the send.
    asyncio.get_running_loop().call_later(0.05, slow.writable.set)
    await until(slow, lambda: slow.messages() == [1, 2, 3])
    conn = room.sockets["slow"][1]
    assert conn.drainer is None  # it ended with its last send
    assert conn.state is State.LIVE and conn.backlog is None  # back on the fast path
    hub.on_payload(ROOM.name, doorbell(db.store()[0]))
    assert slow.messages() == [1, 2, 3, 4]


@pytest.mark.asyncio
async def test_a_stuck_socket_is_evicted_with_1013_and_the_others_keep_receiving(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    ann, stuck = await room.join("ann"), await room.join("stuck")
    stuck.writable.clear()
    for seq in db.store(10):
        hub.on_payload(ROOM.name, doorbell(seq))
    assert ann.messages() == list(range(1, 11))
    conn = room.sockets["stuck"][1]
    assert conn.state is State.EVICTED
    assert ann.frames("presence")[-1]["online"] == ["ann"]
    # It reads again a moment later, within the close's bound: it gets the close code.
    asyncio.get_running_loop().call_later(0.05, stuck.writable.set)
    await asyncio.wait_for(conn.gone.wait(), 2)
    assert stuck.closed_with == 1013
    assert stuck.messages() == []  # its backlog was dropped: it resumes with `since`
    hub.on_payload(ROOM.name, doorbell(db.store()[0]))
    assert stuck.messages() == []


@pytest.mark.asyncio
async def test_a_peer_that_never_reads_again_is_let_go_after_the_close_bound(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    await room.join("ann")
    stuck = await room.join("stuck")
    conn = room.sockets["stuck"][1]
    reading = asyncio.create_task(conn.next_frame())
    conn.handler = reading  # the handler waiting for the client's next frame
    stuck.writable.clear()
    for seq in db.store(6):
        hub.on_payload(ROOM.name, doorbell(seq))
    await asyncio.wait_for(conn.gone.wait(), 2)
    assert conn.state is State.CLOSED and stuck.closed_with is None
    assert await asyncio.wait_for(reading, 1) is None  # the handler's wait ended, quietly


@pytest.mark.asyncio
async def test_a_failing_send_drops_that_recipient_only(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    sender, gone, ann = [await room.join(name) for name in ("sender", "gone", "ann")]
    gone.broken = True
    db.store()
    assert hub.broker is not None
    await hub.broker.publish(ROOM.name, doorbell(1))  # the sender's call does not raise
    assert room.sockets["gone"][1].state is State.CLOSED
    assert ann.messages() == [1] and sender.messages() == [1]
    assert hub.online(ROOM.name) == ["ann", "sender"]


# ---- order: the room's cursor -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_doorbells_out_of_order_are_delivered_in_order(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    ann = await room.join("ann")
    db.store(4)
    for seq in (2, 1, 4, 3):
        hub.on_payload(ROOM.name, doorbell(seq))
    assert ann.messages() == [1, 2, 3, 4]
    assert db.reads == 1  # the catch-up only: nothing was read for the gap


@pytest.mark.asyncio
async def test_a_lost_doorbell_is_read_from_the_database_after_a_short_wait(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    ann = await room.join("ann")
    db.store(3)
    hub.on_payload(ROOM.name, doorbell(1))
    hub.on_payload(ROOM.name, doorbell(3))  # 2 never rings
    assert ann.messages() == [1]
    await until(ann, lambda: ann.messages() == [1, 2, 3])
    hub.on_payload(ROOM.name, doorbell(2))  # late, and repeated: not shown twice
    hub.on_payload(ROOM.name, doorbell(3))
    assert ann.messages() == [1, 2, 3]


@pytest.mark.asyncio
async def test_after_a_reconnect_every_followed_room_is_read_to_its_head(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    ann = await room.join("ann")
    db.store(5)  # published while the broker was away: no doorbell at all
    hub.resync()
    await until(ann, lambda: ann.messages() == [1, 2, 3, 4, 5])  # over two pages of 3


@pytest.mark.asyncio
async def test_the_head_check_catches_a_lost_doorbell_for_the_last_message(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    ann = await room.join("ann")
    db.store()
    await hub.check_heads()
    await until(ann, lambda: ann.messages() == [1])


@pytest.mark.asyncio
async def test_sockets_joining_at_once_share_one_feed_and_miss_nothing(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    db.store(2)
    sockets = await asyncio.gather(*(room.join(f"u{n}") for n in range(5)))
    assert len(hub.feeds) == 1
    hub.on_payload(ROOM.name, doorbell(db.store()[0]))
    assert [socket.messages() for socket in sockets] == [[1, 2, 3]] * 5


# ---- catching up ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_catch_up_hands_over_to_live_with_no_gap_and_no_repeat(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    await room.join("ann")  # the room is followed
    db.store(7)
    for seq in range(1, 8):
        hub.on_payload(ROOM.name, doorbell(seq))
    late = await room.join("late", since=2)  # history over several pages
    for seq in db.store(2):
        hub.on_payload(ROOM.name, doorbell(seq))
    hub.on_payload(ROOM.name, doorbell(9))  # a repeat
    assert late.messages() == [3, 4, 5, 6, 7, 8, 9]


@pytest.mark.asyncio
async def test_a_since_past_the_head_resumes_from_the_head(
    hub: Hub, room: Room, db: FakeDatabase
) -> None:
    db.store(2)
    ann = await room.join("ann", since=99)
    hub.on_payload(ROOM.name, doorbell(db.store()[0]))
    assert ann.messages() == [3]


# ---- frames in, typing, presence --------------------------------------------------------------


@pytest.mark.asyncio
async def test_next_frame_gives_text_refuses_binary_and_closes_oversize_with_1009(
    hub: Hub, room: Room
) -> None:
    ann = await room.join("ann")
    conn = room.sockets["ann"][1]
    ann.incoming.put_nowait({"type": "websocket.receive", "text": "hello"})
    ann.incoming.put_nowait({"type": "websocket.receive", "bytes": b"\x00"})
    ann.incoming.put_nowait({"type": "websocket.receive", "text": "x" * 20000})
    got = [await conn.next_frame(), await conn.next_frame()]
    assert got == ["hello", None]
    assert ann.frames("error")[-1]["code"] == "bad_frame"
    assert ann.closed_with == 1009


@pytest.mark.asyncio
async def test_typing_skips_its_author(hub: Hub, room: Room) -> None:
    ann, bob = await room.join("ann"), await room.join("bob")
    ann.texts.clear()
    bob.texts.clear()
    hub.on_payload(ROOM.name, pack(0, '{"type":"typing"}', skip="ann"))
    assert ann.texts == [] and bob.texts == ['{"type":"typing"}']


@pytest.mark.asyncio
async def test_leaving_unsubscribes_an_empty_room(hub: Hub, room: Room) -> None:
    await room.join("ann")
    assert isinstance(hub.broker, MemoryBroker) and hub.broker.rooms == {ROOM.name}
    await room.leave("ann")
    assert hub.broker.rooms == set() and hub.feeds == {}


@pytest.mark.asyncio
async def test_presence_lists_arrive_in_the_order_they_were_true(hub: Hub, room: Room) -> None:
    """Dropping a broken socket mid-announcement re-announces after the round, not inside it."""
    for name in ("bad1", "bad2", "zed", "ann"):  # ann hears last
        await room.join(name)
    room.sockets["bad1"][0].broken = room.sockets["bad2"][0].broken = True
    ann = room.sockets["ann"][0]
    ann.texts.clear()
    await room.leave("zed")
    lists = [f["online"] for f in ann.frames("presence")]
    assert lists[-1] == ["ann"]
    assert [len(online) for online in lists] == sorted((len(o) for o in lists), reverse=True)


@pytest.mark.asyncio
async def test_a_second_tab_gets_presence_without_repeating_it_to_everyone(
    hub: Hub, room: Room
) -> None:
    await room.join("ann", user_id=1)
    bob = await room.join("bob", user_id=2)
    bob.texts.clear()
    room.sockets["ann-tab"] = room.sockets.pop("ann")
    tab = await room.join("ann", user_id=1)
    assert [f["online"] for f in tab.frames("presence")] == [["ann", "bob"]]
    assert bob.texts == []  # nothing changed for bob
    await room.leave("ann")
    assert bob.texts == []  # ann is still online in her first tab
    await room.leave("ann-tab")
    assert [f["online"] for f in bob.frames("presence")] == [["bob"]]


class FakePresence:
    """Shared presence as two workers see it: this worker's users, and another worker's."""

    def __init__(self) -> None:
        self.mine: dict[str, set[str]] = {}
        self.elsewhere: dict[str, set[str]] = {ROOM.name: {"zoe"}}

    async def set_presence(self, room: str, usernames: set[str]) -> None:
        self.mine[room] = set(usernames)

    async def online(self, room: str) -> list[str]:
        return sorted(self.mine.get(room, set()) | self.elsewhere.get(room, set()))

    async def heartbeat(self, presence: dict[str, set[str]]) -> set[str]:
        self.mine.update(presence)
        self.elsewhere[ROOM.name] = set()  # zoe's worker died: her entry expired
        return {ROOM.name}


@pytest.mark.asyncio
async def test_shared_presence_shows_other_workers_and_drops_a_dead_one(db: FakeDatabase) -> None:
    presence = FakePresence()
    hub = Hub(db, backlog_limit=4, close_timeout=0.2, presence=presence)
    hub.broker = MemoryBroker(hub.on_payload)
    room = Room(hub)
    async with room.stack:
        ann = await room.join("ann")
        await until(ann, lambda: [f["online"] for f in ann.frames("presence")] == [["ann", "zoe"]])
        assert presence.mine == {ROOM.name: {"ann"}}
        await hub.heartbeat()
        await until(ann, lambda: ann.frames("presence")[-1]["online"] == ["ann"])
