"""Exercise 04.2 — Search by sender

`GET /messages/search?q=hello&from=alice` should answer alice's messages that contain "hello", and
a search text shorter than 3 characters should be refused with 422. Today the sender is read from a
parameter called `sender` (clients send `from`, which is a Python keyword), so `from=alice` is
ignored, and `?q=hi` is accepted.

Your task: read the sender from `from` with `Query(alias=...)`, and ask for a `q` of at least 3
characters with `Query(min_length=...)`.

Check: uv run python -m lessons check 04
"""

from fastapi import FastAPI

app = FastAPI(title="Exercise 04.2 — Search by sender")

MESSAGES = [
    {"sender": "alice", "text": "Hello everyone"},
    {"sender": "bob", "text": "hello alice, welcome"},
    {"sender": "alice", "text": "The release notes say hello too"},
]


@app.get("/messages/search")
def search_messages(q: str, sender: str | None = None) -> list[dict[str, str]]:
    # TODO(exercise): `q` of 3 characters or more; `sender` sent by clients as `from`.
    return [
        message
        for message in MESSAGES
        if q.lower() in message["text"].lower() and sender in (None, message["sender"])
    ]
