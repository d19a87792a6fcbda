"""Exercise 18.1 — Text stays text

The room page shows each message with `{{ message|safe }}`: the template trusts the text, so a
message `<img src=x onerror=alert(1)>` becomes a real image tag whose script runs in everyone's
browser.

Your task: remove `|safe` from the template. Jinja2 then escapes the text (`<` becomes `&lt;`),
and a message shows exactly as it was typed.

Check: uv run python -m lessons check 18
"""

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import DictLoader, Environment, select_autoescape

app = FastAPI(title="Exercise 18.1 — Text stays text")

PAGE = """<!doctype html>
<title>{{ room }}</title>
<ul>
{% for message in messages %}  <li>{{ message }}</li>
{% endfor %}</ul>
"""
environment = Environment(loader=DictLoader({"room.html": PAGE}), autoescape=select_autoescape())
templates = Jinja2Templates(env=environment)
MESSAGES = ["ada: hello", "mallory: <img src=x onerror=alert(1)>", "bob: 1 < 2 & 3 > 2"]


@app.get("/rooms/{room}", response_class=HTMLResponse)
def room_page(request: Request, room: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "room.html", {"room": room, "messages": MESSAGES})
