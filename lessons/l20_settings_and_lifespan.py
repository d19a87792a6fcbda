"""Lesson 20 — Settings and lifespan

The chat's configuration read by pydantic-settings from the environment and an optional `.env`
file, served through a cached `get_settings` dependency that tests replace with
`dependency_overrides`; and a `lifespan` that opens a shared resource (an audit log) at start-up,
hands it to every request through the lifespan state, and closes it at shutdown.

Run:  uvicorn lessons.l20_settings_and_lifespan:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l20_settings_and_lifespan.py
"""

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, TextIO, TypedDict

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


# --8<-- [start:settings]
class Settings(BaseSettings):
    # CHAT_APP_NAME=... in the environment (or the .env file) sets app_name, and so on.
    model_config = SettingsConfigDict(env_prefix="CHAT_")

    app_name: str = "Lesson 20 chat"
    max_message_length: Annotated[int, Field(gt=0)] = 500
    admin_email: str = "admin@example.com"
    audit_log: Path = Path(tempfile.gettempdir()) / "fastapi-chat-course" / "l20-audit.log"


def load_settings() -> Settings:
    # The .env file is read only where CHAT_ENV_FILE points: never whatever .env happens to sit
    # in the current directory (a test run, a notebook, another project's folder).
    return Settings(_env_file=os.environ.get("CHAT_ENV_FILE"))


@lru_cache
def get_settings() -> Settings:
    return load_settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]
# --8<-- [end:settings]


# --8<-- [start:lifespan]
class State(TypedDict):
    audit: TextIO
    started_at: datetime


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    # Depends() does not run here (this is not a request), so honour an override by hand.
    settings = app.dependency_overrides.get(get_settings, get_settings)()
    settings.audit_log.parent.mkdir(parents=True, exist_ok=True)
    with settings.audit_log.open("a", encoding="utf-8") as audit:
        # Each request sees these keys as request.state.audit and request.state.started_at.
        yield {"audit": audit, "started_at": datetime.now(UTC)}
    # Leaving the `with` closed the file: this line runs at shutdown.


app = FastAPI(
    title="Lesson 20 — Settings and lifespan",
    description="Configuration from the environment, and a resource that lives as long as the app.",
    lifespan=lifespan,
)
# --8<-- [end:lifespan]


# --8<-- [start:endpoints]
class PublicSettings(BaseModel):
    app_name: str
    max_message_length: int
    admin_email: str


@app.get("/settings")
def read_settings(settings: SettingsDep) -> PublicSettings:
    # Never return the Settings object itself: it may hold secrets one day.
    return PublicSettings.model_validate(settings.model_dump())


class NewMessage(BaseModel):
    author: Annotated[str, Field(min_length=1, max_length=40)]
    text: str


@app.post("/messages", status_code=201)
def post_message(message: NewMessage, settings: SettingsDep, request: Request) -> dict[str, str]:
    if len(message.text) > settings.max_message_length:
        raise HTTPException(
            status_code=422,
            detail=f"Message longer than {settings.max_message_length} characters",
        )
    request.state.audit.write(f"{message.author}: {message.text}\n")
    request.state.audit.flush()
    return {"status": "logged", "app": settings.app_name}


@app.get("/status")
def status(request: Request) -> dict[str, str | bool]:
    return {
        "started_at": request.state.started_at.isoformat(),
        "audit_open": not request.state.audit.closed,
    }


# --8<-- [end:endpoints]
