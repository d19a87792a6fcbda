"""Exercise 20.2 — A resource for every request

The app counts the messages posted since it started, in a counter its `lifespan` should make at
start-up and hand to every request. The lifespan runs, but yields nothing, so the endpoint finds
no counter.

Your task: make the lifespan `yield {"counter": Counter()}`. What a lifespan yields is the
lifespan state: each request sees it as `request.state`, so the endpoint's
`request.state.counter` then works, and each start of the app begins at zero.

Check: uv run python -m lessons check 20
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request


class Counter:
    def __init__(self) -> None:
        self.value = 0


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    # TODO(exercise): yield {"counter": Counter()}
    yield {}


app = FastAPI(title="Exercise 20.2 — A resource for every request", lifespan=lifespan)


@app.post("/messages", status_code=201)
def post_message(request: Request) -> dict[str, int]:
    counter: Counter = request.state.counter
    counter.value += 1
    return {"posted": counter.value}
