"""Exercise 07.2 — Hand out the session cookie: a reference solution."""

from typing import Annotated

from fastapi import Cookie, FastAPI, Response

app = FastAPI(title="Exercise 07.2 — Hand out the session cookie")


@app.post("/login/{username}")
def log_in(username: str, response: Response) -> dict[str, str]:
    # The cookies set on this `response` are copied onto the one FastAPI sends.
    response.set_cookie("session_id", f"session-of-{username}", httponly=True, samesite="lax")
    return {"logged_in": username}


@app.get("/session")
def read_session(session_id: Annotated[str, Cookie()]) -> dict[str, str]:
    return {"session_id": session_id}
