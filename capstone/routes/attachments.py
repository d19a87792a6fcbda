"""Uploads: streamed to disk under a generated name, checked by their first bytes, members only.

The body-size limit is FastAPI's own (`max_body_size` on this router, see `body_limit`): 413 while
the upload is still arriving, with or without Content-Length, before python-multipart parses
anything; the copy below checks the file's own size again. A file is stored under a random name
in `CHAT_UPLOAD_DIR` (outside any static folder); its name from the client is only ever shown,
never used as a path.

Each user keeps at most `CHAT_UPLOAD_QUOTA_BYTES` of attachments: a file that would pass it is
refused with 413 while it arrives, and nothing of it is kept. Two uploads at once may both fit
when checked and pass the quota together, by less than their own sizes: the upload throttle
bounds how often that can happen.
"""

from __future__ import annotations

import secrets
import unicodedata
from pathlib import Path as FilePath
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated

import anyio
from fastapi import APIRouter, HTTPException, Path, UploadFile, status
from fastapi.responses import FileResponse
from sqlalchemy import func, select

from capstone.chat import attachment_out, is_member, post_message
from capstone.models import Attachment, Room
from capstone.routes.deps import ChatDep, RoomDep, require_member, spend_message, throttle
from capstone.schemas import MAX_INT, AttachmentOut, error_responses
from capstone.security import CurrentUser, SessionDep
from capstone.settings import Settings

router = APIRouter(prefix="/api", tags=["attachments"])
# Room for the multipart framing around the file itself.
MULTIPART_OVERHEAD = 16 * 1024


def body_limit(settings: Settings) -> int:
    """The largest upload request: the file, and its multipart framing."""
    return settings.max_upload_bytes + MULTIPART_OVERHEAD


CHUNK = 64 * 1024
# Image types a browser may show inline, recognised by their first bytes (never by name or by
# the client's Content-Type). SVG is not here: it can carry script.
SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
SAFE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
NOT_FOUND = HTTPException(status.HTTP_404_NOT_FOUND, "Attachment not found")
TOO_LARGE = HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "File too large")


def sniff(head: bytes) -> str:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def display_name(raw: str | None) -> str:
    """The last path component, without control characters: `../../x.txt` shows as `x.txt`."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "file"


def over_quota(left: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"Upload quota reached: {max(0, left)} bytes left of your attachments' allowance",
    )


async def save_upload(
    upload: UploadFile, directory: FilePath, limit: int, too_large: HTTPException = TOO_LARGE
) -> tuple[str, int, bytes]:
    """Copy in chunks to a new random name; `too_large` (and nothing kept) past `limit` bytes."""
    await anyio.Path(directory).mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    target = directory / stored
    size = 0
    head = b""
    try:
        async with await anyio.open_file(target, "xb") as out:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large
                if len(head) < 16:
                    head = (head + chunk)[:16]
                await out.write(chunk)
    except BaseException:
        await anyio.Path(target).unlink(missing_ok=True)
        raise
    return stored, size, head


@router.post(
    "/rooms/{room}/attachments",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 404, 413, 429),
)
async def upload_attachment(
    file: UploadFile,
    room: RoomDep,
    user: CurrentUser,
    session: SessionDep,
    chat: ChatDep,
) -> AttachmentOut:
    await require_member(session, room, user)
    settings = chat.settings
    used = await session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(Attachment.uploader_id == user.id)
    )
    left = settings.upload_quota_bytes - (used or 0)
    if left <= 0:  # refused before a byte is read
        raise over_quota(left)
    await throttle(
        chat,
        "uploads",
        str(user.id),
        settings.uploads_per_user,
        settings.upload_window_seconds,
        "Too many uploads: try again later",
    )
    # Its announcement is a message: counted before the file is kept, so a 429 keeps nothing.
    await spend_message(chat, user.id)
    limit, refusal = settings.max_upload_bytes, TOO_LARGE
    if left < limit:
        limit, refusal = left, over_quota(left)
    stored, size, head = await save_upload(file, settings.upload_dir, limit, refusal)
    attachment = Attachment(
        room_id=room.id,
        uploader_id=user.id,
        filename=display_name(file.filename),
        stored_name=stored,
        size=size,
        content_type=sniff(head),
    )
    session.add(attachment)
    await session.commit()
    await post_message(
        chat, room, user, attachment.filename, f"attachment-{attachment.id}", attachment
    )
    return attachment_out(attachment)


@router.get(
    "/attachments/{attachment_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, **error_responses(401, 404)},
)
async def download_attachment(
    attachment_id: Annotated[int, Path(ge=1, le=MAX_INT)],
    user: CurrentUser,
    session: SessionDep,
    chat: ChatDep,
) -> FileResponse:
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None:
        raise NOT_FOUND
    room = await session.get(Room, attachment.room_id)
    # Not a member: the same 404 as a missing file, so ids reveal nothing.
    if room is None or not await is_member(session, room, user):
        raise NOT_FOUND
    path = chat.settings.upload_dir / attachment.stored_name
    if not await anyio.Path(path).is_file():
        raise NOT_FOUND
    inline = attachment.content_type in SAFE_IMAGES
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.filename,
        content_disposition_type="inline" if inline else "attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
