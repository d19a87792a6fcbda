"""Exercise 10.1 — Read the start, then the whole file

`POST /attachments/inspect` looks at the first bytes of an upload to tell what it really is
(a PNG starts with `\\x89PNG`), then answers the SHA-256 digest of the whole file, which the
client compares with its own. Today the digest is wrong for every file: reading the first eight
bytes moved the file's position, so the loop that follows reads the file from its ninth byte on.

Your task: go back to the start of the file before the digest is computed.

Check: uv run python -m lessons check 10
"""

import hashlib

from fastapi import FastAPI, UploadFile

app = FastAPI(title="Exercise 10.1 — Read the start, then the whole file")

MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif"}
CHUNK_BYTES = 64 * 1024


def sniff(head: bytes) -> str:
    return next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), "unknown")


@app.post("/attachments/inspect")
async def inspect_attachment(file: UploadFile) -> dict[str, object]:
    head = await file.read(8)
    # The content type is what the client *claims*; the first bytes are what it sent.
    sniffed = sniff(head)
    # TODO(exercise): back to the start of the file (an `await` on one of UploadFile's methods).
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
