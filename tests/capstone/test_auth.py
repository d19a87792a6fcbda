"""Sign-up, tokens, tickets, the cookie and its CSRF guard, and every forged token we refuse."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from jwt.warnings import InsecureKeyLengthWarning

from capstone.security import COOKIE_NAME, create_access_token, verify_password
from capstone.settings import Settings
from tests.capstone.conftest import ORIGIN, PASSWORD, SECRET, Member

NOT_AUTHENTICATED = {"detail": "Not authenticated"}


def test_register_then_log_in(client: TestClient) -> None:
    response = client.post("/api/auth/register", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json() == {"id": 1, "username": "alice"}

    token = client.post("/api/auth/token", data={"username": "alice", "password": PASSWORD})
    assert token.status_code == 200
    assert token.json()["token_type"] == "bearer"
    me = client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json() == {"id": 1, "username": "alice"}  # never a password hash


def test_a_taken_name_is_409(client: TestClient, member: Callable[..., Member]) -> None:
    member("alice")
    response = client.post("/api/auth/register", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 409
    assert response.json() == {"detail": "Username already taken"}


def test_a_bad_name_or_password_is_422(client: TestClient) -> None:
    response = client.post("/api/auth/register", json={"username": "a b", "password": "short"})
    assert response.status_code == 422
    assert [(error["loc"], error["type"]) for error in response.json()["detail"]] == [
        (["body", "username"], "string_pattern_mismatch"),
        (["body", "password"], "string_too_short"),
    ]


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_wrong_password_or_unknown_user_is_401(
    client: TestClient, member: Callable[..., Member], username: str
) -> None:
    member("alice")
    response = client.post("/api/auth/token", data={"username": username, "password": "wrong-pass"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect username or password"}
    assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_user_still_pays_for_a_hash() -> None:
    # The dummy verify runs and says no: same work, same answer as a wrong password.
    assert verify_password("anything-at-all", None) is False


def test_no_credentials_is_401(client: TestClient) -> None:
    response = client.get("/api/users/me")
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    assert response.headers["www-authenticate"] == "Bearer"


def _forge(claims: dict[str, object], key: str = SECRET, algorithm: str = "HS256") -> str:
    with warnings.catch_warnings():
        # Signing with our 46-byte key under HS512 is the forger's problem, not a test failure.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, key, algorithm=algorithm)


def _alg_none(claims: dict[str, object]) -> str:
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    now = datetime.now(UTC)
    body = {
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
        **claims,
    }
    payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(body).encode()).decode()
    return f"{header}.{payload}."


def _claims(**changes: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": "1",
        "iat": now,
        "exp": now + timedelta(hours=1),
        "typ": "access",
    }
    for name, value in changes.items():
        if value is None:
            claims.pop(name)
        else:
            claims[name] = value
    return claims


FORGERIES: dict[str, Callable[[], str]] = {
    "alg none": lambda: _alg_none({"sub": "1", "typ": "access"}),
    "wrong signature": lambda: _forge(_claims(), key="another-secret-that-is-also-long-enough!!"),
    "expired": lambda: _forge(
        _claims(
            iat=datetime.now(UTC) - timedelta(hours=2), exp=datetime.now(UTC) - timedelta(hours=1)
        )
    ),
    "no exp": lambda: _forge(_claims(exp=None)),
    "no sub": lambda: _forge(_claims(sub=None)),
    "no iat": lambda: _forge(_claims(iat=None)),
    "other algorithm": lambda: _forge(_claims(), algorithm="HS512"),
    "not a token": lambda: "not.a.token",
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_forged_tokens_are_refused(
    client: TestClient, member: Callable[..., Member], forgery: str
) -> None:
    member("alice")  # user 1 exists: only the token is wrong
    token = FORGERIES[forgery]()
    response = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    client.cookies.set(COOKIE_NAME, token)
    assert client.get("/api/users/me").status_code == 401


def test_the_real_token_works(
    client: TestClient, member: Callable[..., Member], settings: Settings
) -> None:
    member("alice")
    token = create_access_token(settings, 1)
    assert (
        client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )


def test_ws_ticket_needs_a_user(client: TestClient, member: Callable[..., Member]) -> None:
    assert client.post("/api/auth/ws-ticket").status_code == 401
    alice = member("alice")
    response = client.post("/api/auth/ws-ticket", headers=alice.auth)
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 30
    assert len(body["ticket"]) >= 32


def test_cookie_works_for_reads_and_same_origin_writes(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice = member("alice")
    client.cookies.set(COOKIE_NAME, alice.token)
    assert client.get("/api/users/me").json()["username"] == "alice"
    created = client.post("/api/rooms", json={"name": "general"}, headers={"Origin": ORIGIN})
    assert created.status_code == 201


@pytest.mark.parametrize("origin", [None, "https://evil.example", "null"])
def test_cookie_writes_from_elsewhere_are_403(
    client: TestClient, member: Callable[..., Member], origin: str | None
) -> None:
    alice = member("alice")
    client.cookies.set(COOKIE_NAME, alice.token)
    headers = {"Origin": origin} if origin else {}
    response = client.post("/api/rooms", json={"name": "general"}, headers=headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "Origin not allowed"}


def test_bearer_writes_need_no_origin(client: TestClient, member: Callable[..., Member]) -> None:
    alice = member("alice")
    response = client.post(
        "/api/rooms",
        json={"name": "general"},
        headers={**alice.auth, "Origin": "https://evil.example"},
    )
    assert response.status_code == 201
