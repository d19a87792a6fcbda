"""The broker's contract, run against both brokers; then what only Redis can show: two processes,
a Redis that dies and comes back, and a publish that fails without failing the sender."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
import pytest_asyncio

from capstone.broker import Broker, MemoryBroker, RedisBroker, pack, unpack
from capstone.cluster import Redis
from capstone.main import connect_redis
from tests import services
from tests.conftest import require


@dataclass
class Hub:
    """What a hub gives a broker: a delivery callback, and a reconnect callback."""

    got: list[tuple[str, bytes]] = field(default_factory=list)
    reconnects: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def deliver(self, room: str, payload: bytes) -> None:
        self.got.append((room, payload))
        self.changed.set()

    def reconnected(self) -> None:
        self.reconnects += 1
        self.changed.set()

    async def until(self, check: Callable[[], object], within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while not check():
                self.changed.clear()
                await self.changed.wait()


MakeBroker = Callable[[Hub], Awaitable[Broker]]


@pytest_asyncio.fixture(params=["memory", "redis"])
async def make_broker(request: pytest.FixtureRequest) -> AsyncIterator[MakeBroker]:
    brokers: list[Broker] = []
    clients = []

    async def make(hub: Hub) -> Broker:
        broker: Broker
        if request.param == "memory":
            broker = MemoryBroker(hub.deliver, hub.reconnected)
        else:
            server: Redis = request.getfixturevalue("redis_server")
            client = connect_redis(server.url)
            clients.append(client)
            broker = RedisBroker(hub.deliver, client, hub.reconnected)
        await broker.connect()
        if isinstance(broker, RedisBroker):
            await hub.until(lambda: hub.reconnects)
        brokers.append(broker)
        return broker

    yield make
    for broker in brokers:
        await broker.disconnect()
    for client in clients:
        await client.aclose()


# ---- the contract: both brokers ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_publish_reaches_the_followers_of_its_room_only(make_broker: MakeBroker) -> None:
    hub = Hub()
    broker = await make_broker(hub)
    await broker.subscribe("general")
    await broker.publish("random", pack(1, "not followed"))
    await broker.publish("general", pack(7, '{"text":"héllo"}', skip="ann"))
    await hub.until(lambda: hub.got)
    assert hub.got == [("general", pack(7, '{"text":"héllo"}', skip="ann"))]
    assert unpack(hub.got[0][1]) == (7, "ann", '{"text":"héllo"}')


@pytest.mark.asyncio
async def test_after_unsubscribe_nothing_more_arrives(make_broker: MakeBroker) -> None:
    hub = Hub()
    broker = await make_broker(hub)
    await broker.subscribe("general")
    await broker.subscribe("random")
    await broker.unsubscribe("general")
    await broker.publish("general", pack(1, "gone"))
    await broker.publish("random", pack(1, "still here"))  # published after: arrives after
    await hub.until(lambda: hub.got)
    assert hub.got == [("random", pack(1, "still here"))]


@pytest.mark.asyncio
async def test_publishes_arrive_in_the_order_they_were_made(make_broker: MakeBroker) -> None:
    hub = Hub()
    broker = await make_broker(hub)
    await broker.subscribe("general")
    for seq in range(1, 51):
        await broker.publish("general", pack(seq, f"m{seq}"))
    await hub.until(lambda: len(hub.got) == 50)
    assert [unpack(payload)[0] for _, payload in hub.got] == list(range(1, 51))


@pytest.mark.asyncio
async def test_a_reachable_broker_says_so(make_broker: MakeBroker) -> None:
    assert await (await make_broker(Hub())).ping() is True


# ---- Redis: between processes, and through faults -----------------------------------------------


@pytest_asyncio.fixture
async def own_redis() -> AsyncIterator[Redis]:
    """A Redis of this test's own, to kill and restart without disturbing the others."""
    missing = services.redis_missing()
    require(missing is None, missing or "")
    with services.running_redis() as server:
        yield server


@pytest.mark.asyncio
async def test_two_processes_hear_each_other(redis_server: Redis) -> None:
    ann_hub, bob_hub = Hub(), Hub()
    client = connect_redis(redis_server.url)
    ann = RedisBroker(ann_hub.deliver, client, ann_hub.reconnected)
    bob = RedisBroker(bob_hub.deliver, client, bob_hub.reconnected)

    async def start(broker: RedisBroker, hub: Hub) -> None:
        await broker.connect()
        await hub.until(lambda: hub.reconnects)
        await broker.subscribe("general")

    await start(ann, ann_hub)
    await start(bob, bob_hub)
    await ann.publish("general", pack(1, "from ann"))
    await bob_hub.until(lambda: bob_hub.got)
    await ann_hub.until(lambda: ann_hub.got)  # the publisher's own hub too
    assert bob_hub.got == ann_hub.got == [("general", pack(1, "from ann"))]
    await ann.disconnect()
    await bob.disconnect()
    await client.aclose()


@pytest.mark.asyncio
async def test_the_listener_comes_back_after_redis_restarts_and_says_so(
    own_redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    hub = Hub()
    client = connect_redis(own_redis.url)
    broker = RedisBroker(hub.deliver, client, hub.reconnected, backoff_max=0.2)
    await broker.connect()
    await hub.until(lambda: hub.reconnects == 1)
    await broker.subscribe("general")
    caplog.set_level(logging.WARNING, "capstone.broker")
    own_redis.kill()
    assert await broker.ping() is False  # /readyz says so
    await broker.publish("general", pack(1, "lost"))  # logged, never raised to the sender
    assert "publish to general failed" in caplog.text
    own_redis.start()
    await hub.until(lambda: hub.reconnects == 2)  # the hub now reads its rooms to their heads
    await broker.publish("general", pack(2, "after the restart"))
    await hub.until(lambda: hub.got)
    assert hub.got == [("general", pack(2, "after the restart"))]  # resubscribed by itself
    assert all("Traceback" not in record.getMessage() for record in caplog.records)
    await broker.disconnect()
    await client.aclose()


@pytest.mark.asyncio
async def test_a_broker_started_while_redis_is_down_connects_when_it_is_up(
    own_redis: Redis,
) -> None:
    own_redis.kill()
    hub = Hub()
    client = connect_redis(own_redis.url)
    broker = RedisBroker(hub.deliver, client, hub.reconnected, backoff_max=0.2)
    await broker.connect()  # the app starts; /readyz answers 503 meanwhile
    await broker.subscribe("general")
    assert await broker.ping() is False
    own_redis.start()
    await hub.until(lambda: hub.reconnects == 1)
    await broker.publish("general", pack(1, "hello"))
    await hub.until(lambda: hub.got)
    await broker.disconnect()
    await client.aclose()
