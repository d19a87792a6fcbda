"""Exercise 24.1 — Moderators only

Anyone with a valid token can delete any message: the endpoint asks for a caller, but for no
scope. `get_caller` already refuses a token that lacks a scope the endpoint asks for; nothing
asks yet.

Your task: make `DELETE /rooms/{room}/messages/{message_id}` ask for the scope `moderate`, so a
token without it gets 403 and the OpenAPI document lists the scope for that operation.

Check: uv run python -m lessons check 24
"""

from typing import Annotated

from fastapi import FastAPI, HTTPException, Security, status
from fastapi.security import OAuth2PasswordBearer, SecurityScopes

app = FastAPI(title="Exercise 24.1 — Moderators only")

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="token", scopes={"read": "Read messages.", "moderate": "Delete anyone's messages."}
)
# Tokens and their scopes, stood in for a real login so the exercise is about scopes alone.
TOKENS = {"reader-token": ("bob", ["read"]), "moderator-token": ("alice", ["read", "moderate"])}
MESSAGES = {1: "Welcome!", 2: "buy cheap watches"}


def get_caller(
    security_scopes: SecurityScopes, token: Annotated[str, Security(oauth2_scheme)]
) -> str:
    if token not in TOKENS:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Could not validate credentials",
            {"WWW-Authenticate": "Bearer"},
        )
    username, granted = TOKENS[token]
    missing = [scope for scope in security_scopes.scopes if scope not in granted]
    if missing:
        challenge = f'Bearer error="insufficient_scope", scope="{security_scopes.scope_str}"'
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"Missing scope: {' '.join(missing)}",
            {"WWW-Authenticate": challenge},
        )
    return username


@app.delete("/rooms/general/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_message(
    message_id: int,
    # TODO(exercise): ask for the scope: `Security(get_caller, scopes=["moderate"])`.
    caller: Annotated[str, Security(get_caller)],
) -> None:
    if message_id not in MESSAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No message {message_id}")
    del MESSAGES[message_id]
