"""What goes over the wire: HTTP bodies and the WebSocket frames.

Client frames are one discriminated union on `type`, validated on receipt: a frame that does not
match gets an error frame back, and the socket lives on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)


def has_nul(value: str) -> bool:
    """PostgreSQL can neither store nor compare U+0000 in text: such input never reaches it."""
    return "\x00" in value


def refuse_nul(value: str) -> str:
    # A 422 or an error frame, instead of the database's refusal as a 500.
    if has_nul(value):
        raise ValueError("must not contain the NUL character")
    return value


NulFree = AfterValidator(refuse_nul)

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{3,32}$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128), NulFree]
RoomName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,40}$")]
ClientMsgId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
MessageText = Annotated[str, StringConstraints(min_length=1, max_length=4000), NulFree]
# The largest integer a database column holds (SQLite and PostgreSQL BIGINT): bigger ids and seqs
# are refused with 422 instead of overflowing in the driver.
MAX_INT = 2**63 - 1


class Credentials(BaseModel):
    username: Username
    password: Password


class UserOut(BaseModel):
    id: int
    username: str


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class WsTicket(BaseModel):
    ticket: str
    expires_in: int


class RoomCreate(BaseModel):
    name: RoomName


class RoomOut(BaseModel):
    name: str
    member: bool


class HistoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: int | None = Field(default=None, ge=0, le=MAX_INT)
    before: int | None = Field(default=None, ge=1, le=MAX_INT)
    limit: int = Field(default=100, ge=1, le=500)


class MessageIn(BaseModel):
    text: MessageText
    client_msg_id: ClientMsgId


class AttachmentOut(BaseModel):
    id: int
    filename: str
    size: int
    content_type: str


class MessageOut(BaseModel):
    room: str
    seq: int
    author: str
    text: str
    client_msg_id: str
    sent_at: datetime
    attachment: AttachmentOut | None = None


class MentionOut(BaseModel):
    room: str
    seq: int
    author: str
    text: str
    sent_at: datetime


class ErrorOut(BaseModel):
    detail: str


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses` for the error statuses a route answers with."""
    return {code: {"model": ErrorOut} for code in codes}


class Health(BaseModel):
    status: str


class Readiness(Health):
    """Each dependency: `ok` or `unavailable`; the broker says which one it is."""

    database: Literal["ok", "unavailable"]
    broker: str
    broker_status: Literal["ok", "unavailable"]


# ---- WebSocket frames, client to server ----------------------------------------------------


class MessageFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["message"]
    text: MessageText
    client_msg_id: ClientMsgId


class TypingFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["typing"]


ClientFrame = Annotated[MessageFrame | TypingFrame, Field(discriminator="type")]
client_frame = TypeAdapter(ClientFrame)


room_name = TypeAdapter(RoomName)


def is_room_name(name: str) -> bool:
    """Whether a room could have this name: one that cannot is looked up nowhere."""
    try:
        room_name.validate_python(name)
    except ValidationError:
        return False
    return True


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
