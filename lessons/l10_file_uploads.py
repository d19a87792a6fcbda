"""Lesson 10 — File uploads

Avatars and attachments: a small file read whole as `bytes` with `File()`, an `UploadFile` with
its filename, content type, size, `read` and `seek`, several files in one request, and a caption
form field sent with a file. Attachments are copied to disk in chunks, never read whole into memory,
under a generated name (the client's filename is never a path), in a folder given by a dependency;
a request over the size limit is refused with 413 while it arrives, with or without Content-Length.

Run:  uvicorn lessons.l10_file_uploads:app --reload   (files go to $CHAT_UPLOAD_DIR or a temp dir)
Test: pytest tests/lessons/test_l10_file_uploads.py
"""

import hashlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, File, Form, UploadFile
from pydantic import BaseModel

app = FastAPI(
    title="Lesson 10 — File uploads",
    description="Avatars and attachments: `File()`, `UploadFile`, limits and safe storage.",
)

# --8<-- [start:limits]
# The limit counts the whole request body: the file, the other fields and the multipart framing.
MAX_ATTACHMENT_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024
# --8<-- [end:limits]


# --8<-- [start:upload_dir]
def get_upload_dir() -> Path:
    # A dependency, not a constant: tests override it with their tmp_path, and the folder is
    # created on first use rather than when the module is imported.
    default = Path(tempfile.gettempdir()) / "fastapi-chat-lesson-10"
    directory = Path(os.environ.get("CHAT_UPLOAD_DIR", default))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


UploadDirDep = Annotated[Path, Depends(get_upload_dir)]
# --8<-- [end:upload_dir]


# --8<-- [start:bytes]
MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif"}


def sniff(head: bytes) -> str:
    return next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), "unknown")


@app.post("/avatar/check")
def check_avatar(avatar: Annotated[bytes, File(description="a small image")]) -> dict[str, object]:
    # `bytes` means the whole file is in memory before this line: fine for a small avatar,
    # wrong for anything big. There is no filename or content type here, only the content.
    return {"size": len(avatar), "kind": sniff(avatar)}


# --8<-- [end:bytes]


# --8<-- [start:uploadfile]
@app.post("/attachments/inspect")
async def inspect_attachment(file: UploadFile) -> dict[str, object]:
    head = await file.read(8)
    # The content type is what the client *claims*; the first bytes are what it sent.
    sniffed = sniff(head)
    # Back to the start, or the digest below would miss the eight bytes we just read.
    await file.seek(0)
    digest = hashlib.sha256()
    while chunk := await file.read(CHUNK_BYTES):
        digest.update(chunk)
    return {
        "filename": file.filename,
        "content_type": file.content_type,
        "size": file.size,
        "sniffed": sniffed,
        "sha256": digest.hexdigest(),
    }


@app.post("/attachments/batch", form_limits={"max_files": 5})
def list_attachments(files: list[UploadFile]) -> list[dict[str, object]]:
    # Several parts with the same field name; more than five is refused (400) while parsing.
    return [{"filename": f.filename, "content_type": f.content_type, "size": f.size} for f in files]


# --8<-- [end:uploadfile]


# --8<-- [start:store]
class StoredAttachment(BaseModel):
    room_id: int
    caption: str
    stored_as: str
    original_name: str | None
    content_type: str | None
    size: int
    chunks: int


@app.post(
    "/rooms/{room_id}/attachments",
    status_code=201,
    # Enforced while the body is received, before the form is parsed and before this
    # function runs: a check inside the function would come after the whole upload.
    max_body_size=MAX_ATTACHMENT_BYTES,
    responses={413: {"description": "The request body is larger than 1 MiB"}},
)
def attach_file(
    room_id: int,
    caption: Annotated[str, Form(max_length=200)],
    file: UploadFile,
    upload_dir: UploadDirDep,
) -> StoredAttachment:
    # Never build a path from file.filename ("../../.bashrc", "C:\\x", ""): the name on disk
    # is ours, and the client's name is kept only as data.
    stored_as = uuid.uuid4().hex
    size = chunks = 0
    # A plain `def` endpoint runs in a worker thread, so these blocking reads and writes do not
    # stall the event loop; one chunk at a time keeps memory flat whatever the file's size.
    with (upload_dir / stored_as).open("xb") as target:
        while chunk := file.file.read(CHUNK_BYTES):
            target.write(chunk)
            size += len(chunk)
            chunks += 1
    return StoredAttachment(
        room_id=room_id,
        caption=caption,
        stored_as=stored_as,
        original_name=file.filename,
        content_type=file.content_type,
        size=size,
        chunks=chunks,
    )


# --8<-- [end:store]
