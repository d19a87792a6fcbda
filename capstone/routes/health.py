"""Liveness and readiness, for a load balancer or an orchestrator."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import text

from capstone.routes.deps import ChatDep
from capstone.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up and answering."""
    # `async` though nothing is awaited: answered on the event loop itself, a probe never waits
    # for a thread of the pool that sync endpoints and file responses share (a flood may fill it).
    return Health(status="ok")


@router.get("/readyz", responses={503: {"model": Readiness}})
async def readyz(chat: ChatDep, response: Response) -> Readiness:
    """The database and the broker (Redis, when configured) are reachable: send traffic here."""
    try:
        async with chat.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
        database_ok = True
    except Exception:
        database_ok = False
    broker_ok = await chat.broker.ping()
    if not (database_ok and broker_ok):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Readiness(
        status="ready" if database_ok and broker_ok else "unavailable",
        database="ok" if database_ok else "unavailable",
        broker="redis" if chat.broker.lossy else "memory",
        broker_status="ok" if broker_ok else "unavailable",
    )
