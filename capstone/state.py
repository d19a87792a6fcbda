"""What every worker must agree on: socket tickets, the message limit, the socket cap, presence.

`MemoryState` keeps it in this process (one worker, no other service); `RedisState` keeps it in
Redis, so any worker may redeem a ticket another issued, and limits and caps hold per user, not
per process. Keys live under `chat:`:

- `chat:ticket:<t>`: whom it stands for (the user and their login), set with NX and an expiry,
  redeemed with GETDEL (single use).
- `chat:limit:<bucket>:<key>`: a sorted set of one throttle's recent events for one key (score =
  Redis time in µs), a sliding window trimmed and counted in one script. The message limit is the
  bucket `messages`, keyed by user id; the login, sign-up, ticket, room and upload throttles are
  buckets of their own.
- `chat:sockets:<user>`: a hash of socket counts by worker, counted only for workers whose lease
  `chat:worker:<worker>` (TTL = the presence TTL, refreshed by the heartbeat) still exists.
- `chat:presence:<room>`: a sorted set of `<worker>|<username>`, score = when the entry expires.

Scripts read the time from Redis, so hosts whose clocks disagree still share one window and one
notion of "expired". Every call decides what a Redis failure means: see each method.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from capstone.settings import Settings

log = logging.getLogger("capstone.state")
PREFIX = "chat:"
# What a failed Redis call may raise: redis-py wraps most socket errors, not all of them.
FAILURES = (RedisError, OSError)


class StateUnavailable(Exception):
    """The shared state cannot be reached, and this call has no safe answer without it."""


class RateLimiter:
    """At most `limit` events per `window` seconds per key (a sliding window), in this process."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self.hits: dict[Hashable, deque[float]] = {}
        self.swept = clock()

    def hit(self, key: Hashable, *, count: bool = True) -> float | None:
        """Count one event: None when it is allowed, else the seconds until one will be.
        With `count` false, only ask: nothing is counted (nor stored for a new key)."""
        now = self.clock()
        self._sweep(now)
        hits = self.hits.get(key) or deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        if count:
            hits.append(now)
            self.hits[key] = hits
        return None

    def allow(self, key: Hashable) -> bool:
        return self.hit(key) is None

    def _sweep(self, now: float) -> None:
        # At most once a window, forget keys with no hit inside it: idle users cost nothing.
        if now - self.swept < self.window:
            return
        self.swept = now
        cutoff = now - self.window
        for key in [key for key, hits in self.hits.items() if not hits or hits[-1] <= cutoff]:
            del self.hits[key]


class SharedState(ABC):
    worker_id: str
    # The message budget: `limit` messages per `window` seconds per user.
    limit: int
    window: float

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    @abstractmethod
    async def issue_ticket(self, holder: str, lifetime: float) -> str:
        """A single-use ticket standing for `holder`, good for about `lifetime` seconds on any
        worker."""

    @abstractmethod
    async def redeem_ticket(self, ticket: str) -> str | None:
        """The ticket's holder, once; None for a spent, expired or unknown ticket."""

    @abstractmethod
    async def hit(
        self, bucket: str, key: str, limit: int, window: float, *, count: bool = True
    ) -> float | None:
        """Count one event of `bucket` for `key`, at most `limit` per `window` seconds (a sliding
        window): None when allowed, else the seconds until one will be. With `count` false, only
        ask (a login counts its failures, after the password was checked)."""

    async def hit_message_limit(self, user_id: int) -> float | None:
        """Count one message: None when allowed, else the seconds until one will be."""
        return await self.hit("messages", str(user_id), self.limit, self.window)

    @abstractmethod
    async def acquire_socket(self, user_id: int, cap: int) -> bool:
        """Count one more socket for the user, unless they have `cap` on all workers already."""

    @abstractmethod
    async def release_socket(self, user_id: int) -> None: ...

    @abstractmethod
    async def set_presence(self, room: str, usernames: set[str]) -> None:
        """This worker's users in the room now (empty: none of them any more)."""

    @abstractmethod
    async def online(self, room: str) -> list[str]:
        """Who is in the room on every live worker: sorted, each name once."""

    @abstractmethod
    async def heartbeat(self, presence: dict[str, set[str]]) -> set[str]:
        """Tell the others this worker lives and who is here; the rooms whose online list
        changed since this worker last looked (another worker died, or a change it missed)."""


def new_ticket() -> str:
    return secrets.token_urlsafe(32)


