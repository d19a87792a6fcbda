"""The app of lesson 30: a small chat API with the parts a deployment needs."""

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Response, status
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


# --8<-- [start:settings]
class Settings(BaseSettings):
    # Everything that differs between a laptop and a server comes from the environment (or a
    # .env file beside the app), never from the code: the same image runs everywhere.
    model_config = SettingsConfigDict(env_prefix="CHAT_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("var/l30")
    # The load balancer stops sending requests while this file exists: a way to drain a
    # server before stopping it, without stopping it yet.
    maintenance_file: str = "maintenance"


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]
# --8<-- [end:settings]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.state.started = time.monotonic()
    yield


app = FastAPI(
    title="Lesson 30 — Deployment",
    description="Health checks, settings from the environment, and the files that run it.",
    lifespan=lifespan,
)


class Message(BaseModel):
    author: str = Field(min_length=1, max_length=30)
    text: str = Field(min_length=1, max_length=500)


MESSAGES: list[Message] = [Message(author="alice", text="Deployed!")]


@app.get("/rooms/general/messages")
def read_messages() -> list[Message]:
    return MESSAGES


# --8<-- [start:health]
class Health(BaseModel):
    status: Literal["ok", "draining", "failing"]
    pid: int
    uptime_s: float
    environment: str


@app.get("/healthz", tags=["operations"])
def liveness(settings: SettingsDep) -> Health:
    # Liveness: is this process able to answer at all? Cheap, and touching nothing else: a
    # process manager that gets no answer here restarts the process.
    return Health(status="ok", pid=os.getpid(), uptime_s=uptime(), environment=settings.environment)


@app.get("/readyz", tags=["operations"], responses={503: {"model": Health}})
def readiness(settings: SettingsDep, response: Response) -> Health:
    # Readiness: should requests be sent here now? It checks what requests need (here, that the
    # data folder is writable) and says no while the server is being drained.
    state: Literal["ok", "draining", "failing"] = "ok"
    if (settings.data_dir / settings.maintenance_file).exists():
        state = "draining"
    elif not os.access(settings.data_dir, os.W_OK):
        state = "failing"
    if state != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(
        status=state, pid=os.getpid(), uptime_s=uptime(), environment=settings.environment
    )


def uptime() -> float:
    return round(time.monotonic() - app.state.started, 1)


# --8<-- [end:health]


# --8<-- [start:frontend]
# A page built by a frontend tool (here a hand-written stand-in), served by the same process as
# the API. Routes are tried first; then files from the folder; then, for a browser asking for a
# page that is no file (the page routes /rooms/general itself), index.html.
app.frontend("/", directory=Path(__file__).parent / "frontend")
# --8<-- [end:frontend]


# --8<-- [start:debug]
if __name__ == "__main__":
    # `python -m lessons.l30_deployment.main`: the app runs inside this Python process, so a
    # debugger started with it (an editor's "Run and Debug", or `python -m pdb`) stops at
    # breakpoints in the endpoints. Never the way to run it in production.
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)
# --8<-- [end:debug]
