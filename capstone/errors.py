"""Error responses: always JSON `{"detail": ...}`, never a stack trace to the client."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

log = logging.getLogger("capstone.errors")


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    # The trace goes to the log with the request id; the client gets the id to quote, nothing else.
    request_id = request.scope.get("state", {}).get("request_id", "")
    log.error("unhandled error (request %s)", request_id, exc_info=exc)
    headers = {"X-Request-ID": request_id} if request_id else None
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Exception, server_error)
