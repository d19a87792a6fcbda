"""Lesson 24: scopes a token carries and endpoints ask for, HTTP Basic, an API-key header."""

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from lessons import l24_security_scopes as lesson
from lessons.l24_security_scopes import Settings, app, get_settings

SECRET = "test-secret-" + "k" * 40
SETTINGS = Settings(
    secret_key=SECRET,
    admin_username="operator",
    admin_password=SecretStr("s3cret-password"),
    bot_key=SecretStr("the-bot-key"),
)
client = TestClient(app)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    app.dependency_overrides[get_settings] = lambda: SETTINGS
    saved = {room: list(messages) for room, messages in lesson.MESSAGES.items()}
    yield
    app.dependency_overrides.clear()
    lesson.MESSAGES.clear()
    lesson.MESSAGES.update(saved)


def login(username: str, password: str, scope: str = "") -> Any:
    return client.post("/token", data={"username": username, "password": password, "scope": scope})


def token(username: str, scope: str) -> str:
    password = {"alice": "wonderland", "bob": "builder"}[username]
    response = login(username, password, scope)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def hand_made(claims: dict[str, Any]) -> str:
    now = datetime.now(UTC)
    return jwt.encode({"iat": now, "exp": now + timedelta(minutes=5), **claims}, SECRET, "HS256")


# ---- the token: scopes asked for, granted or refused ----


def test_the_token_carries_the_scopes_asked_for() -> None:
    response = login("bob", "builder", "write read")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["scope"] == "read write"
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == "bob" and claims["scope"] == "read write"


def test_a_scope_the_account_may_not_have_is_refused_by_name() -> None:
    response = login("bob", "builder", "read moderate")
    assert response.status_code == 400
    assert response.json() == {"detail": "Scope not allowed: moderate"}


def test_a_scope_that_does_not_exist_is_refused_by_name() -> None:
    response = login("alice", "wonderland", "read admin")
    assert response.status_code == 400
    assert response.json() == {"detail": "Scope not allowed: admin"}


def test_asking_for_no_scope_gives_a_token_that_can_only_say_who_it_is() -> None:
    plain = token("bob", "")
    assert client.get("/users/me", headers=bearer(plain)).json() == {
        "username": "bob",
        "scopes": [],
    }
    assert client.get("/rooms/general/messages", headers=bearer(plain)).status_code == 403


def test_a_wrong_password_is_401_and_says_nothing_about_scopes() -> None:
    response = login("bob", "wrong", "moderate")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "Incorrect username or password"}


# ---- endpoints asking for scopes ----


def test_read_write_moderate_each_open_what_they_name() -> None:
    bob = token("bob", "read write")
    listed = client.get("/rooms/general/messages", headers=bearer(bob))
    assert listed.status_code == 200
    assert listed.json() == [{"id": 1, "author": "alice", "text": "Welcome!"}]
    posted = client.post("/rooms/general/messages", headers=bearer(bob), json={"text": "hi all"})
    assert posted.status_code == 201
    assert posted.json() == {"id": 2, "author": "bob", "text": "hi all"}
    alice = token("alice", "moderate")
    assert client.delete("/rooms/general/messages/2", headers=bearer(alice)).status_code == 204
    after = client.get("/rooms/general/messages", headers=bearer(bob)).json()
    assert [m["id"] for m in after] == [1]


@pytest.mark.parametrize(
    ("method", "path", "needs"),
    [
        ("GET", "/rooms/general/messages", "read"),
        ("POST", "/rooms/general/messages", "write"),
        ("DELETE", "/rooms/general/messages/1", "moderate"),
    ],
)
def test_a_missing_scope_is_403_naming_it_with_the_rfc_6750_challenge(
    method: str, path: str, needs: str
) -> None:
    scopes = {"read", "write", "moderate"} - {needs}
    alice = token("alice", " ".join(sorted(scopes)))
    response = client.request(method, path, headers=bearer(alice), json={"text": "x"})
    assert response.status_code == 403
    assert response.json() == {"detail": f"Missing scope: {needs}"}
    assert response.headers["www-authenticate"] == (
        f'Bearer error="insufficient_scope", scope="{needs}"'
    )
    assert [m.id for m in lesson.MESSAGES["general"]] == [1]  # nothing changed


