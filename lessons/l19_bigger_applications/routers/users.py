"""Users: a bare router; the app decides its prefix and tags when it includes it."""

from fastapi import APIRouter, HTTPException

# --8<-- [start:router]
router = APIRouter()

USERS = {"ada": "Ada Lovelace", "linus": "Linus Torvalds"}


@router.get("/")
def list_users() -> list[str]:
    return sorted(USERS)


@router.get("/{username}")
def read_user(username: str) -> dict[str, str]:
    if username not in USERS:
        raise HTTPException(status_code=404, detail="User not found")
    return {"username": username, "full_name": USERS[username]}


# --8<-- [end:router]
