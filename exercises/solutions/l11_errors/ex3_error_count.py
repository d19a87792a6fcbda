"""Exercise 11.3 — Count the errors, keep the answer: a reference solution."""

from typing import Annotated

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 11.3 — Count the errors, keep the answer")


class NewMessage(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    reply_to: int | None = None


@app.exception_handler(RequestValidationError)
async def count_validation_errors(request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI's own handler builds the usual {"detail": [...]} 422; we only add to it.
    response = await request_validation_exception_handler(request, exc)
    response.headers["X-Error-Count"] = str(len(exc.errors()))
    return response


@app.post("/rooms/{name}/messages", status_code=201)
def post_message(name: str, message: NewMessage) -> dict[str, str]:
    return {"room": name, "text": message.text}
