"""Exercise 23.1 — Stream the transcript

`GET /rooms/{room}/transcript` builds the whole transcript in memory, then sends it at once: for a
room with a million messages, the server holds them all and the client sees nothing until the
last one is written.

Your task: answer with a `StreamingResponse` (from `fastapi.responses`) over a generator that
yields one line per message, `author: text` and a newline, with the media type
`text/plain; charset=utf-8`. The lines are then sent as they are made, with no Content-Length.

Check: uv run python -m lessons check 23
"""

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

app = FastAPI(title="Exercise 23.1 — Stream the transcript")

MESSAGES = [("ada", "hello"), ("linus", "hi ada"), ("ada", "how are you?")]


@app.get("/rooms/{room}/transcript")
def transcript(room: str) -> StreamingResponse:
    def lines() -> Iterator[str]:
        for author, text in MESSAGES:
            yield f"{author}: {text}\n"

    return StreamingResponse(lines(), media_type="text/plain; charset=utf-8")