class MemoryState(SharedState):
    """One process: dictionaries, each pruned so that nothing grows without bound."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.worker_id = uuid.uuid4().hex
        self.clock = clock
        self.tickets: dict[str, tuple[str, float]] = {}
        self.limit = limit
        self.window = window
        self.limiters: dict[str, RateLimiter] = {}
        self.sockets: dict[int, int] = {}
        self.rooms: dict[str, set[str]] = {}

    async def issue_ticket(self, holder: str, lifetime: float) -> str:
        now = self.clock()
        for key in [key for key, (_, expires) in self.tickets.items() if expires <= now]:
            del self.tickets[key]
        ticket = new_ticket()
        self.tickets[ticket] = (holder, now + lifetime)
        return ticket

    async def redeem_ticket(self, ticket: str) -> str | None:
        entry = self.tickets.pop(ticket, None)  # popped: a second use finds nothing
        if entry is None:
            return None
        holder, expires_at = entry
        return holder if self.clock() < expires_at else None

    async def hit(
        self, bucket: str, key: str, limit: int, window: float, *, count: bool = True
    ) -> float | None:
        limiter = self.limiters.get(bucket)
        if limiter is None:
            # Each limiter asks through `self.clock`, so a test that moves this state's clock
            # moves them all.
            limiter = self.limiters[bucket] = RateLimiter(limit, window, lambda: self.clock())
        limiter.limit, limiter.window = limit, window
        return limiter.hit(key, count=count)

    async def acquire_socket(self, user_id: int, cap: int) -> bool:
        count = self.sockets.get(user_id, 0)
        if count >= cap:
            return False
        self.sockets[user_id] = count + 1
        return True

    async def release_socket(self, user_id: int) -> None:
        left = self.sockets.get(user_id, 0) - 1
        if left > 0:
            self.sockets[user_id] = left
        else:
            self.sockets.pop(user_id, None)

    async def set_presence(self, room: str, usernames: set[str]) -> None:
        if usernames:
            self.rooms[room] = set(usernames)
        else:
            self.rooms.pop(room, None)

    async def online(self, room: str) -> list[str]:
        return sorted(self.rooms.get(room, ()))

    async def heartbeat(self, presence: dict[str, set[str]]) -> set[str]:
        return set()  # no other worker to die or to miss


# Trim the window, then count this event if there is room (and ARGV[4] is 1, not a question):
# 0, or the µs until there will be room.
LIMIT_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  if ARGV[4] == '1' then
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  end
  return 0
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
return math.max(1, oldest + window - now)
"""

# Sum the user's sockets on live workers (forgetting the dead ones' counts) and this worker's
# count-to-be; within the cap, record this worker's new count. The lease keys are named from the
# hash's fields, which a standalone Redis allows (a Redis Cluster would need one hash slot).
SOCKET_SCRIPT = """
local total = tonumber(ARGV[2])
local counts = redis.call('HGETALL', KEYS[1])
for i = 1, #counts, 2 do
  local worker = counts[i]
  if worker ~= ARGV[1] then
    if redis.call('EXISTS', ARGV[4] .. worker) == 1 then
      total = total + tonumber(counts[i + 1])
    else
      redis.call('HDEL', KEYS[1], worker)
    end
  end
end
if total > tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

# Remove ARGV[2] given members, add (or refresh) the rest with expiry now + ttl, drop expired
# entries, and answer the live members.
PRESENCE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
local adding = 3 + tonumber(ARGV[2])
for i = 3, adding - 1 do
  redis.call('ZREM', KEYS[1], ARGV[i])
end
for i = adding, #ARGV do
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[i])
end
if #ARGV >= adding and redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
"""


def _text(value: bytes | str) -> str:
    # The lead's client may or may not decode replies.
    return value.decode() if isinstance(value, bytes) else value


