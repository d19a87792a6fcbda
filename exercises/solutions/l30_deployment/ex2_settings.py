"""Exercise 30.2 — Settings from the environment

The environment's name is written in the code, so the same code cannot say "production" on the
server and "development" on a laptop.

Your task: make `Settings` a `BaseSettings` (from `pydantic_settings`) with
`model_config = SettingsConfigDict(env_prefix="CHAT_")`, and `environment` a
`Literal["development", "production"]` defaulting to "development", so that `CHAT_ENVIRONMENT`
sets it and a misspelt value is refused. `get_settings` already reads it afresh for each request.

Check: uv run python -m lessons check 30
"""

from typing import Annotated, Literal

from fastapi import Depends, FastAPI
from pydantic_settings import BaseSettings, SettingsConfigDict

app = FastAPI(title="Exercise 30.2 — Settings from the environment")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAT_")

    environment: Literal["development", "production"] = "development"


def get_settings() -> Settings:
    return Settings()


@app.get("/healthz")
def liveness(settings: Annotated[Settings, Depends(get_settings)]) -> dict[str, str]:
    return {"status": "ok", "environment": settings.environment}
