"""Lesson 15: timing and request-id middleware, pure ASGI middleware, CORS, GZip, trusted hosts."""

import re

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse

from lessons.l15_middleware import app

client = TestClient(app)

CHAT = "https://chat.example.com"
FOREIGN = "https://evil.example"


def test_history_reads_messages() -> None:
    response = client.get("/rooms/3/messages", params={"limit": 2})
    assert response.status_code == 200
    assert response.json() == [
        {"room_id": 3, "seq": 1, "author": "ada", "text": "message number 1 in the room"},
        {"room_id": 3, "seq": 2, "author": "ada", "text": "message number 2 in the room"},
    ]


def test_history_limit_is_bounded() -> None:
    response = client.get("/rooms/3/messages", params={"limit": 0})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be greater than or equal to 1",
                "input": "0",
                "ctx": {"ge": 1},
            }
        ]
    }


def test_every_response_carries_its_process_time() -> None:
    response = client.get("/rooms/1/messages", params={"limit": 1})
    assert float(response.headers["X-Process-Time"]) >= 0
    assert re.fullmatch(r"\d+\.\d{6}", response.headers["X-Process-Time"])


def test_a_missing_request_id_is_generated() -> None:
    first = client.get("/rooms/1/messages", params={"limit": 1}).headers["X-Request-ID"]
    second = client.get("/rooms/1/messages", params={"limit": 1}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_valid_request_id_is_echoed_and_reaches_the_endpoint() -> None:
    response = client.post(
        "/rooms/1/messages", json={"text": "hello"}, headers={"X-Request-ID": "proxy-7f3a.42"}
    )
    assert response.status_code == 201
    assert response.headers["X-Request-ID"] == "proxy-7f3a.42"
    assert response.json() == {"room_id": 1, "text": "hello", "request_id": "proxy-7f3a.42"}


@pytest.mark.parametrize("bad", ["<script>alert(1)</script>", "short", "x" * 65, "id with spaces"])
def test_a_malformed_request_id_is_replaced_not_echoed(bad: str) -> None:
    response = client.post(
        "/rooms/1/messages", json={"text": "hello"}, headers={"X-Request-ID": bad}
    )
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert response.json()["request_id"] == request_id


def test_error_responses_pass_through_the_middleware_too() -> None:
    response = client.post("/rooms/1/messages", json={"text": ""})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "text"],
                "msg": "String should have at least 1 character",
                "input": "",
                "ctx": {"min_length": 1},
            }
        ]
    }
    assert "X-Request-ID" in response.headers
    assert "X-Process-Time" in response.headers


def test_the_asgi_middleware_sees_a_websocket_scope_the_http_middleware_does_not() -> None:
    before = client.get("/stats/connections").json()
    with client.websocket_connect("/ws/echo") as websocket:
        websocket.send_text("hi")
        # The frame says no request id was set: the HTTP middleware never ran for this socket.
        assert websocket.receive_json() == {"echo": "hi", "request_id": None}
    after = client.get("/stats/connections").json()
    assert after["websocket"] == before["websocket"] + 1
    assert after["http"] == before["http"] + 1  # the first /stats request itself


def test_cors_preflight_from_the_allowed_origin() -> None:
    response = client.options(
        "/rooms/1/messages",
        headers={
            "Origin": CHAT,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.text == "OK"
    assert response.headers["access-control-allow-origin"] == CHAT
    assert response.headers["access-control-allow-methods"] == "GET, POST"
    # CORS answered the preflight itself: the request never reached the request-id middleware.
    assert "X-Request-ID" not in response.headers


def test_cors_preflight_from_a_foreign_origin_is_refused() -> None:
    response = client.options(
        "/rooms/1/messages",
        headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 400
    assert response.text == "Disallowed CORS origin"
    assert "access-control-allow-origin" not in response.headers


def test_cors_simple_request_headers_depend_on_the_origin() -> None:
    allowed = client.get("/rooms/1/messages", params={"limit": 1}, headers={"Origin": CHAT})
    assert allowed.headers["access-control-allow-origin"] == CHAT
    assert allowed.headers["access-control-expose-headers"] == "X-Request-ID, X-Process-Time"
    foreign = client.get("/rooms/1/messages", params={"limit": 1}, headers={"Origin": FOREIGN})
    # The server still answers: it is the browser that withholds the body from the foreign page.
    assert foreign.status_code == 200
    assert "access-control-allow-origin" not in foreign.headers


def test_cors_does_not_guard_websockets() -> None:
    with client.websocket_connect("/ws/echo", headers={"Origin": FOREIGN}) as websocket:
        websocket.send_text("from elsewhere")
        assert websocket.receive_json() == {"echo": "from elsewhere", "request_id": None}


def test_a_large_body_is_gzipped_when_the_client_accepts_it() -> None:
    response = client.get("/rooms/1/messages", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(response.content)
    assert len(response.json()) == 50  # the test client inflates it back


def test_a_large_body_is_not_gzipped_for_a_client_that_does_not_accept_it() -> None:
    response = client.get("/rooms/1/messages", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)


def test_a_small_body_is_not_gzipped() -> None:
    response = client.get(
        "/rooms/1/messages", params={"limit": 1}, headers={"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in response.headers
    assert len(response.content) < 1000


def test_an_untrusted_host_gets_400() -> None:
    response = client.get("/rooms/1/messages", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.text == "Invalid host header"
    assert client.get("/rooms/1/messages", headers={"Host": "chat.example.com"}).status_code == 200


def test_trusted_host_is_pure_asgi_and_guards_websockets_too() -> None:
    with pytest.raises(WebSocketDenialResponse) as denied:
        with client.websocket_connect("/ws/echo", headers={"Host": "evil.example"}):
            pass
    assert denied.value.status_code == 400
    assert denied.value.text == "Invalid host header"


def test_openapi_lists_the_http_routes_only() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 15 — Middleware"
    assert sorted(schema["paths"]) == ["/rooms/{room_id}/messages", "/stats/connections"]
    limit = schema["paths"]["/rooms/{room_id}/messages"]["get"]["parameters"][1]
    assert limit["schema"] == {
        "type": "integer",
        "maximum": 200,
        "minimum": 1,
        "default": 50,
        "title": "Limit",
    }
