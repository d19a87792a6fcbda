"""Exercise 08.3 — A transcript in XML: a reference solution."""

from xml.sax.saxutils import escape, quoteattr

from fastapi import FastAPI, HTTPException, Response
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
def transcript_xml(room: str) -> Response:
    if room not in MESSAGES:
        raise HTTPException(status_code=404, detail="Room not found")
    # Message text is whatever members typed: escaped, so "<" and "&" cannot break the XML.
    items = "".join(
        f"<message sender={quoteattr(m.sender)}>{escape(m.text, QUOTES)}</message>"
        for m in MESSAGES[room]
    )
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    xml = declaration + f"<transcript room={quoteattr(room)}>{items}</transcript>"
    # A Response is sent as it is: no JSON encoding, and the media type we give.
    return Response(content=xml, media_type="application/xml")
