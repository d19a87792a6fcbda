"""The message writer: CPU per stored message on a SQLite file, its own thread against Core.

    python -m benchmarks.writer [--messages 2000] [--repeats 5]

Two writers store the same messages into the same kind of database in this process, repeat after
repeat, interleaved: the capstone's SQLite path (a thread of its own, group commit) and the
portable SQLAlchemy Core path (what PostgreSQL takes; its pool hands each statement to
aiosqlite's thread). Each stores `--messages` one after another in one room, then the same number
from 8 rooms at once. Reported: user and system CPU per message (this process, from getrusage),
each repeat's ratio to the Core path, and the median ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
from pathlib import Path

from sqlalchemy import insert

from capstone.db import MessageWriter, NewMessage, make_engine, migrate
from capstone.models import Room, User
from capstone.settings import Settings

ROOMS = 8
TEXT = "hello " * 30


def cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


async def new_writer(folder: Path, own_thread: bool) -> MessageWriter:
    url = f"sqlite+aiosqlite:///{folder / 'chat.db'}"
    engine = make_engine(url)
    await migrate(engine, Settings(database_url=url, secret_key="benchmark-" * 4))
    async with engine.begin() as connection:
        await connection.execute(insert(User).values(id=1, username="ada", password_hash="x"))
        for room in range(1, ROOMS + 1):
            await connection.execute(insert(Room).values(id=room, name=f"r{room}", next_seq=0))
    writer = MessageWriter(engine)
    writer.sqlite = own_thread
    await writer.store(NewMessage(1, 1, "warm up", "warm-up"))
    return writer


async def per_message(writer: MessageWriter, count: int, rooms: int, tag: str) -> tuple[float, ...]:
    """User and system µs per message: `count` messages, from `rooms` senders at once."""

    async def sender(room: int) -> None:
        for n in range(count // rooms):
            await writer.store(NewMessage(room, 1, TEXT, f"{tag}-{room}-{n}"))

    user, system = cpu()
    await asyncio.gather(*(sender(room) for room in range(1, rooms + 1)))
    user_after, system_after = cpu()
    return (user_after - user) / count * 1e6, (system_after - system) / count * 1e6


async def main(count: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as own_dir, tempfile.TemporaryDirectory() as core_dir:
        writers = {
            "own thread": await new_writer(Path(own_dir), True),
            "core": await new_writer(Path(core_dir), False),
        }
        for rooms in (1, ROOMS):
            totals: dict[str, list[float]] = {name: [] for name in writers}
            print(f"\n{count} messages from {rooms} room(s) at once, µs of CPU per message")
            print(f"{'repeat':>6} {'writer':>10} {'user':>8} {'system':>8} {'total':>8}")
            for repeat in range(repeats):
                for name, writer in writers.items():
                    user, system = await per_message(writer, count, rooms, f"{rooms}-{repeat}")
                    totals[name].append(user + system)
                    row = f"{repeat:>6} {name:>10} {user:>8.0f} {system:>8.0f}"
                    print(f"{row} {user + system:>8.0f}")
            pairs = zip(totals["own thread"], totals["core"], strict=True)
            ratios = [own / core for own, core in pairs]
            listed = ", ".join(f"{r:.2f}" for r in ratios)
            print(f"own thread / core: median {statistics.median(ratios):.2f} ({listed})")
        for writer in writers.values():
            await writer.engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.writer", description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.repeats))
