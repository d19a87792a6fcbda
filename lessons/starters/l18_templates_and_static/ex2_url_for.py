"""Exercise 18.2 — Links that follow the app

The page links its stylesheet as `/static/chat.css`. Served under a prefix (behind a proxy at
`/chat`, or inside the course's home page), that address is wrong: the browser asks for
`/static/chat.css` and the stylesheet is at `/chat/static/chat.css`.

Your task: write the link with `{{ url_for('static', path='chat.css') }}` in the template. It
builds the address from the mount named "static" and the app's root path.

Check: uv run python -m lessons check 18
"""

import tempfile
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import DictLoader, Environment, select_autoescape

app = FastAPI(title="Exercise 18.2 — Links that follow the app")

STATIC = Path(tempfile.mkdtemp(prefix="chat-static-"))
(STATIC / "chat.css").write_text("body { font-family: sans-serif; }\n")
app.mount("/static", StaticFiles(directory=STATIC), name="static")

# TODO(exercise): the href below, built with url_for('static', path='chat.css').
PAGE = """<!doctype html>
<title>{{ room }}</title>
<link rel="stylesheet" href="/static/chat.css">
<h1>{{ room }}</h1>
"""
environment = Environment(loader=DictLoader({"room.html": PAGE}), autoescape=select_autoescape())
templates = Jinja2Templates(env=environment)


@app.get("/rooms/{room}", response_class=HTMLResponse)
def room_page(request: Request, room: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "room.html", {"room": room})
