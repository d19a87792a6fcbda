"""WebSocket fan-out: the capstone's hub against lesson 17's `ConnectionManager`, in one run.

    python -m benchmarks.fanout [--readers 200] [--rate 50] [--seconds 8] [--size 200]
                                [--no-workers-compare]
    make bench

Each server runs as its own uvicorn process (websockets-sansio, no per-message compression) pinned
to core 0; this process, the load generator, pins itself to core 1. One room, N readers, one sender
stamping each message with its send time. Reported per server: the server's CPU time per delivery
(from /proc, over the sending phase), delivery latency p50/p99, messages lost, and resident memory
per idle socket. Then the stall scenario: one more reader stops reading while 4 KiB messages flow;
the healthy readers' share of deliveries and whether the stalled socket was closed. Then the
workers scenario, on a private PostgreSQL and Redis: the same load on one worker holding every
socket, then on two workers holding half the readers each (both pinned to core 0, so it compares
CPU, not parallelism); the workers' CPU and Redis's own, per delivery. The figures that matter are
the ratios measured in the same run, printed last and written to `benchmarks/results/fanout.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx2
from websockets.asyncio.client import ClientConnection, connect

from capstone.cluster import Postgres, Redis, Worker
from tests.services import (
    fresh_database,
    postgres_missing,
    redis_missing,
    running_postgres,
    running_redis,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TICKS = os.sysconf("SC_CLK_TCK")
SERVER_CORE, CLIENT_CORE = 0, 1


@dataclass
class Run:
    server: str
    readers: int
    messages: int
    workers: int = 1
    deliveries: int = 0
    lost: int = 0
    cpu_seconds: float = 0.0
    cpu_us_per_delivery: float = 0.0
    cpu_us_per_message_alone: float = 0.0
    cpu_us_per_fanout_delivery: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    rss_kib_per_socket: float = 0.0
    redis_cpu_seconds: float | None = None
    redis_cpu_us_per_delivery: float | None = None
    stall_healthy_share: float | None = None
    stall_evicted: bool | None = None
    notes: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pin(pid: int, core: int) -> None:
    """Every thread of the process: one pinned after it started may already have several."""
    with contextlib.suppress(OSError, AttributeError):
        if core < (os.cpu_count() or 1):
            for task in Path(f"/proc/{pid}/task").iterdir():
                os.sched_setaffinity(int(task.name), {core})


@contextlib.contextmanager
def server(app: str, env: dict[str, str], ws_max_size: int = 65536) -> Iterator[tuple[int, int]]:
    """Start uvicorn; yield (port, pid) once it accepts connections."""
    import subprocess

    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
        "--ws", "websockets-sansio", "--ws-per-message-deflate", "false",
        "--ws-max-size", str(ws_max_size), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    pin(process.pid, SERVER_CORE)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited with {process.returncode}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start")
            time.sleep(0.05)  # a benchmark's start-up poll, not a test
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(10)


class Target:
    """How to reach one server's room and read a message's stamp from its frames."""

    name = ""
    app = ""

    def env(self, workdir: Path) -> dict[str, str]:
        return {}

    async def prepare(self, port: int) -> None:
        pass

    def url(self, port: int) -> str:
        raise NotImplementedError

    def headers(self, port: int) -> dict[str, str]:
        return {}

    def frame(self, text: str) -> str:
        return text

    def stamp(self, raw: str) -> str | None:
        return raw


class Baseline(Target):
    name = "lesson 17 ConnectionManager"
    app = "benchmarks.baseline_app:app"

    def url(self, port: int) -> str:
        return f"ws://127.0.0.1:{port}/ws"


class Capstone(Target):
    name = "capstone hub"
    app = "capstone.main:app"
    token = ""
    # Messages stored so far: sockets resume from there, as a client that has seen them would,
    # so that an idle socket's memory is not measured right after a burst of history.
    stored = 0

    def env(self, workdir: Path) -> dict[str, str]:
        return {
            "CHAT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'chat.db'}",
            "CHAT_SECRET_KEY": "benchmark-secret-" + "x" * 32,
            "CHAT_UPLOAD_DIR": str(workdir / "uploads"),
            "CHAT_ALLOWED_ORIGINS": json.dumps(["http://bench.local"]),
            "CHAT_MAX_SOCKETS_PER_USER": "100000",
            "CHAT_RATE_LIMIT_MESSAGES": "100000000",
        }

    async def prepare(self, port: int) -> None:
        self.stored = 0
        base = f"http://127.0.0.1:{port}"
        async with httpx2.AsyncClient(base_url=base) as client:
            user = {"username": "bench", "password": "benchmark-password"}
            (await client.post("/api/auth/register", json=user)).raise_for_status()
            token = await client.post("/api/auth/token", data=user)
            self.token = token.raise_for_status().json()["access_token"]
            auth = {"Authorization": f"Bearer {self.token}"}
            room = await client.post("/api/rooms", json={"name": "bench"}, headers=auth)
            room.raise_for_status()

    def url(self, port: int) -> str:
        return f"ws://127.0.0.1:{port}/ws/rooms/bench?since={self.stored}"

    def headers(self, port: int) -> dict[str, str]:
        return {"Cookie": f"chat_session={self.token}", "Origin": "http://bench.local"}

    def frame(self, text: str) -> str:
        return json.dumps({"type": "message", "text": text, "client_msg_id": str(uuid.uuid4())})

    def stamp(self, raw: str) -> str | None:
        frame = json.loads(raw)
        return frame["text"] if frame.get("type") == "message" else None


class Reader:
    def __init__(self, target: Target, messages: int, tag: str = "bench") -> None:
        self.target = target
        self.tag = tag + " "
        self.expected = messages
        self.latencies: list[float] = []
        self.done = asyncio.Event()

    async def run(self, ws: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                text = self.target.stamp(raw if isinstance(raw, str) else raw.decode())
                if text is None or not text.startswith(self.tag):
                    continue
                sent_ns = int(text.split(" ", 3)[2])
                self.latencies.append((time.time_ns() - sent_ns) / 1e6)
                if len(self.latencies) >= self.expected:
                    self.done.set()


async def open_socket(target: Target, port: int, *, rcvbuf: int | None = None) -> ClientConnection:
    sock = None
    if rcvbuf is not None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.connect(("127.0.0.1", port))
    return await connect(
        target.url(port),
        additional_headers=target.headers(port),
        compression=None,
        max_size=None,
        max_queue=1 if rcvbuf else 4096,
        ping_interval=None,
        open_timeout=30,
        sock=sock,
    )


async def measure(target: Target, port: int, pid: int, args: argparse.Namespace, run: Run) -> None:
    """The same load twice on one server: with no reader (what a message costs by itself:
    storing, acking, the sender's own copy), then with N readers. The difference, per delivery,
    is what the fan-out itself costs."""
    await target.prepare(port)
    alone = await load(target, [port], [pid], args, Run(run.server, 0, run.messages), readers=0)
    await load(target, [port], [pid], args, run, readers=args.readers)
    run.cpu_us_per_message_alone = round(alone.cpu_seconds / run.messages * 1e6, 1)
    if run.deliveries:
        extra = run.cpu_seconds - alone.cpu_seconds
        run.cpu_us_per_fanout_delivery = round(extra / run.deliveries * 1e6, 2)


async def load(
    target: Target,
    ports: Sequence[int],
    pids: Sequence[int],
    args: argparse.Namespace,
    run: Run,
    *,
    readers: int,
    redis_pid: int | None = None,
) -> Run:
    """Readers dealt out over the servers at `ports` in turn, the sender on the first; the CPU is
    that of every process in `pids`, and Redis's apart."""
    messages = run.messages
    tag = f"bench-{readers}"  # history from an earlier phase does not count in this one
    audience = [Reader(target, messages, tag) for _ in range(readers)]
    before = sum(map(rss_kib, pids))
    sockets = [await open_socket(target, ports[i % len(ports)]) for i in range(len(audience))]
    tasks = [asyncio.create_task(r.run(ws)) for r, ws in zip(audience, sockets, strict=True)]
    sender = await open_socket(target, ports[0])
    drain = asyncio.create_task(Reader(target, 1 << 30).run(sender))
    if audience:
        grown = sum(map(rss_kib, pids)) - before
        run.rss_kib_per_socket = round(grown / (len(audience) + 1), 1)

    pad = "x" * max(0, args.size - 40)
    start_cpu = sum(map(cpu_seconds, pids))
    start_redis = cpu_seconds(redis_pid) if redis_pid else 0.0
    interval = 1 / args.rate
    began = time.monotonic()
    for i in range(messages):
        await asyncio.sleep(max(0.0, began + i * interval - time.monotonic()))  # pacing the load
        await sender.send(target.frame(f"{tag} {i} {time.time_ns()} {pad}"))
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(args.seconds + 30):
            await asyncio.gather(*(r.done.wait() for r in audience))
    run.cpu_seconds = round(sum(map(cpu_seconds, pids)) - start_cpu, 3)
    if redis_pid:
        run.redis_cpu_seconds = round(cpu_seconds(redis_pid) - start_redis, 3)

    latencies = sorted(lat for r in audience for lat in r.latencies)
    run.deliveries = len(latencies)
    run.lost = messages * len(audience) - run.deliveries
    if latencies:
        run.cpu_us_per_delivery = round(run.cpu_seconds / run.deliveries * 1e6, 2)
        run.p50_ms = round(statistics.median(latencies), 2)
        run.p99_ms = round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2)
        if run.redis_cpu_seconds is not None:
            run.redis_cpu_us_per_delivery = round(run.redis_cpu_seconds / run.deliveries * 1e6, 2)
    for ws in [*sockets, sender]:
        await ws.close()
    for task in [*tasks, drain]:
        task.cancel()
    if isinstance(target, Capstone):
        target.stored += messages
    return run


