"""Lesson 07 — Cookies and headers

Reading what a client sends beside the URL and the body: `Header()` parameters (a `user_agent`
parameter reads the `User-Agent` header, `convert_underscores=False` keeps an underscore, a list
collects a repeated header), `Cookie()` parameters, and cookie and header parameter models whose
`extra="forbid"` turns an unknown cookie or header into a 422.

Run:  uvicorn lessons.l07_cookies_and_headers:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l07_cookies_and_headers.py
"""

from typing import Annotated, Literal

from fastapi import Cookie, FastAPI, Header, Response
from pydantic import BaseModel, ConfigDict

app = FastAPI(
    title="Lesson 07 — Cookies and headers",
    description="Who is calling, what they prefer, and which session they hold.",
)


# --8<-- [start:headers]
@app.get("/client")
def read_client(
    user_agent: Annotated[str | None, Header()] = None,
    x_client_version: Annotated[str | None, Header()] = None,
) -> dict[str, str | None]:
    # Python names cannot hold "-", so `user_agent` reads `User-Agent` and
    # `x_client_version` reads `X-Client-Version` (header names ignore case).
    return {"user_agent": user_agent, "client_version": x_client_version}


@app.get("/legacy/room")
def read_legacy_room(
    room_token: Annotated[str | None, Header(convert_underscores=False)] = None,
) -> dict[str, str | None]:
    # An old client sends a header literally named `room_token`. Many proxies
    # (nginx by default) drop such headers, one reason the convention is hyphens.
    return {"room_token": room_token}


@app.get("/feed")
def read_feed(x_room: Annotated[list[str] | None, Header()] = None) -> dict[str, list[str]]:
    # `X-Room: general` sent twice arrives as ["general", "general"]; a comma-joined
    # `X-Room: general, help` is one value, left as the client wrote it.
    return {"rooms": x_room or []}


# --8<-- [end:headers]


# --8<-- [start:cookies]
@app.post("/login/{username}")
def log_in(username: str, response: Response) -> dict[str, str]:
    # A real login checks a password (lesson 14); here we only hand out the cookies.
    response.set_cookie("session_id", f"session-of-{username}", httponly=True, samesite="lax")
    response.set_cookie("theme", "dark")
    return {"logged_in": username}


@app.get("/theme")
def read_theme(theme: Annotated[str | None, Cookie()] = None) -> dict[str, str]:
    return {"theme": theme or "light"}


class SessionCookies(BaseModel):
    # Only our own cookies are welcome; another one (a tracker) is a 422.
    model_config = ConfigDict(extra="forbid")

    session_id: str
    theme: Literal["light", "dark"] = "light"


@app.get("/session")
def read_session(cookies: Annotated[SessionCookies, Cookie()]) -> SessionCookies:
    return cookies


# --8<-- [end:cookies]


# --8<-- [start:header_model]
class BotHeaders(BaseModel):
    # `extra="forbid"` on headers is strict: every HTTP client adds its own (Host,
    # User-Agent, Accept, ...), so the model must name them all. That suits a known
    # client such as a bot; a browser sends a dozen headers nobody lists here.
    model_config = ConfigDict(extra="forbid")

    host: str
    user_agent: str
    x_bot_token: str
    x_room: list[str] = []
    accept: str | None = None
    accept_encoding: str | None = None
    connection: str | None = None


@app.get("/bot/inbox")
def read_bot_inbox(headers: Annotated[BotHeaders, Header()]) -> dict[str, str | list[str]]:
    return {"bot": headers.user_agent, "rooms": headers.x_room}


# --8<-- [end:header_model]
