"""Exercise 21.1 — A room takes its messages with it

Deleting a room that has messages answers 500: without a cascade on `Room.messages`, SQLAlchemy
keeps the messages and tries to set their `room_id` to NULL, which the column refuses. The
transaction rolls back; the room stays.

Your task: give the relationship `cascade="all, delete-orphan"`, so that deleting a room deletes
its messages in the same transaction: the delete answers 204 and the messages are gone.

Check: uv run python -m lessons check 21
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    # TODO(exercise): relationship(cascade="all, delete-orphan")
    messages: Mapped[list["Message"]] = relationship()


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    text: Mapped[str] = mapped_column(String(500))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # One in-memory database per app, shared by its sessions (StaticPool): gone when it stops.
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Room(name="general", messages=[Message(text="hi"), Message(text="bye")]))
        session.commit()
    app.state.engine = engine
    yield
    engine.dispose()


app = FastAPI(title="Exercise 21.1 — A room takes its messages with it", lifespan=lifespan)


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    room_id: int
    text: str


@app.delete("/rooms/{room_id}", status_code=204)
def delete_room(room_id: int, session: SessionDep) -> None:
    room = session.get(Room, room_id)
    if room is None:
        raise HTTPException(status_code=404, detail="Room not found")
    session.delete(room)
    session.commit()


@app.get("/messages/{message_id}")
def read_message(message_id: int, session: SessionDep) -> MessagePublic:
    message = session.get(Message, message_id)
    if message is None:
        raise HTTPException(status_code=404, detail="Message not found")
    return MessagePublic.model_validate(message)
