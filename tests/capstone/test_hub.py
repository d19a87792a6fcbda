"""The hub's fan-out, with stand-in sockets that behave like uvicorn's: a send to a healthy socket
completes without suspending; a send to a full one waits for the transport to drain."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from capstone.broker import MemoryBroker, pack
from capstone.hub import Connection, Hub


class FakeSocket:
    """uvicorn's send in miniature: `await writable.wait()`, then a synchronous write."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.writable = asyncio.Event()
        self.writable.set()
        self.texts: list[str] = []
        self.closed_with: int | None = None
        self.broken = False

    async def send(self, message: dict[str, Any]) -> None:
        await self.writable.wait()
        if self.broken:
            raise OSError("connection reset")
        if message["type"] == "websocket.close":
            self.closed_with = message["code"]
        else:
            self.texts.append(message["text"])

    async def send_text(self, text: str) -> None:
        await self.send({"type": "websocket.send", "text": text})

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.send({"type": "websocket.close", "code": code, "reason": reason})

    def messages(self) -> list[int]:
        return [json.loads(t)["seq"] for t in self.texts if json.loads(t)["type"] == "message"]


async def room_of(hub: Hub, *names: str) -> dict[str, tuple[FakeSocket, Connection]]:
    members = {}
    for n, name in enumerate(names, start=1):
        socket = FakeSocket(name)
        conn = hub.connection(socket, "general", n, name)  # type: ignore[arg-type]
        await hub.join(conn)
        conn.go_live(0)
        hub.announce_presence("general", newcomer=conn)  # as the socket route does
        members[name] = (socket, conn)
    for socket, _ in members.values():
        socket.texts.clear()  # forget the presence frames of the set-up
    return members


def message(seq: int) -> bytes:
    return pack(seq, json.dumps({"type": "message", "room": "general", "seq": seq}))


@pytest.fixture
def hub() -> Hub:
    hub = Hub(backlog_limit=4, close_timeout=0.2)
    hub.broker = MemoryBroker(hub.on_payload)
    return hub


@pytest.mark.asyncio
async def test_healthy_sockets_get_the_frame_without_a_task_or_a_suspension(hub: Hub) -> None:
    members = await room_of(hub, "ann", "bob", "cid")
    tasks_before = asyncio.all_tasks()
    hub.on_payload("general", message(1))  # a plain call: no await anywhere
    assert asyncio.all_tasks() == tasks_before
    texts = {socket.texts[0] for socket, _ in members.values()}
    assert len(texts) == 1  # one string, shared by every recipient


@pytest.mark.asyncio
async def test_a_blocked_socket_is_handed_to_a_drain_task_and_catches_up(hub: Hub) -> None:
    members = await room_of(hub, "ann", "slow")
    slow, conn = members["slow"]
    slow.writable.clear()
    for seq in (1, 2, 3):
        hub.on_payload("general", message(seq))
    assert members["ann"][0].messages() == [1, 2, 3]  # not held up
    assert slow.messages() == [] and conn.drainer is not None
    slow.writable.set()
    await asyncio.wait_for(conn.drainer, 1)
    assert slow.messages() == [1, 2, 3]
    assert conn.backlog is None  # back on the fast path
    hub.on_payload("general", message(4))
    assert slow.messages() == [1, 2, 3, 4]


@pytest.mark.asyncio
async def test_a_stuck_socket_is_evicted_and_the_others_keep_receiving(hub: Hub) -> None:
    members = await room_of(hub, "ann", "stuck")
    stuck, conn = members["stuck"]
    stuck.writable.clear()
    for seq in range(1, 11):
        hub.on_payload("general", message(seq))
    ann = members["ann"][0]
    assert ann.messages() == list(range(1, 11))
    assert conn.dead
    presence = {"type": "presence", "room": "general", "online": ["ann"]}
    assert presence in [json.loads(text) for text in ann.texts]
    # The close waits behind the same full buffer: bounded, then given up.
    await asyncio.wait_for(conn.gone.wait(), 2)
    assert stuck.closed_with is None
    assert stuck.messages() == []
    stuck.writable.set()
    hub.on_payload("general", message(11))
    assert stuck.messages() == []  # dead: nothing more, ever


@pytest.mark.asyncio
async def test_an_evicted_socket_that_recovers_gets_1013(hub: Hub) -> None:
    members = await room_of(hub, "ann", "lagging")
    lagging, conn = members["lagging"]
    lagging.writable.clear()
    for seq in range(1, 8):
        hub.on_payload("general", message(seq))
    assert conn.dead
    lagging.writable.set()  # the peer reads again: the close can go through
    await asyncio.wait_for(conn.gone.wait(), 2)
    assert lagging.closed_with == 1013


