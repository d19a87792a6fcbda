"""Floods against everyone else: `/healthz` and a signed-in GET, idle and under a flood.

    python -m benchmarks.flood [--flooders 80] [--probes 200]

One uvicorn process (the chat on SQLite, as `python -m capstone` serves it) pinned to core 0; this
process, the load generator, pins itself to core 1. A signed-in user's `GET /api/rooms` and
`GET /healthz` are timed one after the other, first idle, then while `--flooders` clients send
as fast as they are answered, in three floods:

- one address: every flooder at one account, the chat's default throttles (the throttles answer,
  then the door: `capstone.middleware.RefusalDoor`);
- many addresses: made-up names, each request from a made-up address (`X-Forwarded-For`, which
  uvicorn takes from 127.0.0.1 by default), as a flood from many hosts would look (argon2's
  bounded pool answers, and the door while it is full);
- one user's messages: the flooders post messages over HTTP as one signed-in user, and one socket
  of theirs sends message frames without reading (the message budget answers, then the door,
  and the socket is no longer read).

Reported per flood: p50/p99 of each probe in the flood's first `--settle` seconds and after them,
the ratio of the latter to idle, what the flood was answered, and the server's peak resident
memory. Written to `benchmarks/results/flood.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from ipaddress import IPv4Address
from pathlib import Path
from random import getrandbits as random_bits

import httpx2
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from benchmarks.fanout import CLIENT_CORE, RESULTS, pin, rss_kib, server

PASSWORD = "benchmark-password"
ORIGIN = "http://flood.test"  # the page the flooding socket says it comes from


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 2), "p99_ms": round(cuts[98] * 1000, 2)}


async def probe(
    http: httpx2.AsyncClient, auth: dict[str, str], count: int, seconds: float | None = None
) -> dict[str, object]:
    """`count` of each probe (or as many as `seconds` allow), one at a time: what one user waits
    for while the flood goes on."""
    timings: dict[str, list[float]] = {"healthz": [], "rooms": []}
    deadline = time.monotonic() + seconds if seconds is not None else None
    for n in itertools.count():
        enough = n >= count if deadline is None else n >= 2 and time.monotonic() > deadline
        if enough:
            break
        for name, path, headers in (("healthz", "/healthz", {}), ("rooms", "/api/rooms", auth)):
            start = time.perf_counter()
            response = await http.get(path, headers=headers)
            timings[name].append(time.perf_counter() - start)
            response.raise_for_status()
    return {name: percentiles(samples) for name, samples in timings.items()}


async def flood_messages(
    http: httpx2.AsyncClient, port: int, answers: Counter[int], stop: asyncio.Event, count: int
) -> list[asyncio.Task[None]]:
    """One signed-in user sending as fast as they are answered: `count` clients posting messages
    over HTTP, and one socket sending message frames without reading anything."""
    user = {"username": f"noisy-{uuid.uuid4().hex[:8]}", "password": PASSWORD}
    (await http.post("/api/auth/register", json=user)).raise_for_status()
    token = (await http.post("/api/auth/token", data=user)).raise_for_status().json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    (await http.post("/api/rooms", json={"name": "noise"}, headers=auth)).raise_for_status()
    ticket = (await http.post("/api/auth/ws-ticket", headers=auth)).raise_for_status().json()
    numbers = itertools.count()

    async def post() -> None:
        while not stop.is_set():
            body = {"text": "spam", "client_msg_id": f"m{next(numbers)}"}
            try:
                response = await http.post("/api/rooms/noise/messages", json=body, headers=auth)
            except httpx2.TransportError:
                answers[0] += 1
            else:
                answers[response.status_code] += 1

    async def frames() -> None:
        url = f"ws://127.0.0.1:{port}/ws/rooms/noise?ticket={ticket['ticket']}"
        # No pings of its own: while the chat does not read this socket, it would read no pong.
        async with connect(url, origin=Origin(ORIGIN), max_queue=None, ping_interval=None) as ws:
            with contextlib.suppress(ConnectionClosed):  # the chat may close it: it is done
                while not stop.is_set():
                    text = {"type": "message", "text": "spam", "client_msg_id": f"s{next(numbers)}"}
                    await ws.send(json.dumps(text))
                    answers[101] += 1  # a frame sent: counted under 101, the socket's status

    return [asyncio.create_task(post()) for _ in range(count)] + [asyncio.create_task(frames())]


async def flooded(
    port: int, pid: int, flooders: int, probes: int, settle: float, target: str | None
) -> dict[str, object]:
    """Probe while `flooders` post wrong passwords (at `target` from this address, or at made-up
    names from made-up addresses), or with `target` "messages", send messages as one user."""
    base = f"http://127.0.0.1:{port}"
    # Connections idle for under a second only: uvicorn closes a keep-alive one after 5 s, and a
    # request sent on it just then fails.
    limits = httpx2.Limits(max_connections=flooders, keepalive_expiry=1)
    async with (
        httpx2.AsyncClient(base_url=base, timeout=120, limits=limits) as http,
        httpx2.AsyncClient(base_url=base, timeout=120, limits=limits) as prober,
    ):
        user = {"username": f"steady-{uuid.uuid4().hex[:8]}", "password": PASSWORD}
        (await http.post("/api/auth/register", json=user)).raise_for_status()
        token = (await http.post("/api/auth/token", data=user)).raise_for_status().json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        idle = await probe(prober, auth, probes)

        answers: Counter[int] = Counter()
        stop = asyncio.Event()
        peak_kib = rss_kib(pid)

        async def flood() -> None:
            while not stop.is_set():
                name = target or f"ghost-{uuid.uuid4().hex[:12]}"
                data = {"username": name, "password": "not the password"}
                elsewhere = {} if target else {"X-Forwarded-For": str(IPv4Address(random_bits(32)))}
                try:
                    response = await http.post("/api/auth/token", data=data, headers=elsewhere)
                except httpx2.TransportError:
                    answers[0] += 1  # no answer: counted as 0
                else:
                    answers[response.status_code] += 1

        async def watch_memory() -> None:
            nonlocal peak_kib
            while not stop.is_set():
                peak_kib = max(peak_kib, rss_kib(pid))
                await asyncio.sleep(0.05)  # a sampling period, not a wait for an event

        if target == "messages":
            tasks = await flood_messages(http, port, answers, stop, flooders)
        else:
            tasks = [asyncio.create_task(flood()) for _ in range(flooders)]
        tasks.append(asyncio.create_task(watch_memory()))
        try:
            # Its first seconds (argon2's pool filling, the throttles tripping) on their own,
            # then the flood as it goes on.
            start = await probe(prober, auth, probes, seconds=settle)
            busy = await probe(prober, auth, probes)
        finally:
            stop.set()
            await asyncio.gather(*tasks)
    ratios = {
        name: {
            cut: round(busy[name][cut] / idle[name][cut], 2)  # type: ignore[index]
            for cut in ("p50_ms", "p99_ms")
        }
        for name in idle
    }
    return {
        "idle": idle,
        "flood_start": start,
        "flood": busy,
        "ratios_flood_over_idle": ratios,
        "flood_answers": dict(sorted(answers.items())),
        "peak_rss_mib": round(peak_kib / 1024, 1),
    }


def run(flooders: int, probes: int, settle: float, target: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "CHAT_DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'chat.db'}",
            "CHAT_SECRET_KEY": "benchmark-secret-" + "x" * 32,
            "CHAT_UPLOAD_DIR": str(Path(tmp) / "uploads"),
            "CHAT_ALLOWED_ORIGINS": json.dumps([ORIGIN]),
        }
        with server("capstone.main:app", env) as (port, pid):
            return asyncio.run(flooded(port, pid, flooders, probes, settle, target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--flooders", type=int, default=80)
    parser.add_argument("--probes", type=int, default=100, help="of each kind, idle and flooded")
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds of the flood's start, reported apart"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "flood.json")
    args = parser.parse_args(argv)
    pin(os.getpid(), CLIENT_CORE)
    report = {
        "settings": {k: str(v) for k, v in vars(args).items()},
        "python": sys.version.split()[0],
        "one_address": run(args.flooders, args.probes, args.settle, "victim"),
        "many_addresses": run(args.flooders, args.probes, args.settle, None),
        "one_users_messages": run(args.flooders, args.probes, args.settle, "messages"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'flood':<20}{'probe':<9}{'idle p50':>9}{'p99':>7}{'start p50':>11}{'p99':>7}"
          f"{'then p50':>10}{'p99':>7}{'ratio p50':>11}{'p99':>6}   answers, peak RSS")  # fmt: skip
    for flood in ("one_address", "many_addresses", "one_users_messages"):
        result: dict[str, dict[str, dict[str, float]]] = report[flood]  # type: ignore[assignment]
        for name in ("healthz", "rooms"):
            idle, start = result["idle"][name], result["flood_start"][name]
            busy, ratio = result["flood"][name], result["ratios_flood_over_idle"][name]
            print(
                f"{flood:<20}{name:<9}{idle['p50_ms']:>9}{idle['p99_ms']:>7}"
                f"{start['p50_ms']:>11}{start['p99_ms']:>7}{busy['p50_ms']:>10}{busy['p99_ms']:>7}"
                f"{ratio['p50_ms']:>11}{ratio['p99_ms']:>6}   "
                f"{result['flood_answers']}, {result['peak_rss_mib']} MiB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
