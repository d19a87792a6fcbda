"""Exercise 15.2 — Let the chat page call the API

The chat's page is served by a development server at `http://localhost:5173`, and the API here,
on another port, is another origin: the browser refuses the page's requests unless the API says,
with CORS headers, that this origin may call it.

Your task: add `CORSMiddleware` (from `fastapi.middleware.cors`) with
`allow_origins=["http://localhost:5173"]`, `allow_methods=["GET", "POST"]` and
`allow_headers=["Content-Type"]`. Any other origin stays refused.

Check: uv run python -m lessons check 15
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

app = FastAPI(title="Exercise 15.2 — Let the chat page call the API")

app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:5173"],
    allow_methods=["GET", "POST"],
    allow_headers=["Content-Type"],
)


class NewMessage(BaseModel):
    text: str


@app.get("/rooms")
def list_rooms() -> list[str]:
    return ["general"]


@app.post("/rooms/general/messages", status_code=201)
def post_message(new: NewMessage) -> NewMessage:
    return new
