"""Lesson 07: headers (names, underscores, repeats), cookies, and forbidding parameter models."""

from typing import Any

from fastapi.testclient import TestClient

from lessons.l07_cookies_and_headers import app

# The module client never logs in, so its cookie jar stays empty.
client = TestClient(app)


def parameters(path: str, method: str = "get") -> dict[str, dict[str, Any]]:
    operation = client.get("/openapi.json").json()["paths"][path][method]
    return {parameter["name"]: parameter for parameter in operation["parameters"]}


def test_openapi_title() -> None:
    assert client.get("/openapi.json").json()["info"]["title"] == "Lesson 07 — Cookies and headers"


# Header()


def test_user_agent_reads_the_user_agent_header() -> None:
    response = client.get("/client", headers={"X-Client-Version": "2.4.1"})
    assert response.status_code == 200
    assert response.json() == {"user_agent": "testclient", "client_version": "2.4.1"}


def test_header_names_ignore_case() -> None:
    response = client.get("/client", headers={"USER-AGENT": "chat-cli/1.0"})
    assert response.json() == {"user_agent": "chat-cli/1.0", "client_version": None}


def test_underscores_in_the_name_do_not_match_hyphen_headers_literally() -> None:
    # `x_client_version` means `x-client-version`; a header spelled with underscores is not it.
    response = client.get("/client", headers={"x_client_version": "2.4.1"})
    assert response.json()["client_version"] is None


def test_headers_in_openapi_use_hyphens() -> None:
    found = parameters("/client")
    assert list(found) == ["user-agent", "x-client-version"]
    assert found["user-agent"]["in"] == "header"
    assert found["user-agent"]["required"] is False


def test_convert_underscores_false_reads_the_underscore_header() -> None:
    assert client.get("/legacy/room", headers={"room_token": "r-42"}).json() == {
        "room_token": "r-42"
    }
    assert client.get("/legacy/room", headers={"Room-Token": "r-42"}).json() == {"room_token": None}
    assert list(parameters("/legacy/room")) == ["room_token"]


def test_a_repeated_header_arrives_as_a_list() -> None:
    response = client.get("/feed", headers=[("X-Room", "general"), ("X-Room", "help")])
    assert response.status_code == 200
    assert response.json() == {"rooms": ["general", "help"]}


def test_a_comma_joined_header_is_one_value() -> None:
    response = client.get("/feed", headers={"X-Room": "general, help"})
    assert response.json() == {"rooms": ["general, help"]}


def test_no_repeated_header_is_an_empty_list() -> None:
    assert client.get("/feed").json() == {"rooms": []}


def test_list_header_in_openapi() -> None:
    schema = parameters("/feed")["x-room"]["schema"]
    assert schema["anyOf"][0] == {"type": "array", "items": {"type": "string"}}


# Cookie()


def test_login_sets_the_cookies() -> None:
    fresh = TestClient(app)
    response = fresh.post("/login/alice")
    assert response.status_code == 200
    assert response.json() == {"logged_in": "alice"}
    assert response.headers.get_list("set-cookie") == [
        "session_id=session-of-alice; HttpOnly; Path=/; SameSite=lax",
        "theme=dark; Path=/; SameSite=lax",
    ]
    # The client keeps them and sends them back, as a browser would.
    assert fresh.get("/session").json() == {"session_id": "session-of-alice", "theme": "dark"}


def test_a_cookie_parameter() -> None:
    assert client.get("/theme", headers={"Cookie": "theme=dark"}).json() == {"theme": "dark"}
    assert client.get("/theme").json() == {"theme": "light"}
    assert parameters("/theme")["theme"]["in"] == "cookie"


def test_cookie_model_reads_each_cookie() -> None:
    response = client.get("/session", headers={"Cookie": "session_id=abc"})
    assert response.status_code == 200
    assert response.json() == {"session_id": "abc", "theme": "light"}


def test_cookie_model_forbids_an_unknown_cookie() -> None:
    response = client.get("/session", headers={"Cookie": "session_id=abc; _tracker=x1"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["cookie", "_tracker"],
                "msg": "Extra inputs are not permitted",
                "input": "x1",
            }
        ]
    }


def test_cookie_model_checks_required_and_literal() -> None:
    response = client.get("/session", headers={"Cookie": "theme=blue"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["cookie", "session_id"],
                "msg": "Field required",
                "input": {"theme": "blue"},
            },
            {
                "type": "literal_error",
                "loc": ["cookie", "theme"],
                "msg": "Input should be 'light' or 'dark'",
                "input": "blue",
                "ctx": {"expected": "'light' or 'dark'"},
            },
        ]
    }


def test_cookie_model_in_openapi() -> None:
    found = parameters("/session")
    assert list(found) == ["session_id", "theme"]
    assert {parameter["in"] for parameter in found.values()} == {"cookie"}
    assert found["session_id"]["required"] is True
    assert found["theme"]["schema"]["enum"] == ["light", "dark"]


# a header model with extra="forbid"


def test_header_model_reads_its_headers() -> None:
    response = client.get(
        "/bot/inbox",
        headers=[("X-Bot-Token", "t0k"), ("X-Room", "general"), ("X-Room", "help")],
    )
    assert response.status_code == 200
    assert response.json() == {"bot": "testclient", "rooms": ["general", "help"]}


def test_header_model_forbids_an_unknown_header() -> None:
    response = client.get("/bot/inbox", headers={"X-Bot-Token": "t0k", "X-Debug": "1"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["header", "x-debug"],
                "msg": "Extra inputs are not permitted",
                "input": "1",
            }
        ]
    }


def test_header_model_forbids_what_a_browser_adds() -> None:
    # The pitfall: a header every browser sends is "unknown" to a forbidding model.
    response = client.get(
        "/bot/inbox", headers={"X-Bot-Token": "t0k", "Accept-Language": "en-GB,en;q=0.9"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["header", "accept-language"],
            "msg": "Extra inputs are not permitted",
            "input": "en-GB,en;q=0.9",
        }
    ]


def test_header_model_requires_the_token() -> None:
    response = client.get("/bot/inbox", headers={"Host": "bots.chat.example"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["header", "x-bot-token"],
                "msg": "Field required",
                "input": {
                    "host": "bots.chat.example",
                    "accept": "*/*",
                    "accept_encoding": "gzip, deflate",
                    "connection": "keep-alive",
                    "user_agent": "testclient",
                },
            }
        ]
    }


def test_header_model_in_openapi() -> None:
    found = parameters("/bot/inbox")
    assert list(found) == [
        "host",
        "user-agent",
        "x-bot-token",
        "x-room",
        "accept",
        "accept-encoding",
        "connection",
    ]
    assert {parameter["in"] for parameter in found.values()} == {"header"}
    assert found["x-bot-token"]["required"] is True