@pytest.mark.asyncio
async def test_a_failing_send_drops_that_recipient_only(hub: Hub) -> None:
    members = await room_of(hub, "sender", "gone", "ann")
    members["gone"][0].broken = True
    await hub.broker.publish("general", message(1))  # the sender's call does not raise
    assert members["gone"][1].dead
    assert members["ann"][0].messages() == [1]
    assert members["sender"][0].messages() == [1]
    assert hub.online("general") == ["ann", "sender"]
    await hub.broker.publish("general", message(2))
    assert members["ann"][0].messages() == [1, 2]


@pytest.mark.asyncio
async def test_a_socket_that_vanishes_mid_drain_is_dropped(hub: Hub) -> None:
    members = await room_of(hub, "ann", "flaky")
    flaky, conn = members["flaky"]
    flaky.writable.clear()
    hub.on_payload("general", message(1))
    flaky.broken = True
    flaky.writable.set()
    await asyncio.wait_for(conn.gone.wait(), 1)
    assert conn.dead and hub.online("general") == ["ann"]


@pytest.mark.asyncio
async def test_catch_up_hand_over_has_no_gap_and_no_repeat(hub: Hub) -> None:
    socket = FakeSocket("late")
    conn = hub.connection(socket, "general", 9, "late")  # type: ignore[arg-type]
    await hub.join(conn)
    for seq in (3, 4):  # published while the history (up to 3) is being read
        hub.on_payload("general", message(seq))
    assert socket.texts == []
    conn.go_live(3)
    hub.on_payload("general", message(4))  # a repeat
    hub.on_payload("general", message(5))
    assert socket.messages() == [4, 5]


@pytest.mark.asyncio
async def test_overflow_during_catch_up_asks_for_another_history_pass(hub: Hub) -> None:
    socket = FakeSocket("late")
    conn = hub.connection(socket, "general", 9, "late")  # type: ignore[arg-type]
    await hub.join(conn)
    for seq in range(1, 10):
        hub.on_payload("general", message(seq))
    assert conn.overflowed and conn.catch_up == []


@pytest.mark.asyncio
async def test_typing_skips_its_author(hub: Hub) -> None:
    members = await room_of(hub, "ann", "bob")
    await hub.broker.publish("general", pack(0, '{"type":"typing"}', skip="ann"))
    assert members["ann"][0].texts == []
    assert members["bob"][0].texts == ['{"type":"typing"}']


@pytest.mark.asyncio
async def test_leaving_unsubscribes_an_empty_room(hub: Hub) -> None:
    members = await room_of(hub, "ann")
    assert isinstance(hub.broker, MemoryBroker) and hub.broker.rooms == {"general"}
    await hub.leave(members["ann"][1])
    assert hub.broker.rooms == set() and hub.rooms == {}


@pytest.mark.asyncio
async def test_presence_lists_arrive_in_the_order_they_were_true(hub: Hub) -> None:
    """Dropping a broken socket mid-announcement re-announces after the round, not inside it."""
    members = await room_of(hub, "bad1", "bad2", "zed", "ann")  # ann hears last
    members["bad1"][0].broken = members["bad2"][0].broken = True
    await hub.leave(members["zed"][1])
    lists = [json.loads(text)["online"] for text in members["ann"][0].texts]
    assert lists[-1] == ["ann"]
    assert [len(online) for online in lists] == sorted((len(o) for o in lists), reverse=True)


@pytest.mark.asyncio
async def test_a_second_tab_gets_presence_without_repeating_it_to_everyone(hub: Hub) -> None:
    members = await room_of(hub, "ann", "bob")
    tab = FakeSocket("ann")
    conn = hub.connection(tab, "general", 1, "ann")  # type: ignore[arg-type]
    await hub.join(conn)
    conn.go_live(0)
    hub.announce_presence("general", newcomer=conn)
    assert [json.loads(t)["online"] for t in tab.texts] == [["ann", "bob"]]
    assert members["bob"][0].texts == []  # nothing changed for bob
    await hub.leave(conn)
    assert members["bob"][0].texts == []  # ann is still online in her first tab
    await hub.leave(members["ann"][1])
    assert [json.loads(t)["online"] for t in members["bob"][0].texts] == [["bob"]]
