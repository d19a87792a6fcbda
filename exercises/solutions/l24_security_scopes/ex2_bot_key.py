"""Exercise 24.2 — Check the bot's key

The announcement bot sends its key in the `X-Bot-Key` header, and `APIKeyHeader` refuses a
request without one. But any key at all is accepted: nothing compares it with the real one.

Your task: in `require_bot`, compare the key with `BOT_KEY` using `secrets.compare_digest` (on
bytes: `key.encode()`), and refuse a wrong key with 401, the detail "Unknown bot key" and the
header `WWW-Authenticate: APIKey` (import `secrets`, and `HTTPException` from `fastapi`).

Check: uv run python -m lessons check 24
"""

import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 24.2 — Check the bot's key")

BOT_KEY = "beep-boop-key"  # in a real server: a setting from the environment
bot_key = APIKeyHeader(name="X-Bot-Key")
ANNOUNCEMENTS: list[str] = []


class Announcement(BaseModel):
    text: str = Field(min_length=1, max_length=500)


def require_bot(key: Annotated[str, Security(bot_key)]) -> None:
    if not secrets.compare_digest(key.encode(), BOT_KEY.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Unknown bot key", {"WWW-Authenticate": "APIKey"}
        )


@app.post(
    "/bot/announcements", status_code=status.HTTP_201_CREATED, dependencies=[Depends(require_bot)]
)
def announce(body: Announcement) -> dict[str, str]:
    ANNOUNCEMENTS.append(body.text)
    return {"posted": body.text}
