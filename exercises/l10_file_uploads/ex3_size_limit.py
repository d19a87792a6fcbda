"""Exercise 10.3 — Refuse a big upload while it arrives

`POST /rooms/{room_id}/attachments` takes attachments of 1 MiB at most. A bigger request should
be refused with 413 "Content Too Large" while its body arrives, before the form is parsed and
before anything of the endpoint runs: no upload folder opened, no file written. Today there is
no limit at all, so a 2 MiB upload is stored whole.

Your task: give the route a limit on the request body's size of `MAX_ATTACHMENT_BYTES`. A check
inside the function would come too late: the whole upload would have been received by then.

Check: uv run python -m lessons check 10
"""

import os
import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, UploadFile
from pydantic import BaseModel

app = FastAPI(title="Exercise 10.3 — Refuse a big upload while it arrives")

# The limit counts the whole request body: the file, the other fields and the multipart framing.
MAX_ATTACHMENT_BYTES = 1024 * 1024
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
    size: int


@app.post(
    "/rooms/{room_id}/attachments",
    status_code=201,
    # TODO(exercise): a limit on the body's size, enforced while the body is received.
    responses={413: {"description": "The request body is larger than 1 MiB"}},
)
def attach_file(room_id: int, file: UploadFile, upload_dir: UploadDirDep) -> StoredAttachment:
    stored_as = uuid.uuid4().hex
    size = 0
    with (upload_dir / stored_as).open("xb") as target:
        while chunk := file.file.read(CHUNK_BYTES):
            target.write(chunk)
            size += len(chunk)
    return StoredAttachment(room_id=room_id, stored_as=stored_as, size=size)
