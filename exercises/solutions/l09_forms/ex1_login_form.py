"""Exercise 09.1 — Log in with a form: a reference solution."""

from typing import Annotated

from fastapi import FastAPI, Form

app = FastAPI(title="Exercise 09.1 — Log in with a form")


@app.post("/login")
def login(
    # Form() reads the field from an urlencoded or multipart body, not the query string.
    username: Annotated[str, Form(min_length=3, max_length=30)],
    password: Annotated[str, Form(min_length=1)],
) -> dict[str, str]:
    # The password is used, never echoed back.
    return {"username": username, "message": f"Welcome back, {username}"}