async def stall(target: Target, port: int, args: argparse.Namespace, run: Run) -> None:
    """One reader stops reading while 4 KiB messages flow: do the others notice?"""
    await target.prepare(port)
    messages = args.stall_messages
    readers = [Reader(target, messages) for _ in range(args.stall_readers)]
    sockets = [await open_socket(target, port) for _ in readers]
    tasks = [asyncio.create_task(r.run(ws)) for r, ws in zip(readers, sockets, strict=True)]
    stuck = await open_socket(target, port, rcvbuf=4096)  # never read from
    sender = await open_socket(target, port)
    drain = asyncio.create_task(Reader(target, 1 << 30).run(sender))
    pad = "x" * 3900  # about 4 KiB a frame, under the capstone's 4000-character text limit
    sent = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(args.stall_seconds):
            for i in range(messages):
                await sender.send(target.frame(f"bench {i} {time.time_ns()} {pad}"))
                sent += 1
                await asyncio.sleep(1 / 200)  # 200 msg/s
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(10):
            await asyncio.gather(*(r.done.wait() for r in readers))
    got = sum(len(r.latencies) for r in readers)
    run.stall_healthy_share = round(got / (messages * len(readers)), 3)
    # Evicted means the server gave up on it: once we read again, what was already in the buffers
    # arrives, then the close (1013) if it went through, or nothing more; never every message.
    received = 0
    with contextlib.suppress(Exception):
        while True:
            raw = await asyncio.wait_for(stuck.recv(), 3)
            text = target.stamp(raw if isinstance(raw, str) else raw.decode())
            received += bool(text and text.startswith("bench "))
    run.stall_evicted = received < sent
    run.notes.append(
        f"stall: sent {sent} of {messages}; the stalled reader got {received}, "
        f"close code {stuck.close_code}"
    )
    for ws in [*sockets, sender, stuck]:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                await ws.close()
    for task in [*tasks, drain]:
        task.cancel()


