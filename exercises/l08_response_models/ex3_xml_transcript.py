"""Exercise 08.3 — A transcript in XML

`GET /rooms/{room}/transcript.xml` should answer the room's messages as an XML document, with
the media type `application/xml`, for an archive that reads XML. Today the function returns the
XML text itself, so FastAPI sends it as a JSON string: `"<?xml ...` in quotes, with its newline
escaped, and `Content-Type: application/json`.

Your task: return a `Response` that holds the text as it is, with the media type
`application/xml`.

Check: uv run python -m lessons check 08
"""

from xml.sax.saxutils import escape, quoteattr

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="Exercise 08.3 — A transcript in XML")


class Message(BaseModel):
    sender: str
    text: str


MESSAGES: dict[str, list[Message]] = {
    "general": [Message(sender="alice", text="Hello!"), Message(sender="bob", text="a < b & c")]
}
QUOTES = {'"': "&quot;", "'": "&apos;"}


@app.get("/rooms/{room}/transcript.xml")
def transcript_xml(room: str) -> str:
    if room not in MESSAGES:
        raise HTTPException(status_code=404, detail="Room not found")
    # Message text is whatever members typed: escaped, so "<" and "&" cannot break the XML.
    items = "".join(
        f"<message sender={quoteattr(m.sender)}>{escape(m.text, QUOTES)}</message>"
        for m in MESSAGES[room]
    )
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    # TODO(exercise): a `Response(content=..., media_type=...)` (from fastapi import Response).
    return declaration + f"<transcript room={quoteattr(room)}>{items}</transcript>"
