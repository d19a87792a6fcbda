"""Lesson 14: the password flow, argon2 hashes, JWTs that refuse forgery, the current-user chain."""

import base64
import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from lessons import l14_oauth2_jwt as lesson
from lessons.l14_oauth2_jwt import Settings, app, get_settings

# 64 bytes, so that the HS512 forgery below is not refused by PyJWT for a short key.
SECRET = "test-secret-" + "k" * 52
BEARER = {"www-authenticate": "Bearer"}
REFUSED = {"detail": "Could not validate credentials"}

client = TestClient(app)


@pytest.fixture(autouse=True)
def _settings() -> Iterator[None]:
    app.dependency_overrides[get_settings] = lambda: Settings(secret_key=SECRET, token_minutes=30)
    yield
    app.dependency_overrides.clear()


def login(username: str, password: str) -> Any:
    return client.post("/token", data={"username": username, "password": password})


def me(token: str) -> Any:
    return client.get("/users/me", headers={"Authorization": f"Bearer {token}"})


def claims(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    good = {"sub": "alice", "iat": now, "exp": now + timedelta(minutes=5)}
    return {k: v for k, v in {**good, **changes}.items() if v is not None}


def b64(part: dict[str, Any]) -> str:
    raw = json.dumps(part, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def assert_refused(response: Any) -> None:
    assert response.status_code == 401
    assert response.json() == REFUSED
    assert response.headers["www-authenticate"] == "Bearer"


# --- the password flow ---


def test_login_returns_a_bearer_token() -> None:
    response = login("alice", "wonderland")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type"}
    assert body["token_type"] == "bearer"


def test_the_token_is_signed_with_the_setting_and_carries_the_claims() -> None:
    token = login("alice", "wonderland").json()["access_token"]
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    decoded = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert set(decoded) == {"sub", "iat", "exp"}
    assert decoded["sub"] == "alice"
    assert decoded["exp"] - decoded["iat"] == 30 * 60
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-" + "z" * 40, algorithms=["HS256"])


def test_users_me_with_the_token() -> None:
    token = login("alice", "wonderland").json()["access_token"]
    response = me(token)
    assert response.status_code == 200
    # The response model drops hashed_password.
    assert response.json() == {"username": "alice", "full_name": "Alice Liddell", "disabled": False}


def test_the_chain_serves_a_second_endpoint() -> None:
    token = login("alice", "wonderland").json()["access_token"]
    response = client.get("/users/me/rooms", headers={"Authorization": f"Bearer {token}"})
    assert response.json() == ["general", "wonderland"]


def test_login_form_fields_are_required() -> None:
    response = client.post("/token", data={"username": "alice"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "password"], "msg": "Field required", "input": None}
        ]
    }


def test_login_refuses_a_json_body() -> None:
    response = client.post("/token", json={"username": "alice", "password": "wonderland"})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [
        ["body", "username"],
        ["body", "password"],
    ]


# --- unknown user and wrong password: the same answer, the same work ---


def test_unknown_user_and_wrong_password_get_the_same_answer() -> None:
    unknown = login("mallory", "wonderland")
    wrong = login("alice", "Wonderland")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json() == {"detail": "Incorrect username or password"}
    assert unknown.headers == wrong.headers
    assert unknown.headers["www-authenticate"] == "Bearer"


def test_both_refusals_run_one_password_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not a stopwatch: count the argon2 verifications, which is where the time goes.
    verified: list[str] = []
    real_verify = lesson.password_context.verify

    def counting_verify(secret: str, hashed: str, **kwargs: Any) -> bool:
        verified.append(hashed)
        return real_verify(secret, hashed, **kwargs)

    monkeypatch.setattr(lesson.password_context, "verify", counting_verify)
    login("mallory", "wonderland")
    assert verified == [lesson.DUMMY_HASH]
    verified.clear()
    login("alice", "Wonderland")
    assert verified == [lesson.USERS["alice"].hashed_password]


def test_the_dummy_hash_costs_what_a_real_hash_costs() -> None:
    # Same scheme and parameters ($argon2id$v=19$m=...,t=...,p=...) as the stored hashes.
    def settings(hashed: str) -> str:
        return hashed.rsplit("$", 2)[0]

    assert settings(lesson.DUMMY_HASH) == settings(lesson.USERS["alice"].hashed_password)
    assert lesson.DUMMY_HASH.startswith("$argon2id$")


# --- passwords: passlib's API from libpass, argon2 first ---


def test_passlib_comes_from_libpass() -> None:
    assert importlib.metadata.packages_distributions()["passlib"] == ["libpass"]
    assert lesson.password_context.schemes()[0] == "argon2"


