"""argon2 off the event loop, on a few threads of its own, with a bounded queue.

FastAPI runs every sync endpoint (`/healthz` among them) and every file response on one shared
pool of threads (anyio's, 40 by default). argon2 is slow on purpose (about 0.25 s here) and holds
64 MiB while it runs (libpass's argon2id defaults: m=65536 KiB, t=3, p=4), so a flood of logins
sent to that pool took every thread, stalled everyone else's requests, and cost a gigabyte.

Here it runs on `hash_threads` threads; at most `hash_queue` more hashes wait for one, and beyond
that `HashPool.run` refuses at once (`HashingBusy`, answered 503 with Retry-After): a refusal costs
nothing, a wait costs a queue slot, only a running hash costs its memory. Its threads run at a
low priority, so a flood of logins slows logins more than the chat. One pool per process,
whatever the number of apps in it: the bound is about this process's cores and memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from capstone.settings import Settings


HASH_NICENESS = 10  # CFS weight 110 against the loop's 1024
P = ParamSpec("P")
T = TypeVar("T")


class HashingBusy(Exception):
    """Every hashing thread is busy and the queue is full: try again in a moment."""


class HashPool:
    def __init__(self, threads: int, queue: int) -> None:
        self.executor = ThreadPoolExecutor(
            threads, thread_name_prefix="argon2", initializer=yield_to_the_loop
        )
        self.capacity = threads + queue
        self.taken = 0
        # Released from the hashing threads themselves, taken from any event loop.
        self.lock = threading.Lock()

    @property
    def full(self) -> bool:
        """No room now: a caller may refuse before doing anything else (a run may still fail)."""
        with self.lock:
            return self.taken >= self.capacity

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args)` on the pool's threads; `HashingBusy` at once when the pool is full."""
        with self.lock:
            if self.taken >= self.capacity:
                raise HashingBusy
            self.taken += 1
        try:
            future = self.executor.submit(work, *args, **kwargs)
        except BaseException:
            self._release()
            raise
        # Released when the hash ends, not when its caller stops waiting: a client that hangs
        # up does not stop argon2, so its slot stays taken until the thread is free again.
        future.add_done_callback(self._release)
        return await asyncio.wrap_future(future)

    def _release(self, _: object = None) -> None:
        with self.lock:
            self.taken -= 1


def yield_to_the_loop() -> None:
    """Run this hashing thread (and the lanes argon2 starts from it) at a low priority: on a busy
    core the event loop, which answers everyone else, gets about nine tenths of it, and a hash
    takes longer instead (not the lowest: a busy chat must not starve logins altogether).
    Linux's niceness is per thread; where it is not (or not allowed), nothing changes."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICENESS)


@cache
def hash_pool(threads: int, queue: int) -> HashPool:
    return HashPool(threads, queue)


def pool_for(settings: Settings) -> HashPool:
    return hash_pool(settings.hash_threads, settings.hash_queue)
