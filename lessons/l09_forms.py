"""Lesson 09 — Forms

A login form read field by field with `Form()`, and a "new room" form read into one Pydantic model
with `Annotated[NewRoom, Form()]`, which forbids fields it does not know. It shows how HTML form
values arrive (all text, converted by the annotations; a ticked checkbox; a repeated field as a
list), and why a JSON body sent to a form endpoint is answered with "Field required".

Run:  uvicorn lessons.l09_forms:app --reload   (then open http://127.0.0.1:8000/)
Test: pytest tests/lessons/test_l09_forms.py
"""

from typing import Annotated

from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI(
    title="Lesson 09 — Forms",
    description="Log in and open a room with HTML forms: `Form()` fields and a form model.",
)


# --8<-- [start:page]
@app.get("/", response_class=HTMLResponse)
def forms_page() -> str:
    # Relative actions, so the page also works when the lesson is mounted under /lessons/09/.
    return """<!doctype html>
<title>Lesson 09 — Forms</title>
<form method="post" action="login">
  <input name="username" placeholder="username"> <input name="password" type="password">
  <button>Log in</button>
</form>
<form method="post" action="rooms">
  <input name="name" placeholder="room name"> <input name="topic" placeholder="topic">
  <label><input type="checkbox" name="private"> private</label>
  <label><input type="checkbox" name="tags" value="books"> books</label>
  <label><input type="checkbox" name="tags" value="weekly"> weekly</label>
  <button>Open the room</button>
</form>
"""


# --8<-- [end:page]


# --8<-- [start:login]
@app.post("/login")
def login(
    username: Annotated[str, Form(min_length=3, max_length=30)],
    password: Annotated[str, Form(min_length=1)],
) -> dict[str, str]:
    # Form() reads the field from an urlencoded or multipart body; without it, a plain `str`
    # parameter would be a query parameter. The password is used, never echoed back.
    return {"username": username, "message": f"Welcome back, {username}"}


# --8<-- [end:login]


# --8<-- [start:model]
class NewRoom(BaseModel):
    # A form is whatever the browser sends; "forbid" turns a misspelt or injected field into a
    # 422 instead of silently dropping it.
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")]
    topic: str = ""
    # An unticked checkbox is not sent at all, so the default must be False; a ticked one
    # sends "on", which Pydantic reads as True.
    private: bool = False
    max_members: Annotated[int, Field(ge=2, le=500)] = 50
    # Several checkboxes with the same name arrive as a repeated field: a list.
    tags: list[str] = []


@app.post("/rooms", status_code=201)
def open_room(room: Annotated[NewRoom, Form()]) -> NewRoom:
    return room


# --8<-- [end:model]
