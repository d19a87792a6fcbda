"""Exercise 29.2 — Keep the password in

A sign-up sends a username and a password, and the endpoint answers with the same model: the
password goes straight back out, into every log and proxy on the way.

Your task: add a model `UserOut` with the fields `username` and `display_name` only (make
`UserIn` extend it and add the password, so the shared fields are written once), and make the
endpoint answer a `UserOut`. The answer keeps its 201.

Check: uv run python -m lessons check 29
"""

from fastapi import FastAPI, status
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 29.2 — Keep the password in")


# TODO(exercise): a UserOut(BaseModel) with username and display_name; UserIn(UserOut) adds the
# password; the endpoint returns a UserOut.
class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=20)
    display_name: str = ""
    password: str = Field(min_length=8)


@app.post("/users", status_code=status.HTTP_201_CREATED)
def sign_up(user: UserIn) -> UserIn:
    return user