def test_passlib_imports_and_hashes_without_a_warning() -> None:
    code = (
        "from passlib.context import CryptContext\n"
        "c = CryptContext(schemes=['argon2'], deprecated='auto')\n"
        "assert c.verify('pw', c.hash('pw'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_new_hash_is_argon2_and_verifies() -> None:
    hashed = lesson.password_context.hash("wonderland")
    assert hashed.startswith("$argon2id$")
    assert hashed != lesson.USERS["alice"].hashed_password  # a fresh salt each time
    assert lesson.password_context.verify("wonderland", hashed)


# --- the secret comes from a setting, and must be long enough ---


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(secret_key="too-short")


def test_the_secret_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_SECRET_KEY", "from-the-environment-" + "e" * 20)
    assert Settings().secret_key == "from-the-environment-" + "e" * 20


def test_without_a_setting_a_random_secret_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAT_SECRET_KEY", raising=False)
    first, second = Settings().secret_key, Settings().secret_key
    assert first != second
    assert len(first.encode()) >= 32


def test_the_random_secret_lasts_as_long_as_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # No override: the real get_settings, cached, signs and then checks with the same secret.
    monkeypatch.delenv("CHAT_SECRET_KEY", raising=False)
    app.dependency_overrides.clear()
    get_settings.cache_clear()
    try:
        token = login("alice", "wonderland").json()["access_token"]
        assert me(token).status_code == 200
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, SECRET, algorithms=["HS256"])
    finally:
        get_settings.cache_clear()


# --- 401 with WWW-Authenticate: Bearer ---


def test_no_token_is_401_with_the_bearer_challenge() -> None:
    response = client.get("/users/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert response.headers["www-authenticate"] == "Bearer"


def test_another_scheme_is_not_a_bearer_token() -> None:
    response = client.get("/users/me", headers={"Authorization": "Basic YWxpY2U6d29uZGVybGFuZA=="})
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}


def test_garbage_is_refused() -> None:
    assert_refused(me("not-a-jwt"))


# --- forgeries: each refused ---


def test_forgery_alg_none() -> None:
    unsigned = jwt.encode(claims(), None, algorithm="none")
    assert jwt.get_unverified_header(unsigned)["alg"] == "none"
    assert unsigned.endswith(".")  # no signature at all
    assert_refused(me(unsigned))


def test_forgery_wrong_signature() -> None:
    assert_refused(me(jwt.encode(claims(), "not-the-secret-" + "x" * 50, algorithm="HS256")))


def test_forgery_tampered_payload() -> None:
    header, _, signature = jwt.encode(claims(sub="dave"), SECRET, algorithm="HS256").split(".")
    now = int(datetime.now(UTC).timestamp())
    payload = b64({"sub": "alice", "iat": now, "exp": now + 300})
    assert_refused(me(f"{header}.{payload}.{signature}"))


def test_forgery_expired_token() -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    expired = jwt.encode(
        claims(iat=past, exp=past + timedelta(minutes=30)), SECRET, algorithm="HS256"
    )
    assert_refused(me(expired))


@pytest.mark.parametrize("missing", ["exp", "sub", "iat"])
def test_forgery_missing_required_claim(missing: str) -> None:
    token = jwt.encode(claims(**{missing: None}), SECRET, algorithm="HS256")
    assert missing not in jwt.decode(token, options={"verify_signature": False})
    assert_refused(me(token))


def test_forgery_another_algorithm_with_the_same_secret() -> None:
    token = jwt.encode(claims(), SECRET, algorithm="HS512")
    # Correctly signed with our own secret, yet refused: only HS256 is accepted.
    assert jwt.decode(token, SECRET, algorithms=["HS512"])["sub"] == "alice"
    assert_refused(me(token))


def test_a_token_issued_in_the_future_is_refused() -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    token = jwt.encode(claims(iat=later, exp=later + timedelta(minutes=5)), SECRET, "HS256")
    assert_refused(me(token))


def test_a_valid_token_for_an_unknown_account_is_refused() -> None:
    assert_refused(me(jwt.encode(claims(sub="ghost"), SECRET, algorithm="HS256")))


def test_a_hand_made_valid_token_is_accepted() -> None:
    # The control for the forgeries above: the same claims, correctly signed, get in.
    assert me(jwt.encode(claims(), SECRET, algorithm="HS256")).status_code == 200


# --- the active-user check ---


def test_a_disabled_user_logs_in_but_is_refused_with_403() -> None:
    response = login("dave", "hunter22")
    assert response.status_code == 200
    refused = me(response.json()["access_token"])
    assert refused.status_code == 403
    assert refused.json() == {"detail": "This account is disabled"}
    assert "www-authenticate" not in refused.headers


# --- the OpenAPI document ---


def test_openapi_declares_the_password_flow() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 14 — OAuth2 with JWT"
    assert schema["components"]["securitySchemes"] == {
        "OAuth2PasswordBearer": {
            "type": "oauth2",
            "flows": {"password": {"scopes": {}, "tokenUrl": "token"}},
        }
    }
    for path in ("/users/me", "/users/me/rooms"):
        assert schema["paths"][path]["get"]["security"] == [{"OAuth2PasswordBearer": []}]
    assert "security" not in schema["paths"]["/token"]["post"]


def test_openapi_token_takes_a_form() -> None:
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/token"]["post"]["requestBody"]
    assert list(body["content"]) == ["application/x-www-form-urlencoded"]
    form = schema["components"]["schemas"]["Body_login_token_post"]
    assert form["required"] == ["username", "password"]
    assert form["properties"]["password"]["format"] == "password"
    assert "hashed_password" not in schema["components"]["schemas"]["User"]["properties"]
