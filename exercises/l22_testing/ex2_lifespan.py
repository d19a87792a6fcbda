"""Exercise 22.2 — Made when the app starts

The room's message store is made when the module is imported, so every test that imports the
app shares it, and messages one test posts are still there in the next.

Your task: make the store in a `lifespan` (an async context manager that sets
`app.state.messages = []` before it yields; pass it as `FastAPI(lifespan=lifespan)`), and have
the endpoints read `request.app.state.messages`. Each `with TestClient(app):` then starts with
an empty room.

Check: uv run python -m lessons check 22
"""

from fastapi import FastAPI, Request

app = FastAPI(title="Exercise 22.2 — Made when the app starts")

# TODO(exercise): made in a lifespan instead, as app.state.messages.
MESSAGES: list[str] = []


@app.post("/rooms/general/messages", status_code=201)
def post_message(text: str, request: Request) -> list[str]:
    MESSAGES.append(text)
    return MESSAGES


@app.get("/rooms/general/messages")
def read_messages(request: Request) -> list[str]:
    return MESSAGES
