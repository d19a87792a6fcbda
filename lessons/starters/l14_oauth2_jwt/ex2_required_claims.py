"""Exercise 14.2 — A token must expire

`/users/me` accepts any token signed with the secret. A token made without an `exp` claim (by a
bug in some other service that shares the secret, say) never expires: PyJWT checks `exp` only
when it is there.

Your task: make `jwt.decode` require the claims, with `options={"require": ["exp", "sub",
"iat"]}`. A token without any of them then gets 401, like a forged or expired one.

Check: uv run python -m lessons check 14
"""

from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

app = FastAPI(title="Exercise 14.2 — A token must expire")

SECRET = "exercise-secret-" + "s" * 32
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def current_username(token: Annotated[str, Depends(oauth2_scheme)]) -> str:
    try:
        # TODO(exercise): require the exp, sub and iat claims.
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    except jwt.InvalidTokenError as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Could not validate credentials",
            headers={"WWW-Authenticate": "Bearer"},
        ) from error
    return str(claims.get("sub"))


@app.get("/users/me")
def read_me(username: Annotated[str, Depends(current_username)]) -> dict[str, str]:
    return {"username": username}
