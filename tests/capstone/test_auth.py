"""Sign-up, tokens, tickets, the cookie and its CSRF guard, and every forged token we refuse."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from jwt.warnings import InsecureKeyLengthWarning

from capstone.security import COOKIE_NAME, TOKEN_TYPE, create_access_token, verify_password
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


def _forge(
    claims: dict[str, object],
    key: str = SECRET,
    algorithm: str = "HS256",
    typ: str | None = TOKEN_TYPE,
) -> str:
    headers = {"typ": typ} if typ is not None else {}
    with warnings.catch_warnings():
        # Signing with our 46-byte key under HS512 is the forger's problem, not a test failure.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def _alg_none(claims: dict[str, object]) -> str:
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"at+jwt"}').decode()
    payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()
    return f"{header}.{payload}."


def _changed(real: dict[str, object], **changes: object) -> dict[str, object]:
    """A real token's claims with one thing changed (None: left out)."""
    claims = dict(real)
    for name, value in changes.items():
        if value is None:
            claims.pop(name)
        else:
            claims[name] = value
    return claims


AN_HOUR_AGO = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
# Each differs from alice's real token (signed with the real key) in exactly one way.
FORGERIES: dict[str, Callable[[dict[str, object]], str]] = {
    "alg none": lambda real: _alg_none(real),
    "wrong signature": lambda real: _forge(real, key="another-secret-that-is-also-long-enough!!"),
    "expired": lambda real: _forge(_changed(real, exp=AN_HOUR_AGO)),
    "no exp": lambda real: _forge(_changed(real, exp=None)),
    "no sub": lambda real: _forge(_changed(real, sub=None)),
    "no iat": lambda real: _forge(_changed(real, iat=None)),
    "no sid": lambda real: _forge(_changed(real, sid=None)),
    "no jti": lambda real: _forge(_changed(real, jti=None)),
    "no iss": lambda real: _forge(_changed(real, iss=None)),
    "no aud": lambda real: _forge(_changed(real, aud=None)),
    "another issuer": lambda real: _forge(_changed(real, iss="someone-else")),
    "for another audience": lambda real: _forge(_changed(real, aud="another-service")),
    "no typ in the header": lambda real: _forge(real, typ=None),
    "typ JWT, not an access token": lambda real: _forge(real, typ="JWT"),
    "a session that never was": lambda real: _forge(_changed(real, sid="made-up-session-id")),
    "alice's session, bob's id": lambda real: _forge(_changed(real, sub="2")),
    "other algorithm": lambda real: _forge(real, algorithm="HS512"),
    "not a token": lambda real: "not.a.token",
}


def _real_claims(who: Member) -> dict[str, object]:
    return jwt.decode(who.token, options={"verify_signature": False})


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_forged_tokens_are_refused(
    client: TestClient, member: Callable[..., Member], forgery: str
) -> None:
    alice = member("alice")
    member("bob")  # user 2 exists: only the token is wrong
    token = FORGERIES[forgery](_real_claims(alice))
    response = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    client.cookies.set(COOKIE_NAME, token)
    assert client.get("/api/users/me").status_code == 401


def test_the_real_token_and_one_made_like_it_work(
    client: TestClient, member: Callable[..., Member], settings: Settings
) -> None:
    """The control for the forgeries above: the same claims, signed as the server signs."""
    alice = member("alice")
    real = _real_claims(alice)
    assert jwt.get_unverified_header(alice.token)["typ"] == "at+jwt"
    assert {"sub", "sid", "jti", "iat", "exp", "iss", "aud"} <= set(real)
    for token in [alice.token, _forge(real), create_access_token(settings, 1, str(real["sid"]))]:
        response = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200


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
