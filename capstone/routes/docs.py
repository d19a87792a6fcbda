"""The API's interactive docs, /docs (Swagger UI) and /redoc, working without internet.

FastAPI's built-in pages load Swagger UI and ReDoc from a CDN; these load the same files from
this server (they ship in the `fastapi-offline` package, mounted at `ASSETS`). The pages carry
the app's CSP with three openings: their one inline script, allowed by its hash, the inline
styles both UIs set as they render, and ReDoc's search worker, which it starts from a blob.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)

router = APIRouter(include_in_schema=False)


def assets() -> StaticFiles:
    return StaticFiles(packages=[("fastapi_offline", "static")])


def with_page_csp(request: Request, page: HTMLResponse) -> HTMLResponse:
    csp: str = request.app.state.security_headers["Content-Security-Policy"]
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(bytes(page.body))
    )
    csp = csp.replace("script-src 'self'", f"script-src 'self'{hashes}", 1)
    csp = csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", 1)
    page.headers["Content-Security-Policy"] = f"{csp}; worker-src 'self' blob:"
    return page


def root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    app, prefix = request.app, root(request)
    page = get_swagger_ui_html(
        openapi_url=prefix + app.openapi_url,
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{prefix}{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{prefix}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{prefix}{ASSETS}/favicon.png",
        oauth2_redirect_url=prefix + OAUTH2_REDIRECT,
        swagger_ui_parameters=app.swagger_ui_parameters,
    )
    return with_page_csp(request, page)


@router.get(OAUTH2_REDIRECT)
async def swagger_ui_oauth2_redirect(request: Request) -> HTMLResponse:
    return with_page_csp(request, get_swagger_ui_oauth2_redirect_html())


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    app, prefix = request.app, root(request)
    page = get_redoc_html(
        openapi_url=prefix + app.openapi_url,
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{prefix}{ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{prefix}{ASSETS}/favicon.png",
        with_google_fonts=False,
    )
    return with_page_csp(request, page)
