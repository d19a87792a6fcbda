"""Liveness and readiness, for a load balancer or an orchestrator."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import text

from capstone.routes.deps import ChatDep
from capstone.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> Health:
    """The process is up and answering."""
    return Health(status="ok")


@router.get("/readyz", responses={503: {"model": Health}})
async def readyz(chat: ChatDep, response: Response) -> Health:
    """The database and the broker are reachable: send traffic here."""
    try:
        async with chat.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
        broker_ok = await chat.broker.ping()
    except Exception:
        broker_ok = False
    if not broker_ok:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="unavailable")
    return Health(status="ready")
