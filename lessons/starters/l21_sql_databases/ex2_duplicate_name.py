"""Exercise 21.2 — A name that is taken

Room names are unique in the database (`unique=True`), but creating a second room with a name
that is taken answers 500: the commit raises `IntegrityError`, and nothing catches it.

Your task: catch `sqlalchemy.exc.IntegrityError` around the commit, roll the session back, and
raise `HTTPException(409, "A room with that name exists")` (import `IntegrityError` from
`sqlalchemy.exc` and `HTTPException` from `fastapi`). Catching the database's refusal,
rather than looking the name up first, is also right when two requests race.

Check: uv run python -m lessons check 21
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    Base.metadata.create_all(engine)
    app.state.engine = engine
    yield
    engine.dispose()


app = FastAPI(title="Exercise 21.2 — A name that is taken", lifespan=lifespan)


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


class RoomCreate(BaseModel):
    name: str


class RoomPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str


@app.post("/rooms", status_code=201)
def create_room(new: RoomCreate, session: SessionDep) -> RoomPublic:
    room = Room(name=new.name)
    session.add(room)
    # TODO(exercise): catch IntegrityError, roll back, and answer 409.
    session.commit()
    return RoomPublic.model_validate(room)
