"""Lesson 27 — The OpenAPI document and the docs pages

What the OpenAPI document says about an app, and how to say more: the app's metadata (summary,
contact, license, servers) and a description for each tag; operation ids that read well in a
generated client (`generate_unique_id_function`); `openapi_extra` for a body FastAPI does not
parse itself; webhooks (what the chat sends to subscribers when a message is posted) and a
callback (what it sends back when an export is ready). And /docs and /redoc served with their
JavaScript and CSS from this machine, so they work with no internet.

Run:  uvicorn lessons.l27_openapi_and_docs:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l27_openapi_and_docs.py
"""

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, status
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import AnyHttpUrl, BaseModel, Field


# --8<-- [start:metadata]
def operation_id(route: APIRoute) -> str:
    # "rooms-list_rooms" rather than "list_rooms_rooms_get": a generated client names its
    # functions after these ids, and groups them by the tag in front.
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


TAGS: list[dict[str, Any]] = [
    {"name": "rooms", "description": "The chat's rooms and their messages."},
    {
        "name": "exports",
        "description": "A room's history, prepared in the background and announced by a callback.",
        "externalDocs": {"description": "The export format", "url": "https://jsonlines.org/"},
    },
]

app = FastAPI(
    title="Lesson 27 — The OpenAPI document and the docs pages",
    summary="A chat's rooms, messages and exports.",
    description="Everything here is in **`/openapi.json`**; `/docs` and `/redoc` draw it.",
    version="1.4.0",
    contact={"name": "The chat's maintainers", "url": "https://example.org/chat"},
    license_info={"name": "MIT", "identifier": "MIT"},
    servers=[{"url": "http://127.0.0.1:8200", "description": "The lesson on this machine"}],
    openapi_tags=TAGS,
    generate_unique_id_function=operation_id,
    # The built-in pages load Swagger UI and ReDoc from a CDN; ours are below.
    docs_url=None,
    redoc_url=None,
)
# --8<-- [end:metadata]


class Message(BaseModel):
    id: int
    author: str
    text: str


MESSAGES = {"general": [Message(id=1, author="alice", text="Welcome!")]}


@app.get("/rooms", tags=["rooms"])
def list_rooms() -> list[str]:
    return sorted(MESSAGES)


@app.get("/rooms/{room}/messages", tags=["rooms"])
def list_messages(room: str) -> list[Message]:
    if room not in MESSAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No room named {room!r}")
    return MESSAGES[room]


# --8<-- [start:openapi_extra]
# The body is read by hand (one message per line of plain text), so FastAPI cannot describe it;
# `openapi_extra` is merged into the operation as it is written.
@app.post(
    "/rooms/{room}/import",
    tags=["rooms"],
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "One message per line, `author: text`.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
async def import_messages(room: str, request: Request) -> list[Message]:
    lines = (await request.body()).decode("utf-8", errors="replace").splitlines()
    messages = MESSAGES.get(room, [])
    added: list[Message] = []
    for line in filter(None, lines):
        author, sep, text = line.partition(": ")
        if not sep or not author or not text:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, f"Not `author: text`: {line!r}"
            )
        added.append(Message(id=len(messages) + len(added) + 1, author=author, text=text))
    MESSAGES[room] = messages + added  # all the lines, or none of them
    return added


# --8<-- [end:openapi_extra]


# --8<-- [start:webhooks]
class MessagePosted(BaseModel):
    room: str
    message: Message


@app.webhooks.post("message-posted")
def message_posted(body: MessagePosted) -> None:
    """Sent to every subscriber's URL when a message is posted in a room they follow.

    Nothing here is a route of this app: it documents a request the chat *sends*.
    """


class ExportReady(BaseModel):
    room: str
    url: AnyHttpUrl
    messages: int


exports_callbacks = APIRouter()


@exports_callbacks.post("{$request.query.callback_url}")
def export_ready(body: ExportReady) -> None:
    """The chat calls this on the client's `callback_url` once the export is ready."""


class ExportAccepted(BaseModel):
    room: str
    status: str = Field(examples=["preparing"])


@app.post(
    "/rooms/{room}/exports",
    tags=["exports"],
    status_code=status.HTTP_202_ACCEPTED,
    callbacks=exports_callbacks.routes,
)
def start_export(room: str, callback_url: Annotated[AnyHttpUrl, Query()]) -> ExportAccepted:
    if room not in MESSAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No room named {room!r}")
    # A real chat would queue the export here and, when done, POST an ExportReady to
    # callback_url; this lesson is about how that promise is written down.
    return ExportAccepted(room=room, status="preparing")


# --8<-- [end:webhooks]


# --8<-- [start:docs_pages]
# Swagger UI's and ReDoc's files, shipped in the fastapi-offline package and served from here.
app.mount("/docs-assets", StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")


# The pages name their files by path. Mounted under a prefix (a proxy, or the course's home
# page), the app is told it in `root_path`, and the paths must carry it too.
def here(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@app.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> HTMLResponse:
    root = here(request)
    return get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{root}/docs-assets/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs-assets/swagger-ui.css",
        swagger_favicon_url=f"{root}/docs-assets/favicon.png",
        oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
    )


@app.get("/docs/oauth2-redirect", include_in_schema=False)
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@app.get("/redoc", include_in_schema=False)
def redoc(request: Request) -> HTMLResponse:
    root = here(request)
    return get_redoc_html(
        openapi_url=f"{root}/openapi.json",
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{root}/docs-assets/redoc.standalone.js",
        redoc_favicon_url=f"{root}/docs-assets/favicon.png",
        with_google_fonts=False,  # fonts from Google would be a request to the internet too
    )


# --8<-- [end:docs_pages]