def test_a_bad_token_is_401_and_the_challenge_names_the_scopes_needed() -> None:
    response = client.get("/rooms/general/messages", headers=bearer("not-a-jwt"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer scope="read"'
    assert client.get("/users/me", headers=bearer("x")).headers["www-authenticate"] == "Bearer"


def test_no_token_at_all_is_401() -> None:
    response = client.get("/rooms/general/messages")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_scope_written_into_a_token_without_the_secret_is_refused() -> None:
    forged = jwt.encode(
        {"sub": "bob", "scope": "moderate", "iat": datetime.now(UTC), "exp": 2**40},
        "another-secret-of-enough-length-000000",
        "HS256",
    )
    assert client.delete("/rooms/general/messages/1", headers=bearer(forged)).status_code == 401


@pytest.mark.parametrize("scope", [["read"], 7, {"read": True}])
def test_a_scope_claim_that_is_not_a_string_is_refused(scope: Any) -> None:
    odd = hand_made({"sub": "bob", "scope": scope})
    assert client.get("/rooms/general/messages", headers=bearer(odd)).status_code == 401


def test_a_scope_is_matched_whole_not_as_a_substring() -> None:
    sneaky = hand_made({"sub": "bob", "scope": "readonly"})
    assert client.get("/rooms/general/messages", headers=bearer(sneaky)).status_code == 403


def test_unknown_room_and_message_are_404() -> None:
    alice = token("alice", "read moderate")
    nowhere = client.get("/rooms/nowhere/messages", headers=bearer(alice))
    assert nowhere.status_code == 404 and nowhere.json() == {"detail": "No room named 'nowhere'"}
    gone = client.delete("/rooms/general/messages/99", headers=bearer(alice))
    assert gone.status_code == 404 and gone.json() == {"detail": "No message 99 in 'general'"}


@pytest.mark.parametrize("text", ["", "x" * 501])
def test_a_message_out_of_bounds_is_422(text: str) -> None:
    bob = token("bob", "write")
    response = client.post("/rooms/general/messages", headers=bearer(bob), json={"text": text})
    assert response.status_code == 422


# ---- HTTP Basic: the operator ----


def test_the_operator_reads_the_stats() -> None:
    response = client.get("/admin/stats", auth=("operator", "s3cret-password"))
    assert response.status_code == 200
    assert response.json() == {"rooms": 1, "messages": 1}


@pytest.mark.parametrize(
    "credentials", [("operator", "wrong"), ("someone", "s3cret-password"), ("", "")]
)
def test_wrong_operator_credentials_are_401_with_the_basic_challenge(
    credentials: tuple[str, str],
) -> None:
    response = client.get("/admin/stats", auth=credentials)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Basic"
    assert response.json() == {"detail": "Incorrect operator name or password"}


def test_no_credentials_are_401_with_the_basic_challenge() -> None:
    response = client.get("/admin/stats")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Basic"


@pytest.mark.parametrize("value", ["Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()])
def test_a_malformed_basic_header_is_401_not_500(value: str) -> None:
    response = client.get("/admin/stats", headers={"Authorization": value})
    assert response.status_code == 401


def test_non_ascii_credentials_are_401_not_500() -> None:
    # FastAPI decodes the Basic header as ASCII: such a name or password can never match.
    response = client.get("/admin/stats", auth=("opérateur", "mot-de-passe-é"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Basic"


def test_both_operator_fields_are_compared_in_constant_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compared: list[tuple[bytes, bytes]] = []

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(lesson.secrets, "compare_digest", spy)
    response = client.get("/admin/stats", auth=("nobody", "s3cret-password"))
    assert response.status_code == 401
    # A wrong name does not skip the password's comparison: the time does not tell which.
    assert compared == [(b"nobody", b"operator"), (b"s3cret-password",) * 2]


# ---- the bot's API key ----


def test_the_bot_posts_an_announcement_with_its_key() -> None:
    response = client.post(
        "/bot/rooms/general/announcements",
        headers={"X-Bot-Key": "the-bot-key"},
        json={"text": "Maintenance at 22:00"},
    )
    assert response.status_code == 201
    assert response.json() == {"id": 2, "author": "bot", "text": "Maintenance at 22:00"}


@pytest.mark.parametrize("headers", [{}, {"X-Bot-Key": "wrong"}, {"X-Bot-Key": ""}])
def test_no_key_or_a_wrong_key_is_401(headers: dict[str, str]) -> None:
    response = client.post(
        "/bot/rooms/general/announcements", headers=headers, json={"text": "spam"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "APIKey"
    assert [m.id for m in lesson.MESSAGES["general"]] == [1]


def test_a_bearer_token_does_not_open_the_bot_endpoint() -> None:
    alice = token("alice", "read write moderate")
    response = client.post(
        "/bot/rooms/general/announcements", headers=bearer(alice), json={"text": "hi"}
    )
    assert response.status_code == 401


# ---- settings and the OpenAPI document ----


def test_the_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_ADMIN_PASSWORD", "from-the-env")
    monkeypatch.setenv("CHAT_BOT_KEY", "bot-from-the-env")
    settings = Settings()
    assert settings.admin_password.get_secret_value() == "from-the-env"
    assert settings.bot_key.get_secret_value() == "bot-from-the-env"
    assert "from-the-env" not in repr(settings)  # SecretStr hides them in logs and tracebacks


def test_openapi_declares_all_three_schemes() -> None:
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"] == {
        "type": "oauth2",
        "flows": {"password": {"scopes": lesson.SCOPES, "tokenUrl": "token"}},
    }
    assert schemes["HTTPBasic"] == {"type": "http", "scheme": "basic"}
    assert schemes["APIKeyHeader"] == {"type": "apiKey", "in": "header", "name": "X-Bot-Key"}


def test_openapi_names_the_scopes_each_operation_needs() -> None:
    paths = client.get("/openapi.json").json()["paths"]
    messages = paths["/rooms/{room}/messages"]
    assert messages["get"]["security"] == [{"OAuth2PasswordBearer": ["read"]}]
    assert messages["post"]["security"] == [{"OAuth2PasswordBearer": ["write"]}]
    delete = paths["/rooms/{room}/messages/{message_id}"]["delete"]
    assert delete["security"] == [{"OAuth2PasswordBearer": ["moderate"]}]
    assert paths["/users/me"]["get"]["security"] == [{"OAuth2PasswordBearer": []}]
    assert paths["/admin/stats"]["get"]["security"] == [{"HTTPBasic": []}]
    bot = paths["/bot/rooms/{room}/announcements"]["post"]
    assert bot["security"] == [{"APIKeyHeader": []}]
