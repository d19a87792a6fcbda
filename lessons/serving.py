"""How the lessons are served: the course home and ``python -m lessons run NN`` both use this.

- `LocalDocs` wraps a lesson's app so that its ``/docs`` and ``/redoc`` load Swagger UI and ReDoc
  from this machine (the files ship in the ``fastapi-offline`` package). FastAPI's own pages
  load them from a CDN and stay blank without internet. The lesson modules themselves stay as a
  learner would write them.
- `Hosted` runs a lesson under a path of another server (``/lessons/NN/`` of the course home) the
  way a proxy with a root path would: the lesson's own router builds its ``url_for`` addresses.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from lessons import find

ASSETS = "/docs-assets"


def load(module: str) -> FastAPI:
    return importlib.import_module(module).app


def route_path(scope: Scope) -> str:
    """The request's path inside the app it reached, without the path it is mounted under."""
    path, root = scope["path"], scope.get("root_path", "").rstrip("/")
    if root and path.startswith(root + "/"):
        return path[len(root) :]
    return path


class LocalDocs:
    """`app`'s /docs and /redoc, with their scripts and styles served from `ASSETS`."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.assets = StaticFiles(packages=[("fastapi_offline", "static")])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.app.openapi_url:
            path = route_path(scope)
            root = scope.get("root_path", "").rstrip("/")
            if path.startswith(ASSETS + "/"):
                await self.assets({**scope, "root_path": root + ASSETS}, receive, send)
                return
            if path in (self.app.docs_url, self.app.redoc_url):
                await self.page(path, root)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def page(self, path: str, root: str) -> ASGIApp:
        app = self.app
        openapi_url = root + str(app.openapi_url)
        if path == app.docs_url:
            redirect = app.swagger_ui_oauth2_redirect_url
            return get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
                oauth2_redirect_url=root + redirect if redirect else None,
                init_oauth=app.swagger_ui_init_oauth,
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
            with_google_fonts=False,
        )


class Hosted:
    """A lesson mounted under a path of the course home, seen by the lesson as its root path.

    Starlette hands a mounted app the home's router and the home's root; the lesson's
    ``url_for("static", ...)`` would then look its route names up in the home. Here the lesson
    gets its own: its router resolves the name, and the mount path prefixes the address.
    The lesson also gets the state its own lifespan yielded, as a server would pass it.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.served = LocalDocs(app)
        self.state: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "state": self.state.copy(), "app_root_path": scope["root_path"]}
            scope.pop("router", None)
        await self.served(scope, receive, send)


LESSON_ENV = "LESSON"


def one_lesson() -> LocalDocs:
    """The app ``python -m lessons run NN`` serves (uvicorn's factory: the number in $LESSON)."""
    return LocalDocs(load(find(os.environ[LESSON_ENV]).module))
