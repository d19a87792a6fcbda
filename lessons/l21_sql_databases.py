"""Lesson 21 — SQL databases with SQLAlchemy 2

Rooms and messages in a SQLite file (its URL a setting) through SQLAlchemy 2's typed `Mapped[...]`
models: engine and tables made in the lifespan, a session per request from a yield dependency, and
create, public and update models for create, read, paginated list, partial update (PATCH) and
delete, with 404 for a missing row and 409 for a duplicate room name.

Run:  uvicorn lessons.l21_sql_databases:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l21_sql_databases.py
"""

import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import ForeignKey, String, create_engine, make_url, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAT_")
    database_url: str = f"sqlite:///{tempfile.gettempdir()}/fastapi-chat-course/l21-chat.db"


@lru_cache
def get_settings() -> Settings:
    return Settings()


# --8<-- [start:tables]
class Base(DeclarativeBase):
    pass


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    topic: Mapped[str | None] = mapped_column(String(200))  # `| None` makes the column nullable
    messages: Mapped[list["Message"]] = relationship(cascade="all, delete-orphan")


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    author: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(2000))
    pinned: Mapped[bool] = mapped_column(default=False)


# --8<-- [end:tables]


# --8<-- [start:engine]
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = app.dependency_overrides.get(get_settings, get_settings)()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # Built here, not at import: importing the module must not open (or create) a database.
    engine = app.state.engine = create_engine(url)
    Base.metadata.create_all(engine)  # a teaching shortcut; real projects use migrations (Alembic)
    yield
    engine.dispose()
    del app.state.engine  # app.state outlives the lifespan: leave no disposed engine behind


def get_session(request: Request) -> Iterator[Session]:
    # One session per request; leaving the `with` closes it, also when the endpoint raised.
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
# --8<-- [end:engine]

app = FastAPI(
    title="Lesson 21 — SQL databases",
    description="Rooms and messages in SQLite through SQLAlchemy 2.",
    lifespan=lifespan,
)


# --8<-- [start:models]
class RoomCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    topic: Annotated[str | None, Field(max_length=200)] = None


class RoomPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read from a Room object, not only a dict

    id: int
    name: str
    topic: str | None


class RoomUpdate(BaseModel):
    # Every field optional: PATCH sends only what changes. `topic: null` clears the topic...
    name: Annotated[str | None, Field(min_length=1, max_length=40)] = None
    topic: Annotated[str | None, Field(max_length=200)] = None

    @field_validator("name")
    @classmethod
    def name_is_not_null(cls, value: str | None) -> str:
        # ...but `name: null` is refused (validators do not run on the default, only on input).
        if value is None:
            raise ValueError("name cannot be null")
        return value


class MessageCreate(BaseModel):
    author: Annotated[str, Field(min_length=1, max_length=40)]
    text: Annotated[str, Field(min_length=1, max_length=2000)]


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    room_id: int
    author: str
    text: str
    pinned: bool


class MessageUpdate(BaseModel):
    text: Annotated[str | None, Field(min_length=1, max_length=2000)] = None
    pinned: bool | None = None


class Page(BaseModel):
    offset: Annotated[int, Field(ge=0)] = 0
    limit: Annotated[int, Field(ge=1, le=100)] = 20


PageDep = Annotated[Page, Query()]
# --8<-- [end:models]


# --8<-- [start:rooms]
def room_or_404(session: Session, room_id: int) -> Room:
    room = session.get(Room, room_id)
    if room is None:
        raise HTTPException(status_code=404, detail="Room not found")
    return room


def commit_room(session: Session, room: Room) -> None:
    session.add(room)
    try:
        session.commit()
    except IntegrityError as error:  # the UNIQUE constraint on rooms.name
        session.rollback()
        raise HTTPException(status_code=409, detail="A room with that name exists") from error


@app.post("/rooms", status_code=201)
def create_room(new: RoomCreate, session: SessionDep) -> RoomPublic:
    room = Room(**new.model_dump())
    commit_room(session, room)
    return RoomPublic.model_validate(room)


@app.get("/rooms")
def list_rooms(page: PageDep, session: SessionDep) -> list[RoomPublic]:
    query = select(Room).order_by(Room.id).offset(page.offset).limit(page.limit)
    return [RoomPublic.model_validate(room) for room in session.scalars(query)]


@app.get("/rooms/{room_id}")
def read_room(room_id: int, session: SessionDep) -> RoomPublic:
    return RoomPublic.model_validate(room_or_404(session, room_id))


@app.patch("/rooms/{room_id}")
def update_room(room_id: int, changes: RoomUpdate, session: SessionDep) -> RoomPublic:
    room = room_or_404(session, room_id)
    # exclude_unset: only the fields the client sent, so an absent field is left alone.
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(room, field, value)
    commit_room(session, room)
    return RoomPublic.model_validate(room)


@app.delete("/rooms/{room_id}", status_code=204)
def delete_room(room_id: int, session: SessionDep) -> None:
    session.delete(room_or_404(session, room_id))  # its messages go too (cascade)
    session.commit()


# --8<-- [end:rooms]


# --8<-- [start:messages]
def message_or_404(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise HTTPException(status_code=404, detail="Message not found")
    return message


@app.post("/rooms/{room_id}/messages", status_code=201)
def post_message(room_id: int, new: MessageCreate, session: SessionDep) -> MessagePublic:
    message = Message(room_id=room_or_404(session, room_id).id, **new.model_dump())
    session.add(message)
    session.commit()
    return MessagePublic.model_validate(message)


@app.get("/rooms/{room_id}/messages")
def list_messages(room_id: int, page: PageDep, session: SessionDep) -> list[MessagePublic]:
    room_or_404(session, room_id)
    query = select(Message).where(Message.room_id == room_id).order_by(Message.id)
    messages = session.scalars(query.offset(page.offset).limit(page.limit))
    return [MessagePublic.model_validate(message) for message in messages]


@app.get("/messages/{message_id}")
def read_message(message_id: int, session: SessionDep) -> MessagePublic:
    return MessagePublic.model_validate(message_or_404(session, message_id))


@app.patch("/messages/{message_id}")
def update_message(message_id: int, changes: MessageUpdate, session: SessionDep) -> MessagePublic:
    message = message_or_404(session, message_id)
    for field, value in changes.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(message, field, value)
    session.commit()
    return MessagePublic.model_validate(message)


@app.delete("/messages/{message_id}", status_code=204)
def delete_message(message_id: int, session: SessionDep) -> None:
    session.delete(message_or_404(session, message_id))
    session.commit()


# --8<-- [end:messages]
