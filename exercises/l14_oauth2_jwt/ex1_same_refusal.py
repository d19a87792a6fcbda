"""Exercise 14.1 — One refusal for both mistakes

`/token` answers "No such user" for an unknown name and "Wrong password" for a known name with
the wrong password: anyone can find out which usernames exist, one guess at a time.

Your task: answer both with the same 401, detail "Incorrect username or password", and the
header `WWW-Authenticate: Bearer`.

Check: uv run python -m lessons check 14
"""

import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

app = FastAPI(title="Exercise 14.1 — One refusal for both mistakes")

# Passwords in clear, only to keep the exercise about the answer: lesson 14 stores argon2 hashes.
PASSWORDS = {"alice": "wonderland"}


@app.post("/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    # TODO(exercise): one 401 for both, "Incorrect username or password", WWW-Authenticate: Bearer.
    if form.username not in PASSWORDS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such user")
    if not secrets.compare_digest(form.password, PASSWORDS[form.username]):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong password")
    return {"access_token": f"token-for-{form.username}", "token_type": "bearer"}
