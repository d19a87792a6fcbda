"""Exercise 07.3 — Only our own cookies: a reference solution."""

from typing import Annotated, Literal

from fastapi import Cookie, FastAPI
from pydantic import BaseModel, ConfigDict

app = FastAPI(title="Exercise 07.3 — Only our own cookies")


class SessionCookies(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str
    theme: Literal["light", "dark"] = "light"


@app.get("/session")
def read_session(cookies: Annotated[SessionCookies, Cookie()]) -> SessionCookies:
    return cookies
