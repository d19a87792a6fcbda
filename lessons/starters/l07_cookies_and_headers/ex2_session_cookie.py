"""Exercise 07.2 — Hand out the session cookie

`POST /login/{username}` should hand the user a cookie `session_id` with the value
`session-of-{username}`, which `GET /session` then reads. Scripts in the page must not read it
(`HttpOnly`), and other sites must not send it along with their own requests (`SameSite=Lax`).
Today the login answers but sets no cookie, so `GET /session` answers 422: the cookie is missing.

Your task: set that cookie on the login's response.

Check: uv run python -m lessons check 07
"""

from typing import Annotated

from fastapi import Cookie, FastAPI, Response

app = FastAPI(title="Exercise 07.2 — Hand out the session cookie")


@app.post("/login/{username}")
def log_in(username: str, response: Response) -> dict[str, str]:
    # TODO(exercise): set the cookie `session_id` on `response`, HttpOnly and SameSite=Lax.
    return {"logged_in": username}


@app.get("/session")
def read_session(session_id: Annotated[str, Cookie()]) -> dict[str, str]:
    return {"session_id": session_id}
