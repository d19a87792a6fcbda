"""Exercise 20.1 — The limit is a setting

The longest message allowed is written into the endpoint as 500. An operator who wants 1000
must change the code.

Your task: add `max_message_length: int = Field(default=500, gt=0)` to `Settings`, and in the
endpoint refuse a longer text with `HTTPException(422, "Message too long: at most N characters")`
(N the setting) instead of the fixed 500. `CHAT_MAX_MESSAGE_LENGTH=1000` then raises the limit,
and `CHAT_MAX_MESSAGE_LENGTH=0` is refused.

Check: uv run python -m lessons check 20
"""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

app = FastAPI(title="Exercise 20.1 — The limit is a setting")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAT_")

    app_name: str = "Chat"
    max_message_length: int = Field(default=500, gt=0)


def get_settings() -> Settings:
    return Settings()


class NewMessage(BaseModel):
    text: str


@app.post("/messages", status_code=201)
def post_message(
    new: NewMessage, settings: Annotated[Settings, Depends(get_settings)]
) -> dict[str, int]:
    limit = settings.max_message_length
    if len(new.text) > limit:
        raise HTTPException(422, f"Message too long: at most {limit} characters")
    return {"length": len(new.text)}
