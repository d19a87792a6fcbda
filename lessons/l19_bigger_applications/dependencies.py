"""Dependencies shared by several routers: one place to change who may call what."""

from typing import Annotated

from fastapi import Header, HTTPException, status

# A teaching stand-in for real authentication (lesson 14 does it properly).
MEMBER_TOKEN = "member-token"
ADMIN_KEY = "admin-key"


# --8<-- [start:dependencies]
def require_member(x_chat_token: Annotated[str, Header()]) -> None:
    if x_chat_token != MEMBER_TOKEN:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Invalid X-Chat-Token header")


def require_admin(x_admin_key: Annotated[str, Header()]) -> None:
    if x_admin_key != ADMIN_KEY:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Admins only")


# --8<-- [end:dependencies]
