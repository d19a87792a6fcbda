"""Exercise 16.2 — Every request leaves a line

Two endpoints should each leave a line in the access log after they answer, and the same
dependency, `log_after`, is declared on both, but it writes nothing.

Your task: give `log_after` a `background_tasks: BackgroundTasks` parameter and queue
`write_line` with the line `f"{request.method} {request.url.path}"`. Tasks queued by a dependency
run after the response, like those queued by the endpoint.

Check: uv run python -m lessons check 16
"""

from typing import Annotated

from fastapi import Depends, FastAPI, Request

app = FastAPI(title="Exercise 16.2 — Every request leaves a line")

LOG: list[str] = []


def write_line(line: str) -> None:
    LOG.append(line)


def log_after(request: Request) -> None:
    # TODO(exercise): queue write_line(f"{request.method} {request.url.path}") to run afterwards.
    return


Logged = Annotated[None, Depends(log_after)]


@app.get("/rooms")
def list_rooms(_: Logged) -> list[str]:
    return ["general"]


@app.post("/rooms/{room}/join")
def join(room: str, _: Logged) -> dict[str, str]:
    return {"joined": room}


@app.get("/log")
def read_log() -> list[str]:
    return LOG
