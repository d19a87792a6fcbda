"""Error responses: always JSON `{"detail": ...}`, never a stack trace to the client."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

log = logging.getLogger("capstone.errors")

# A 422 repeats what was sent as `input`; for these fields that would be a secret, sent back
# where proxies and browser tools keep it.
SECRET_FIELDS = frozenset({"password"})


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    # The trace goes to the log with the request id; the client gets the id to quote, nothing else.
    request_id = request.scope.get("state", {}).get("request_id", "")
    log.error("unhandled error (request %s)", request_id, exc_info=exc)
    # Answered from ServerErrorMiddleware, outside RequestContextMiddleware: its headers go here.
    security: dict[str, str] = request.app.state.security_headers
    headers = {**security, **({"X-Request-ID": request_id} if request_id else {})}
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500, headers=headers)


def _mentions_secret(error: dict[str, Any]) -> bool:
    if SECRET_FIELDS & {str(part) for part in error.get("loc", ())}:
        return True
    value = error.get("input")
    return isinstance(value, dict) and bool(SECRET_FIELDS & set(value))


def _readable(raw: bytes) -> str:
    """Bytes as text for a 422: UTF-8 where they are, `\\xff` escapes where they are not."""
    return raw.decode("utf-8", "backslashreplace")


async def validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 body, less any secret it would echo back."""
    assert isinstance(exc, RequestValidationError)
    errors = []
    # A body that could not be parsed comes back as its raw bytes, which need not be UTF-8.
    for error in jsonable_encoder(exc.errors(), custom_encoder={bytes: _readable}):
        if _mentions_secret(error):
            error.pop("input", None)
        errors.append(error)
    # ensure_ascii: a lone surrogate in the input is escaped, not an encoding error (a 500).
    body = json.dumps({"detail": errors}, ensure_ascii=True, separators=(",", ":"))
    return Response(body, status_code=422, media_type="application/json")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, server_error)
