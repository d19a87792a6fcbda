"""Lesson 28 — Sub-applications, proxies and WSGI

One server, three applications: the chat's API, an admin sub-application mounted under `/admin`
with its own OpenAPI document and docs, and an old WSGI status page under `/legacy`, wrapped by
`a2wsgi`. Then the whole of it behind a reverse proxy that serves it under `/chat`: `root_path`
tells the app the prefix the proxy strips, and `--proxy-headers` lets it trust `X-Forwarded-For`
and `X-Forwarded-Proto` from that proxy alone. `/where` shows what the app sees of each request.

Run:  uvicorn lessons.l28_sub_applications_and_proxies:app --reload
Behind a proxy that strips /chat:
      uvicorn lessons.l28_sub_applications_and_proxies:app --root-path /chat \\
          --proxy-headers --forwarded-allow-ips 127.0.0.1
Test: pytest tests/lessons/test_l28_sub_applications_and_proxies.py
"""

from collections.abc import Callable, Iterable
from typing import Any

from a2wsgi import WSGIMiddleware
from fastapi import FastAPI, Request
from pydantic import BaseModel

app = FastAPI(
    title="Lesson 28 — Sub-applications, proxies and WSGI",
    description="The chat's API; the admin app is under /admin, its docs at /admin/docs.",
)
ROOMS = {"general": ["alice: Welcome!", "bob: hi"], "random": []}


@app.get("/rooms")
def list_rooms() -> list[str]:
    return sorted(ROOMS)


# --8<-- [start:where]
class Seen(BaseModel):
    root_path: str
    url: str
    scheme: str
    client: str | None
    docs: str


@app.get("/where")
def where(request: Request) -> Seen:
    # What the app knows of this request: behind a proxy, each of these depends on the proxy
    # passing the truth on and on the server being told to believe it.
    return Seen(
        root_path=request.scope.get("root_path", ""),
        url=str(request.url),
        scheme=request.url.scheme,
        client=request.client.host if request.client else None,
        docs=str(request.url_for("swagger_ui_html")),
    )


# --8<-- [end:where]


# --8<-- [start:admin]
# A FastAPI app of its own: its routes, its OpenAPI document and its docs pages, all under
# the path it is mounted at. The main app's /docs knows nothing of it.
admin = FastAPI(title="Chat admin", description="For the people who run the chat.")


@admin.get("/stats")
def stats() -> dict[str, int]:
    return {"rooms": len(ROOMS), "messages": sum(len(m) for m in ROOMS.values())}


@admin.delete("/rooms/{room}/messages", status_code=204)
def clear_room(room: str) -> None:
    ROOMS.get(room, []).clear()


app.mount("/admin", admin)
# --8<-- [end:admin]


# --8<-- [start:wsgi]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def legacy_status(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """A status page from before the chat had an API: a plain WSGI application, the kind Flask
    and Django are made of. WSGI is synchronous, so a2wsgi runs it on a thread."""
    where = environ["SCRIPT_NAME"] + environ["PATH_INFO"]
    body = f"OK: {len(ROOMS)} rooms\nserved at {where}\n".encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [body]


app.mount("/legacy", WSGIMiddleware(legacy_status))  # type: ignore[arg-type]
# --8<-- [end:wsgi]
