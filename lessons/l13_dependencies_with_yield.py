"""Lesson 13 — Dependencies with yield

A dependency that yields opens a resource before the endpoint and closes it after, even when the
endpoint raises: here a connection, a session and a transaction (a→b→c up, c→b→a down), with a
journal that shows the order. The session turns the store's errors into HTTP answers (503, 409)
with `raise ... from e` and passes every other error on; the transaction is a context manager
used inside a yield dependency, ended before the response by `scope="function"`.

Run:  uvicorn lessons.l13_dependencies_with_yield:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l13_dependencies_with_yield.py
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(
    title="Lesson 13 — Dependencies with yield",
    description="A session-like resource opened and closed around each request.",
)

# What happened, in order. GET /journal shows it, DELETE /journal empties it.
journal: list[str] = []


# --8<-- [start:store]
class StoreUnavailable(Exception):
    """The store cannot be reached (a database would raise OperationalError)."""


class DuplicateMessage(Exception):
    """A message id is already taken (a database would raise IntegrityError)."""


class Store:
    # Stands in for a database: messages by room, and a switch to simulate an outage.
    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, str]] = {"general": {}, "random": {}}
        self.online = True


store = Store()


class Session:
    def __init__(self, connection: str) -> None:
        self.connection = connection
        self.pending: list[tuple[str, str, str]] = []

    def history(self, room: str) -> dict[str, str]:
        if not store.online:
            raise StoreUnavailable(self.connection)
        return store.rooms[room]

    def add(self, room: str, message_id: str, text: str) -> None:
        if message_id in self.history(room):
            raise DuplicateMessage(message_id)
        self.pending.append((room, message_id, text))

    @contextmanager
    def begin(self) -> Iterator[None]:
        # Like SQLAlchemy's `with session.begin():` commit on success, roll back on error.
        journal.append("transaction: begun")
        try:
            yield
        except Exception:
            self.pending.clear()
            journal.append("transaction: rolled back")
            raise
        for room, message_id, text in self.pending:
            store.rooms[room][message_id] = text
        journal.append("transaction: committed")


# --8<-- [end:store]


# --8<-- [start:dependencies]
def open_connection() -> Iterator[str]:  # a
    journal.append("connection: opened")
    try:
        yield "connection-1"
    finally:
        journal.append("connection: closed")


def open_session(connection: Annotated[str, Depends(open_connection)]) -> Iterator[Session]:  # b
    session = Session(connection)
    journal.append("session: opened")
    try:
        yield session
    except StoreUnavailable as e:
        raise HTTPException(503, "The message store is unavailable, try again soon") from e
    except DuplicateMessage as e:
        raise HTTPException(409, f"Message {e.args[0]!r} was already posted") from e
    except Exception as e:
        # Not ours to translate (an HTTPException, a bug): note it and pass it on unchanged.
        journal.append(f"session: passing on {type(e).__name__}")
        raise
    finally:
        journal.append("session: closed")


SessionDep = Annotated[Session, Depends(open_session)]


def begin_transaction(session: SessionDep) -> Iterator[Session]:  # c
    with session.begin():  # a context manager inside a yield dependency
        yield session


# scope="function": the transaction ends when the endpoint returns, before the response is
# sent, so a failed commit still reaches the client as an error.
TransactionDep = Annotated[Session, Depends(begin_transaction, scope="function")]
# --8<-- [end:dependencies]


# --8<-- [start:endpoints]
class NewMessage(BaseModel):
    id: str
    text: str


def mark_response_sent(tasks: BackgroundTasks) -> None:
    # A background task runs once the response has gone out (lesson 16): it marks that moment.
    tasks.add_task(journal.append, "response: sent")


def find_room(session: Session, room: str) -> dict[str, str]:
    if room not in store.rooms:
        raise HTTPException(404, f"No room called {room!r}")
    return session.history(room)


@app.get("/rooms/{room}/messages")
def read_messages(room: str, session: SessionDep, tasks: BackgroundTasks) -> dict[str, str]:
    messages = find_room(session, room)
    journal.append("endpoint: read")
    mark_response_sent(tasks)
    return messages


@app.post("/rooms/{room}/messages", status_code=201)
def post_message(
    room: str, message: NewMessage, session: TransactionDep, tasks: BackgroundTasks
) -> NewMessage:
    find_room(session, room)
    session.add(room, message.id, message.text)
    journal.append("endpoint: added")
    mark_response_sent(tasks)
    return message


# --8<-- [end:endpoints]


# --8<-- [start:controls]
@app.get("/journal")
def read_journal() -> list[str]:
    return journal


@app.delete("/journal", status_code=204)
def clear_journal() -> None:
    journal.clear()


@app.put("/store/online", status_code=204)
def set_online(online: bool) -> None:
    # Simulates an outage, so the 503 path can be tried by hand: PUT /store/online?online=false
    store.online = online


# --8<-- [end:controls]
