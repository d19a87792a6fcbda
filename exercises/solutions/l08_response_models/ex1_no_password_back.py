"""Exercise 08.1 — No password hash in the answer: a reference solution."""

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
def create_user(user: UserIn) -> UserBase:
    # Not a real password hash (lesson 14 has one); it stands for "what the server keeps".
    digest = hashlib.sha256(user.password.encode()).hexdigest()
    stored = UserInDB(**user.model_dump(exclude={"password"}), password_hash=digest)
    USERS[user.username] = stored
    # The return annotation is the response model: only UserBase's fields go out.
    return stored
