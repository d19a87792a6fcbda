"""Exercise 04.2 — Search by sender: a reference solution."""

from typing import Annotated

from fastapi import FastAPI, Query

app = FastAPI(title="Exercise 04.2 — Search by sender")

MESSAGES = [
    {"sender": "alice", "text": "Hello everyone"},
    {"sender": "bob", "text": "hello alice, welcome"},
    {"sender": "alice", "text": "The release notes say hello too"},
]


@app.get("/messages/search")
def search_messages(
    q: Annotated[str, Query(min_length=3)],
    # `from` is a keyword in Python: the alias is the name clients use, `sender` the name we use.
    sender: Annotated[str | None, Query(alias="from")] = None,
) -> list[dict[str, str]]:
    return [
        message
        for message in MESSAGES
        if q.lower() in message["text"].lower() and sender in (None, message["sender"])
    ]
