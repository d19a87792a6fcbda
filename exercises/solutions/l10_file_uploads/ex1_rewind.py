"""Exercise 10.1 — Read the start, then the whole file: a reference solution."""

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
