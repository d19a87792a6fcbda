"""Exercise 08.1 — No password hash in the answer

`POST /users` creates a member and keeps a hash of their password. The answer should hold only
what anyone may see, `username` and `full_name`. Today the function's return annotation is
`UserInDB`, so the answer, and the schema in `/docs`, include `password_hash`.

Your task: let `UserBase` be the response model, so that only its fields go out.

Check: uv run python -m lessons check 08
"""

import hashlib

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Exercise 08.1 — No password hash in the answer")


class UserBase(BaseModel):
    username: str
    full_name: str | None = None


class UserIn(UserBase):
    password: str = Field(min_length=8)


class UserInDB(UserBase):
    password_hash: str


USERS: dict[str, UserInDB] = {}


@app.post("/users", status_code=201)
# TODO(exercise): the answer's model is the return annotation: make it the public one.
def create_user(user: UserIn) -> UserInDB:
    # Not a real password hash (lesson 14 has one); it stands for "what the server keeps".
    digest = hashlib.sha256(user.password.encode()).hexdigest()
    stored = UserInDB(**user.model_dump(exclude={"password"}), password_hash=digest)
    USERS[user.username] = stored
    return stored
