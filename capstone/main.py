"""The chat application: `create_app(settings)` builds one; `app` is the one uvicorn serves.

Building the app touches no disk: the secret key, the database and the upload folder are set up
in lifespan, from the settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from capstone import errors
from capstone.broker import MemoryBroker
from capstone.chat import ChatState, RateLimiter
from capstone.db import make_engine, make_sessionmaker, migrate
from capstone.hub import Hub
from capstone.middleware import RequestContextMiddleware, UploadLimitMiddleware
from capstone.routes import attachments, auth, health, pages, rooms, socket, users
from capstone.security import TicketStore
from capstone.settings import PACKAGE_DIR, Settings

STATIC_DIR = PACKAGE_DIR / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.redis_url:
            # Several workers with an in-memory broker would silently miss each other's messages.
            raise RuntimeError(
                "CHAT_REDIS_URL is set, but this version fans out in one process only: "
                "unset it (the Redis broker comes with the multi-worker issue)"
            )
        settings.secret()  # generated and kept under var/ on the first start, if not configured
        engine = make_engine(settings.database_url)
        try:
            await migrate(engine, settings)
        except BaseException:
            await engine.dispose()  # refusing to start: its connection is closed, not leaked
            raise
        hub = Hub(
            backlog_limit=settings.max_socket_backlog,
            close_timeout=settings.evict_close_timeout,
        )
        broker = MemoryBroker(hub.on_payload)
        hub.broker = broker
        await broker.connect()
        app.state.chat = ChatState(
            settings=settings,
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            hub=hub,
            broker=broker,
            tickets=TicketStore(settings.ticket_seconds),
            limiter=RateLimiter(settings.rate_limit_messages, settings.rate_limit_window_seconds),
            typing_limiter=RateLimiter(1, 1.0),
        )
        try:
            yield
        finally:
            await hub.close_all()
            await broker.disconnect()
            await engine.dispose()

    app = FastAPI(
        title="Chat",
        summary="A WebSocket chat: rooms, ordered delivery with catch-up, uploads.",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(UploadLimitMiddleware, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(RequestContextMiddleware)
    for module in (auth, users, rooms, attachments, health, socket, pages):
        app.include_router(module.router)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