def bench(target: Target, args: argparse.Namespace) -> Run:
    run = Run(server=target.name, readers=args.readers, messages=args.rate * args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        with server(target.app, target.env(Path(tmp))) as (port, pid):
            asyncio.run(measure(target, port, pid, args, run))
    if args.stall_messages:
        with tempfile.TemporaryDirectory() as tmp:
            with server(target.app, target.env(Path(tmp))) as (port, _):
                asyncio.run(stall(target, port, args, run))
    return run


class OnCluster(Capstone):
    """The capstone as `make cluster` runs it: PostgreSQL the truth, Redis the doorbell."""

    def __init__(self, workers: int, database_url: str, redis_url: str) -> None:
        self.name = f"capstone, {workers} worker{'s' * (workers > 1)}, PostgreSQL + Redis"
        self.database_url = database_url
        self.redis_url = redis_url

    def env(self, workdir: Path) -> dict[str, str]:
        shared = {"CHAT_DATABASE_URL": self.database_url, "CHAT_REDIS_URL": self.redis_url}
        return {**super().env(workdir), **shared}


def pin_postgres(postgres: Postgres) -> None:
    """The postmaster and the processes it has forked so far; a backend forked later inherits."""
    with contextlib.suppress(OSError, ValueError):
        postmaster = int((postgres.data / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        for pid in [postmaster, *map(int, children)]:
            pin(pid, SERVER_CORE)


def complaints(child: Worker) -> list[str]:
    """What a worker printed besides uvicorn's own INFO lines: warnings, errors, tracebacks."""
    odd = [line.rstrip() for line in child.lines if not line.startswith("INFO:")]
    if not odd:
        return []
    return [f"{child.name} printed {len(odd)} other line(s), first: {odd[0]}"]


async def spread(
    target: OnCluster, workers: list[Worker], redis_pid: int, args: argparse.Namespace, run: Run
) -> None:
    await target.prepare(workers[0].port)
    ports = [worker.port for worker in workers]
    pids = [worker.process.pid for worker in workers if worker.process]
    await load(target, ports, pids, args, run, readers=args.readers, redis_pid=redis_pid)


def on_workers(count: int, postgres: Postgres, redis: Redis, args: argparse.Namespace) -> Run:
    # A database and a Redis database of its own: nothing left over from the other run.
    redis_url = redis.url.rsplit("/", 1)[0] + f"/{count}"
    target = OnCluster(count, fresh_database(postgres), redis_url)
    messages = args.rate * args.seconds
    run = Run(server=target.name, readers=args.readers, messages=messages, workers=count)
    workers: list[Worker] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = target.env(Path(tmp))
        try:
            for _ in range(count):  # one after the other: the first brings the schema up alone
                workers.append(Worker(free_port(), env))
                workers[-1].start()
                assert workers[-1].process is not None
                pin(workers[-1].process.pid, SERVER_CORE)
            assert redis.process is not None
            asyncio.run(spread(target, workers, redis.process.pid, args, run))
        finally:
            for worker in workers:
                worker.stop()
    for worker in workers:
        run.notes += complaints(worker)
    return run


def compare_workers(args: argparse.Namespace) -> list[Run]:
    """The same load on one worker holding every socket, then on two holding half each."""
    missing = postgres_missing() or redis_missing()
    if missing:
        print(f"workers scenario skipped: {missing}")
        return []
    try:
        with running_postgres() as postgres, running_redis() as redis:
            pin_postgres(postgres)
            assert redis.process is not None
            pin(redis.process.pid, SERVER_CORE)
            return [on_workers(count, postgres, redis, args) for count in (1, 2)]
    except RuntimeError as error:  # a service or a worker did not start: keep the other results
        print(f"workers scenario failed: {error}", file=sys.stderr)
        return []


def ratio(over: float | None, under: float | None) -> float | None:
    return round(over / under, 2) if over is not None and under else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--rate", type=int, default=50, help="messages per second")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--size", type=int, default=200, help="bytes of text per message")
    parser.add_argument("--stall-readers", type=int, default=20)
    parser.add_argument("--stall-messages", type=int, default=3000, help="0 skips the stall run")
    parser.add_argument("--stall-seconds", type=float, default=30)
    parser.add_argument(
        "--workers-compare",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="one worker against two on PostgreSQL and Redis",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "fanout.json")
    args = parser.parse_args(argv)
    pin(os.getpid(), CLIENT_CORE)

    runs = [bench(Baseline(), args), bench(Capstone(), args)]
    base, cap = runs
    ratios = {
        "cpu_per_delivery": ratio(cap.cpu_us_per_delivery, base.cpu_us_per_delivery),
        "cpu_per_fanout_delivery": ratio(
            cap.cpu_us_per_fanout_delivery, base.cpu_us_per_fanout_delivery
        ),
        "rss_per_socket": ratio(cap.rss_kib_per_socket, base.rss_kib_per_socket),
    }
    spread_runs = compare_workers(args) if args.workers_compare else []
    report = {
        "settings": {k: str(v) for k, v in vars(args).items()},
        "python": sys.version.split()[0],
        "runs": [asdict(r) for r in [*runs, *spread_runs]],
        "ratios_capstone_over_baseline": ratios,
    }
    if spread_runs:
        one, two = spread_runs
        with_redis = [
            r.cpu_us_per_delivery + (r.redis_cpu_us_per_delivery or 0) for r in spread_runs
        ]
        report["ratios_two_workers_over_one"] = {
            "cpu_per_delivery": ratio(two.cpu_us_per_delivery, one.cpu_us_per_delivery),
            "redis_cpu_per_delivery": ratio(
                two.redis_cpu_us_per_delivery, one.redis_cpu_us_per_delivery
            ),
            "cpu_per_delivery_with_redis": ratio(with_redis[1], with_redis[0]),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    header = f"{'server':<30}{'CPU/deliv µs':>14}{'fan-out µs':>12}{'msg alone µs':>14}"
    header += f"{'p50 ms':>9}{'p99 ms':>9}{'lost':>7}"
    header += f"{'KiB/socket':>12}{'stall: healthy got':>20}{'evicted':>9}"
    print(header)
    for r in runs:
        share = "-" if r.stall_healthy_share is None else f"{r.stall_healthy_share:.1%}"
        print(
            f"{r.server:<30}{r.cpu_us_per_delivery:>14}{r.cpu_us_per_fanout_delivery:>12}"
            f"{r.cpu_us_per_message_alone:>14}{r.p50_ms:>9}{r.p99_ms:>9}{r.lost:>7}"
            f"{r.rss_kib_per_socket:>12}{share:>20}{r.stall_evicted!s:>9}"
        )
    print(f"capstone / baseline: {ratios}")
    if spread_runs:
        print(
            f"\n{'server':<42}{'CPU/deliv µs':>14}{'Redis µs':>10}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'lost':>7}"
        )
        for r in spread_runs:
            print(
                f"{r.server:<42}{r.cpu_us_per_delivery:>14}{r.redis_cpu_us_per_delivery!s:>10}"
                f"{r.p50_ms:>9}{r.p99_ms:>9}{r.lost:>7}"
            )
        print(f"two workers / one: {report['ratios_two_workers_over_one']}")
    for note in (note for r in [*runs, *spread_runs] for note in r.notes):
        print(f"note: {note}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
