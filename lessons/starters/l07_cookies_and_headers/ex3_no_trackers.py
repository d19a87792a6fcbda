"""Exercise 07.3 — Only our own cookies

`GET /session` reads the chat's cookies into a model, `SessionCookies`. A request that carries
a cookie the chat never set, such as a tracker's `_tracker=x1`, should be refused with 422, naming
the cookie. Today the model ignores unknown cookies, so that request is answered 200.

Your task: make `SessionCookies` refuse any cookie it does not name.

Check: uv run python -m lessons check 07
"""

from typing import Annotated, Literal

from fastapi import Cookie, FastAPI
from pydantic import BaseModel

app = FastAPI(title="Exercise 07.3 — Only our own cookies")


class SessionCookies(BaseModel):
    # TODO(exercise): a `model_config` that forbids extra cookies (from pydantic import ConfigDict).

    session_id: str
    theme: Literal["light", "dark"] = "light"


@app.get("/session")
def read_session(cookies: Annotated[SessionCookies, Cookie()]) -> SessionCookies:
    return cookies
