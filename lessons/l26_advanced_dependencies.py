"""Lesson 26 — Advanced dependencies

A dependency with a parameter: `RequireRole("moderator")` is an instance whose `__call__` is the
dependency, so one class checks every role a room endpoint needs. Plain dependencies and
dependencies with `yield` on one endpoint, and the order their code runs in: an audit entry
written after the endpoint, whatever its outcome. And `Depends(scope="function")` where it
matters: a database connection handed back before a slow streamed export starts, not after.

Run:  uvicorn lessons.l26_advanced_dependencies:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l26_advanced_dependencies.py
"""

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

app = FastAPI(
    title="Lesson 26 — Advanced dependencies",
    description="Parameterised dependencies, yield and plain ones together, and dependency scopes.",
)

MESSAGES: dict[str, dict[int, str]] = {
    "general": {1: "alice: Welcome!", 2: "carol: buy cheap watches", 3: "bob: hi all"}
}
ROLES: dict[str, dict[str, str]] = {
    "general": {"alice": "owner", "bob": "moderator", "carol": "member"}
}
Role = Literal["member", "moderator", "owner"]
RANKS: dict[str, int] = {"member": 1, "moderator": 2, "owner": 3}
AUDIT: list[dict[str, Any]] = []


class Member(BaseModel):
    username: str
    room: str
    role: Role


# A stand-in for real authentication (lessons 14 and 24): the caller says who they are.
def current_username(x_user: Annotated[str, Header(min_length=1, max_length=30)]) -> str:
    return x_user


# --8<-- [start:require_role]
class RequireRole:
    """A dependency with a parameter: `Depends(RequireRole("moderator"))`.

    FastAPI calls the instance, and reads the parameters of `__call__` (not of `__init__`) to
    know what to give it: here the `room` path parameter and the caller's name.
    """

    def __init__(self, role: Role) -> None:
        self.role = role

    def __call__(self, room: str, username: Annotated[str, Depends(current_username)]) -> Member:
        if room not in ROLES:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"No room named {room!r}")
        role = ROLES[room].get(username)
        if role is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"{username} is not in {room}")
        if RANKS[role] < RANKS[self.role]:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"Needs the role {self.role}")
        return Member(username=username, room=room, role=role)


AnyMember = Annotated[Member, Depends(RequireRole("member"))]
Moderator = Annotated[Member, Depends(RequireRole("moderator"))]
Owner = Annotated[Member, Depends(RequireRole("owner"))]
# --8<-- [end:require_role]


@app.get("/rooms/{room}/messages")
def read_messages(room: str, member: AnyMember) -> dict[int, str]:
    return MESSAGES[room]


# --8<-- [start:audit]
def audit(
    room: str, username: Annotated[str, Depends(current_username)]
) -> Iterator[dict[str, Any]]:
    entry: dict[str, Any] = {"room": room, "by": username}
    try:
        yield entry  # the endpoint fills in what it did
    except HTTPException as e:
        entry["outcome"] = f"refused: {e.detail}"
        raise  # re-raised, so the client still gets its 404
    else:
        entry["outcome"] = "done"
    finally:
        AUDIT.append(entry)


@app.delete("/rooms/{room}/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_message(
    room: str,
    message_id: int,
    moderator: Moderator,  # a plain dependency: it runs, and may refuse, before anything else
    entry: Annotated[dict[str, Any], Depends(audit)],  # with yield: its end runs after
) -> None:
    entry["action"] = f"delete message {message_id}"
    if message_id not in MESSAGES[room]:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No message {message_id}")
    del MESSAGES[room][message_id]


# --8<-- [end:audit]


@app.put("/rooms/{room}/roles/{username}")
def set_role(room: str, username: str, role: Role, owner: Owner) -> Member:
    ROLES[room][username] = role
    return Member(username=username, room=room, role=role)


@app.get("/audit")
def read_audit() -> list[dict[str, Any]]:
    return AUDIT


# --8<-- [start:scope]
class Pool:
    """A stand-in for a database's connection pool, counting the connections lent out."""

    def __init__(self) -> None:
        self.in_use = 0


POOL = Pool()


def connection() -> Iterator[Pool]:
    POOL.in_use += 1
    try:
        yield POOL
    finally:
        POOL.in_use -= 1


# "request" (the default for yield): handed back after the response is sent, streaming included.
# "function": handed back as soon as the endpoint returns, before the first byte is sent.
HeldToTheEnd = Annotated[Pool, Depends(connection, scope="request")]
HeldForTheEndpoint = Annotated[Pool, Depends(connection, scope="function")]


def stream_lines(rows: list[str]) -> Iterator[str]:
    for row in rows:
        # A slow client would read these one by one; what matters is what is held meanwhile.
        yield f"{row} (connections in use: {POOL.in_use})\n"


@app.get("/rooms/{room}/export")
def export(room: str, member: AnyMember, db: HeldForTheEndpoint) -> StreamingResponse:
    rows = list(MESSAGES[room].values())  # read while the connection is held
    return StreamingResponse(stream_lines(rows), media_type="text/plain")


@app.get("/rooms/{room}/export-holding")
def export_holding(room: str, member: AnyMember, db: HeldToTheEnd) -> StreamingResponse:
    rows = list(MESSAGES[room].values())
    return StreamingResponse(stream_lines(rows), media_type="text/plain")


# --8<-- [end:scope]
