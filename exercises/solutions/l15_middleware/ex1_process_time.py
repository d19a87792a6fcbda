"""Exercise 15.1 — How long each request took

Every answer should say how long the server took to make it, in the header `X-Process-Time`
(seconds, as a decimal number), whatever the endpoint. The middleware is there, but only passes
requests on.

Your task: in `add_process_time`, read `time.perf_counter()` (`import time`) before and after
`await call_next(request)`, and set `response.headers["X-Process-Time"]` to the difference, as a
string (for example `f"{elapsed:.6f}"`).

Check: uv run python -m lessons check 15
"""

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, HTTPException, Request, Response

app = FastAPI(title="Exercise 15.1 — How long each request took")


@app.middleware("http")
async def add_process_time(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Process-Time"] = f"{time.perf_counter() - started:.6f}"
    return response


@app.get("/rooms")
def list_rooms() -> list[str]:
    return ["general"]


@app.get("/rooms/{room}")
def read_room(room: str) -> dict[str, str]:
    if room != "general":
        raise HTTPException(status_code=404, detail="Room not found")
    return {"name": room}