class RedisState(SharedState):
    """Every worker's share of the state, in one Redis."""

    def __init__(self, redis: Redis, *, limit: int, window: float, presence_ttl: float):
        self.redis = redis
        self.worker_id = uuid.uuid4().hex
        self.limit = limit
        self.window = window
        self.ttl_ms = max(1, round(presence_ttl * 1000))
        self.hit_ids = itertools.count()
        # This worker's own truth, written to Redis again by every heartbeat (a Redis restart
        # loses nothing that matters for longer than one beat).
        self.sockets: dict[int, int] = {}
        self.unreleased: set[int] = set()  # users whose last socket here Redis did not hear go
        self.rooms: dict[str, set[str]] = {}
        self.seen: dict[str, list[str]] = {}
        # One writer of this worker's socket counts at a time: each write is an absolute count.
        self.sockets_lock = asyncio.Lock()
        self.failing: set[str] = set()
        self.limit_script = redis.register_script(LIMIT_SCRIPT)
        self.socket_script = redis.register_script(SOCKET_SCRIPT)
        self.presence_script = redis.register_script(PRESENCE_SCRIPT)

    # ---- keys and failures

    @property
    def lease_key(self) -> str:
        return f"{PREFIX}worker:{self.worker_id}"

    def member(self, username: str) -> str:
        return f"{self.worker_id}|{username}"

    def failed(self, what: str, exc: BaseException) -> None:
        # One line when a kind of call starts failing, not one per message during an outage.
        if what not in self.failing:
            self.failing.add(what)
            log.warning("redis unavailable for %s: %r", what, exc)

    def worked(self, what: str) -> None:
        if what in self.failing:
            self.failing.discard(what)
            log.info("redis reachable again for %s", what)

    # ---- lifecycle

    async def start(self) -> None:
        # The lease first: until it exists, the others do not count this worker's sockets.
        try:
            await self.redis.set(self.lease_key, 1, px=self.ttl_ms)
        except FAILURES as exc:
            self.failed("lease", exc)  # the first heartbeat that reaches Redis writes it

    async def stop(self) -> None:
        """Leave nothing behind: the lease, this worker's socket counts and presence entries."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.delete(self.lease_key)
                for user_id in self.sockets:
                    pipe.hdel(f"{PREFIX}sockets:{user_id}", self.worker_id)
                for room, usernames in self.rooms.items():
                    pipe.zrem(f"{PREFIX}presence:{room}", *map(self.member, usernames))
                await pipe.execute()
        except FAILURES as exc:
            # Shutting down regardless: the lease and the presence entries expire by themselves.
            self.failed("stop", exc)
        self.sockets.clear()
        self.rooms.clear()

    # ---- tickets

    async def issue_ticket(self, holder: str, lifetime: float) -> str:
        ticket = new_ticket()
        if lifetime <= 0:
            return ticket  # never good: nothing to store
        try:
            stored = await self.redis.set(
                f"{PREFIX}ticket:{ticket}", holder, px=max(1, round(lifetime * 1000)), nx=True
            )
        except FAILURES as exc:
            # No ticket that no worker could redeem: the caller answers "try again" (503).
            self.failed("tickets", exc)
            raise StateUnavailable("tickets") from exc
        self.worked("tickets")
        if not stored:  # 256 random bits met an existing ticket: not in this universe
            raise StateUnavailable("ticket collision")
        return ticket

    async def redeem_ticket(self, ticket: str) -> str | None:
        try:
            value = await self.redis.getdel(f"{PREFIX}ticket:{ticket}")
        except FAILURES as exc:
            # Fail closed: a ticket we cannot spend is refused, or it could be spent twice.
            self.failed("tickets", exc)
            return None
        self.worked("tickets")
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    # ---- throttles (the message limit among them)

    async def hit(
        self, bucket: str, key: str, limit: int, window: float, *, count: bool = True
    ) -> float | None:
        what = f"the {bucket} limit"
        try:
            wait_us = await self.limit_script(
                keys=[f"{PREFIX}limit:{bucket}:{key}"],
                args=[
                    limit,
                    max(1, round(window * 1_000_000)),
                    f"{self.worker_id}:{next(self.hit_ids)}",
                    int(count),
                ],
            )
        except FAILURES as exc:
            # Fail open, every throttle: an outage of the limiter must not silence the chat nor
            # lock everyone out of it. Logins stay bounded without it: argon2 runs on a few
            # threads per worker (capstone.passwords), so guesses cannot go faster than that.
            self.failed(what, exc)
            return None
        self.worked(what)
        return int(wait_us) / 1_000_000 or None

    # ---- the socket cap

    async def acquire_socket(self, user_id: int, cap: int) -> bool:
        async with self.sockets_lock:
            count = self.sockets.get(user_id, 0) + 1
            try:
                allowed = await self.socket_script(
                    keys=[f"{PREFIX}sockets:{user_id}"],
                    args=[self.worker_id, count, cap, f"{PREFIX}worker:"],
                )
            except FAILURES as exc:
                # Fail open to this process's own count: the cap per worker still holds, and
                # the next heartbeat that reaches Redis records the count.
                self.failed("the socket cap", exc)
                allowed = count <= cap
            else:
                self.worked("the socket cap")
            if allowed:
                self.sockets[user_id] = count
            return bool(allowed)

    async def release_socket(self, user_id: int) -> None:
        async with self.sockets_lock:
            left = self.sockets.get(user_id, 0) - 1
            if left > 0:
                self.sockets[user_id] = left
            else:
                self.sockets.pop(user_id, None)
            key = f"{PREFIX}sockets:{user_id}"
            try:
                if left > 0:
                    await self.redis.hset(key, self.worker_id, left)
                else:
                    await self.redis.hdel(key, self.worker_id)
            except FAILURES as exc:
                # Skipped: the next heartbeat that reaches Redis writes the count again.
                self.failed("the socket cap", exc)
                self.unreleased.add(user_id)

    # ---- presence

    def _presence_args(self, remove: set[str], add: set[str]) -> list[int | str]:
        return [self.ttl_ms, len(remove), *map(self.member, remove), *map(self.member, add)]

    def _online(self, room: str, members: list[bytes | str]) -> list[str]:
        names = sorted({_text(member).partition("|")[2] for member in members})
        self.seen[room] = names
        return names

    async def set_presence(self, room: str, usernames: set[str]) -> None:
        before = self.rooms.get(room, set())
        if usernames:
            self.rooms[room] = set(usernames)
        else:
            self.rooms.pop(room, None)
            self.seen.pop(room, None)
        try:
            members = await self.presence_script(
                keys=[f"{PREFIX}presence:{room}"],
                args=self._presence_args(before - usernames, set(usernames)),
            )
        except FAILURES as exc:
            # Fail open: presence is a courtesy; the next heartbeat writes it again.
            self.failed("presence", exc)
            return
        self.worked("presence")
        if usernames:
            self._online(room, members)

    async def online(self, room: str) -> list[str]:
        try:
            members = await self.presence_script(
                keys=[f"{PREFIX}presence:{room}"], args=self._presence_args(set(), set())
            )
        except FAILURES as exc:
            # Fail open: who is here on this worker is still worth showing.
            self.failed("presence", exc)
            return sorted(self.rooms.get(room, ()))
        self.worked("presence")
        return self._online(room, members)

    async def heartbeat(self, presence: dict[str, set[str]]) -> set[str]:
        rooms = {room: set(names) for room, names in presence.items() if names}
        gone = {room: names for room, names in self.rooms.items() if room not in rooms}
        try:
            async with self.sockets_lock:
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.set(self.lease_key, 1, px=self.ttl_ms)
                    for user_id, count in self.sockets.items():
                        pipe.hset(f"{PREFIX}sockets:{user_id}", self.worker_id, count)
                    for user_id in self.unreleased - self.sockets.keys():
                        pipe.hdel(f"{PREFIX}sockets:{user_id}", self.worker_id)
                    for room, names in gone.items():
                        await self.presence_script(
                            keys=[f"{PREFIX}presence:{room}"],
                            args=self._presence_args(names, set()),
                            client=pipe,
                        )
                    for room, names in rooms.items():
                        await self.presence_script(
                            keys=[f"{PREFIX}presence:{room}"],
                            args=self._presence_args(set(), names),
                            client=pipe,
                        )
                    replies = await pipe.execute()
        except FAILURES as exc:
            # Skipped: this beat is lost, the next one tries again; the entries outlive a few.
            self.failed("the heartbeat", exc)
            return set()
        self.worked("the heartbeat")
        self.unreleased.clear()
        self.rooms = rooms
        for room in gone:
            self.seen.pop(room, None)
        changed = set()
        for room, members in zip(rooms, replies[len(replies) - len(rooms) :], strict=True):
            before = self.seen.get(room)
            if self._online(room, members) != before and before is not None:
                changed.add(room)
        return changed


def make_state(settings: Settings, redis: Redis | None) -> SharedState:
    """Redis when the app has a client for it, else this process's memory."""
    if redis is None:
        return MemoryState(settings.rate_limit_messages, settings.rate_limit_window_seconds)
    return RedisState(
        redis,
        limit=settings.rate_limit_messages,
        window=settings.rate_limit_window_seconds,
        presence_ttl=settings.presence_ttl_seconds,
    )
