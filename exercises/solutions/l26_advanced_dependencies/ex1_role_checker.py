"""Exercise 26.1 — A role checker that checks

`RequireRole(role)` is a dependency with a parameter: each instance is made with the lowest role
an endpoint accepts. But `__call__` forgets to compare: any member of the room gets through, so
carol, a plain member, can delete messages.

Your task: in `__call__`, refuse a member whose role ranks below `self.role` with 403 and the
detail "Needs the role <role>" (for example "Needs the role moderator"). A higher role passes:
the owner may do what a moderator may.

Check: uv run python -m lessons check 26
"""

from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, status

app = FastAPI(title="Exercise 26.1 — A role checker that checks")

ROLES = {"alice": "owner", "bob": "moderator", "carol": "member"}
RANKS = {"member": 1, "moderator": 2, "owner": 3}
MESSAGES = {1: "alice: Welcome!", 2: "carol: buy cheap watches"}


class RequireRole:
    def __init__(self, role: str) -> None:
        self.role = role

    def __call__(self, x_user: Annotated[str, Header()]) -> str:
        role = ROLES.get(x_user)
        if role is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"{x_user} is not in general")
        if RANKS[role] < RANKS[self.role]:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"Needs the role {self.role}")
        return x_user


@app.get("/rooms/general/messages")
def read_messages(user: Annotated[str, Depends(RequireRole("member"))]) -> dict[int, str]:
    return MESSAGES


@app.delete("/rooms/general/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_message(
    message_id: int, user: Annotated[str, Depends(RequireRole("moderator"))]
) -> None:
    MESSAGES.pop(message_id, None)


@app.delete("/rooms/general", status_code=status.HTTP_204_NO_CONTENT)
def close_room(user: Annotated[str, Depends(RequireRole("owner"))]) -> None:
    MESSAGES.clear()
