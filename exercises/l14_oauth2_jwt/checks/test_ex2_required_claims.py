"""Checks for exercise 14.2: a token must carry exp, sub and iat."""

from datetime import UTC, datetime, timedelta
from types import ModuleType

import jwt
import pytest
from fastapi.testclient import TestClient


def token(exercise: ModuleType, leave_out: str | None = None) -> str:
    now = datetime.now(UTC)
    claims = {"sub": "alice", "iat": now, "exp": now + timedelta(minutes=5)}
    claims.pop(leave_out or "", None)
    return jwt.encode(claims, exercise.SECRET, algorithm="HS256")


def test_a_complete_token_is_accepted(client: TestClient, exercise: ModuleType) -> None:
    response = client.get("/users/me", headers={"Authorization": f"Bearer {token(exercise)}"})
    assert response.json() == {"username": "alice"}, f"a valid token answered {response.text}"


@pytest.mark.parametrize("missing", ["exp", "sub", "iat"])
def test_a_token_without_a_claim_is_refused(
    client: TestClient, exercise: ModuleType, missing: str
) -> None:
    headers = {"Authorization": f"Bearer {token(exercise, leave_out=missing)}"}
    response = client.get("/users/me", headers=headers)
    assert response.status_code == 401, (
        f"a token signed with the secret but without `{missing}` answered "
        f"{response.status_code} {response.text}; expected 401"
    )
