"""Exercise 10.2 — A name on disk that is ours: a reference solution."""

import os
import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, UploadFile
from pydantic import BaseModel

app = FastAPI(title="Exercise 10.2 — A name on disk that is ours")

CHUNK_BYTES = 64 * 1024


def get_upload_dir() -> Path:
    # A dependency, so the checks point it at a temporary folder of their own.
    default = Path(tempfile.gettempdir()) / "fastapi-chat-exercise-10"
    directory = Path(os.environ.get("CHAT_UPLOAD_DIR", default))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


UploadDirDep = Annotated[Path, Depends(get_upload_dir)]


class StoredAttachment(BaseModel):
    room_id: int
    stored_as: str
    original_name: str | None
    size: int


@app.post("/rooms/{room_id}/attachments", status_code=201)
def attach_file(room_id: int, file: UploadFile, upload_dir: UploadDirDep) -> StoredAttachment:
    # Never build a path from file.filename ("../../.bashrc", "C:\\x", ""): the name on disk
    # is ours, and the client's name is kept only as data.
    stored_as = uuid.uuid4().hex
    size = 0
    with (upload_dir / stored_as).open("xb") as target:
        while chunk := file.file.read(CHUNK_BYTES):
            target.write(chunk)
            size += len(chunk)
    return StoredAttachment(
        room_id=room_id, stored_as=stored_as, original_name=file.filename, size=size
    )
