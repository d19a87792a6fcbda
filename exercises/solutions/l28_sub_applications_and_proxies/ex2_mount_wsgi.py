"""Exercise 28.2 — Mount the WSGI page

`legacy_status` is a plain WSGI application, a status page from before the chat had an API. The
ASGI server cannot call it as it is.

Your task: wrap it in `WSGIMiddleware` from the `a2wsgi` package and mount it under `/legacy`, so
that `GET /legacy/status` answers its text.

Check: uv run python -m lessons check 28
"""

from collections.abc import Callable, Iterable
from typing import Any

from a2wsgi import WSGIMiddleware
from fastapi import FastAPI

app = FastAPI(title="Exercise 28.2 — Mount the WSGI page")


def legacy_status(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    body = f"OK\nserved at {environ['SCRIPT_NAME']}{environ['PATH_INFO']}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


@app.get("/rooms")
def list_rooms() -> list[str]:
    return ["general"]


app.mount("/legacy", WSGIMiddleware(legacy_status))  # type: ignore[arg-type]
