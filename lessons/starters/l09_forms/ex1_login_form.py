"""Exercise 09.1 — Log in with a form

The login page posts an HTML form to `POST /login`: `username=alice&password=wonderland`, sent as
`application/x-www-form-urlencoded`. Today `username` and `password` are plain `str`
parameters, so FastAPI looks for them in the query string, and every login from the page is
answered 422 "Field required".

Your task: read both fields from the form, with a username of 3 to 30 characters and a password
of at least 1.

Check: uv run python -m lessons check 09
"""

from fastapi import FastAPI

app = FastAPI(title="Exercise 09.1 — Log in with a form")


@app.post("/login")
def login(
    # TODO(exercise): read these from the form: `Annotated[str, Form(...)]`.
    username: str,
    password: str,
) -> dict[str, str]:
    # The password is used, never echoed back.
    return {"username": username, "message": f"Welcome back, {username}"}
