"""Lesson 12 — Dependencies

Code that several endpoints need (pagination, a search filter, who is asking, an admin key) is
written once as a dependency and declared with `Depends`: a function, a class (in its three
spellings), a dependency that has dependencies of its own (the room from the query or a cookie),
one value shared by everything in a request unless `use_cache=False` asks again, and dependencies
attached to a decorator, to an `APIRouter` and to the whole app.

Run:  uvicorn lessons.l12_dependencies:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l12_dependencies.py
"""

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Depends, FastAPI, Header, HTTPException, Query, Request

ROOMS = ["general", "random", "python", "fastapi", "off-topic"]
MEMBERS = ["alice", "bob", "carol", "dave"]
MODERATORS = {"alice"}
MUTED = {"dave"}
MESSAGES = [
    {"room": "general", "author": "alice", "text": "Welcome, everyone!"},
    {"room": "general", "author": "bob", "text": "Hi Alice"},
    {"room": "python", "author": "carol", "text": "Who uses Annotated yet?"},
    {"room": "general", "author": "carol", "text": "Hello from Carol"},
    {"room": "python", "author": "bob", "text": "Annotated everywhere"},
]
REPORTS = [{"room": "general", "about": "dave", "reason": "spam"}]


# --8<-- [start:global]
def refuse_old_clients(x_client_version: Annotated[int | None, Header()] = None) -> None:
    # A global dependency runs before every endpoint of the app; its parameters
    # (here an optional header) appear on every operation in /docs.
    if x_client_version is not None and x_client_version < 2:
        raise HTTPException(400, f"Client version {x_client_version} is too old: update to 2+")


app = FastAPI(
    title="Lesson 12 — Dependencies",
    description="Shared logic for the chat's endpoints, declared once and injected.",
    dependencies=[Depends(refuse_old_clients)],
)
# --8<-- [end:global]


# --8<-- [start:function]
def paginate(
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, int]:
    return {"offset": offset, "limit": limit}


# An alias: the type and the dependency travel together, and read like a type.
PageDep = Annotated[dict[str, int], Depends(paginate)]


@app.get("/rooms")
def list_rooms(page: PageDep) -> list[str]:
    return ROOMS[page["offset"] : page["offset"] + page["limit"]]


@app.get("/members")
def list_members(page: PageDep) -> list[str]:
    return MEMBERS[page["offset"] : page["offset"] + page["limit"]]


# --8<-- [end:function]


# --8<-- [start:class]
class MessageSearch:
    # FastAPI reads the __init__ signature exactly as it reads a function's:
    # these become query parameters, and the endpoint gets an instance.
    def __init__(self, q: str | None = None, offset: int = 0, limit: int = 10) -> None:
        self.q = q
        self.offset = offset
        self.limit = limit

    def apply(self, messages: list[dict[str, str]]) -> list[dict[str, str]]:
        found = [m for m in messages if self.q is None or self.q.lower() in m["text"].lower()]
        return found[self.offset : self.offset + self.limit]


@app.get("/rooms/{room}/messages")
def room_messages(room: str, search: Annotated[MessageSearch, Depends()]) -> list[dict[str, str]]:
    return search.apply([m for m in MESSAGES if m["room"] == room])


@app.get("/messages/search")
def search_messages(
    search: Annotated[MessageSearch, Depends(MessageSearch)],
) -> list[dict[str, str]]:
    return search.apply(MESSAGES)


@app.get("/members/{member}/messages")
def member_messages(member: str, search: MessageSearch = Depends()) -> list[dict[str, str]]:
    return search.apply([m for m in MESSAGES if m["author"] == member])


# --8<-- [end:class]


# --8<-- [start:sub]
def room_from_query(room: str | None = None) -> str | None:
    return room


def room_from_query_or_cookie(
    room: Annotated[str | None, Depends(room_from_query)],
    last_room: Annotated[str | None, Cookie()] = None,
) -> str:
    # A dependency with dependencies of its own: the query wins, the cookie is the fallback.
    return room or last_room or "general"


@app.get("/me/reopen")
def reopen_room(room: Annotated[str, Depends(room_from_query_or_cookie)]) -> dict[str, str]:
    return {"room": room}


# --8<-- [end:sub]


# --8<-- [start:cache]
def load_member(request: Request, x_member: Annotated[str, Header()]) -> str:
    # Stands in for a database lookup; the counter shows how often it really runs.
    request.state.member_lookups = getattr(request.state, "member_lookups", 0) + 1
    if x_member not in MEMBERS:
        raise HTTPException(404, f"No member called {x_member!r}")
    return x_member


MemberDep = Annotated[str, Depends(load_member)]


def may_post(member: MemberDep) -> bool:
    return member not in MUTED


@app.get("/rooms/{room}/can-post")
def can_post(
    room: str, member: MemberDep, allowed: Annotated[bool, Depends(may_post)], request: Request
) -> dict[str, Any]:
    # `member` and `may_post` both need load_member: within one request it runs once.
    return {
        "member": member,
        "room": room,
        "can_post": allowed,
        "lookups": request.state.member_lookups,
    }


@app.get("/rooms/{room}/can-post/uncached")
def can_post_uncached(
    room: str,
    member: MemberDep,
    again: Annotated[str, Depends(load_member, use_cache=False)],
    request: Request,
) -> dict[str, Any]:
    # use_cache=False asks again, e.g. for a value that must be fresh at this point.
    return {"member": again, "room": room, "lookups": request.state.member_lookups}


# --8<-- [end:cache]


# --8<-- [start:decorator]
def require_moderator(member: MemberDep) -> str:
    if member not in MODERATORS:
        raise HTTPException(403, f"{member} is not a moderator")
    return member  # returned, but a decorator dependency's value goes nowhere


@app.get("/rooms/{room}/reports", dependencies=[Depends(require_moderator)])
def room_reports(room: str) -> list[dict[str, str]]:
    # Only moderators get here, yet this function never sees who asked.
    return [r for r in REPORTS if r["room"] == room]


# --8<-- [end:decorator]


# --8<-- [start:router]
ADMIN_KEY = "let-me-in"  # a real key comes from a setting (lesson 20), never from the code


def require_admin_key(x_admin_key: Annotated[str, Header()]) -> None:
    # compare_digest takes the same time however many leading characters match.
    if not secrets.compare_digest(x_admin_key.encode(), ADMIN_KEY.encode()):
        raise HTTPException(403, "Wrong admin key")


admin = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin_key)])


@admin.get("/stats")
def stats() -> dict[str, int]:
    return {"rooms": len(ROOMS), "members": len(MEMBERS), "messages": len(MESSAGES)}


@admin.get("/muted")
def muted() -> list[str]:
    return sorted(MUTED)


app.include_router(admin)
# --8<-- [end:router]
