"""The chat application: `create_app(settings)` builds one; `app` is the one uvicorn serves.

Building the app touches no disk: the secret key, the database and the upload folder are set up
in lifespan, from the settings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from capstone import errors
from capstone.broker import Broker, MemoryBroker, RedisBroker
from capstone.chat import ChatState, DatabaseFeed, sweep_ended_logins
from capstone.db import make_engine, make_sessionmaker, migrate
from capstone.hub import Hub
from capstone.middleware import (
    BodyPace,
    RefusalDoor,
    Refusals,
    RequestContextMiddleware,
    security_headers,
)
from capstone.routes import attachments, auth, docs, health, pages, rooms, socket, users
from capstone.settings import PACKAGE_DIR, Settings
from capstone.state import RateLimiter, make_state

STATIC_DIR = PACKAGE_DIR / "static"
log = logging.getLogger("capstone")


def connect_redis(url: str) -> Redis:
    # No retries inside redis-py: the broker's listener reconnects itself (and must know when it
    # has, to read what it missed), and a publish must not hold up a sender's ack for seconds.
    return Redis.from_url(
        url, retry=Retry(NoBackoff(), 0), socket_connect_timeout=1.0, socket_timeout=2.0
    )


async def every(seconds: float, chore: Callable[[], Awaitable[None]]) -> None:
    """Run `chore` every `seconds` while the app runs; a failure costs one log line."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await chore()
        except Exception as exc:  # a service away: the next round tries again
            log.warning("%s failed (%s)", getattr(chore, "__name__", chore), type(exc).__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.secret()  # generated and kept under var/ on the first start, if not configured
        engine = make_engine(settings.database_url)
        try:
            await migrate(engine, settings)
        except BaseException:
            await engine.dispose()  # refusing to start: its connection is closed, not leaked
            raise
        sessionmaker = make_sessionmaker(engine)
        redis = connect_redis(settings.redis_url) if settings.redis_url else None
        state = make_state(settings, redis)
        hub = Hub(
            DatabaseFeed(sessionmaker),
            backlog_limit=settings.max_socket_backlog,
            close_timeout=settings.evict_close_timeout,
            max_frame_bytes=settings.max_message_bytes,
            history_page=settings.history_page,
            gap_wait=settings.gap_wait_seconds,
            # One process: presence is the hub's own sockets, announced without a round trip.
            presence=state if redis is not None else None,
        )
        broker: Broker
        if redis is None:
            broker = MemoryBroker(hub.on_payload)
        else:
            broker = RedisBroker(hub.on_payload, redis, hub.resync)
        hub.broker = broker
        await broker.connect()
        await state.start()
        app.state.chat = chat = ChatState(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            hub=hub,
            broker=broker,
            state=state,
            typing_limiter=RateLimiter(1, 1.0),
        )
        chores = []
        if broker.lossy:
            chores.append(asyncio.create_task(every(settings.head_check_seconds, hub.check_heads)))
        if hub.presence is not None:
            chores.append(asyncio.create_task(every(settings.heartbeat_seconds, hub.heartbeat)))

            async def sweep_logins() -> None:  # a login ended on another worker: its sockets here
                await sweep_ended_logins(chat)

            chores.append(asyncio.create_task(every(settings.heartbeat_seconds, sweep_logins)))
        try:
            yield
        finally:
            for chore in chores:
                chore.cancel()
            await asyncio.gather(*chores, return_exceptions=True)
            await hub.close_all()
            await state.stop()
            await broker.disconnect()
            if redis is not None:
                await redis.aclose()
            await engine.dispose()

    app = FastAPI(
        title="Chat",
        summary="A WebSocket chat: rooms, ordered delivery with catch-up, uploads.",
        version="1.0.0",
        lifespan=lifespan,
        # Served by routes/docs.py from this machine: FastAPI's own pages need a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    errors.install(app)
    app.state.security_headers = security_headers(settings.allowed_origins)
    # Inside RequestContextMiddleware: an answer from the door has this request's id and headers.
    app.state.refusals = Refusals(
        settings.refusal_delay_seconds, settings.refusals_held_per_address
    )
    app.add_middleware(BodyPace, idle=settings.body_idle_seconds)
    app.add_middleware(RefusalDoor, refusals=app.state.refusals)
    app.add_middleware(RequestContextMiddleware, headers=app.state.security_headers)
    # Every request body is counted as it arrives (with or without Content-Length): past its
    # route's limit, 413 before more is read. Set on the routers, not the app, so the limit
    # answers inside RequestContextMiddleware and its 413 has the security headers too.
    for module in (auth, users, rooms, health, pages):
        app.include_router(module.router, max_body_size=settings.max_body_bytes)
    app.include_router(attachments.router, max_body_size=attachments.body_limit(settings))
    # A socket has no request body: its frames have their own limit (`--ws-max-size`, and the
    # hub's). Its route goes on the app's own router (see `capstone.routes.socket`).
    socket.install(app)
    app.include_router(docs.router)
    app.mount(docs.ASSETS, docs.assets(), name="docs-assets")
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
