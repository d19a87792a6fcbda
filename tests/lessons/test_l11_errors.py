"""Lesson 11: HTTPException and headers, a custom exception, overridden handlers, no traces."""

import logging

import pytest
from fastapi.testclient import TestClient

from lessons.l11_errors import app

client = TestClient(app)


def test_an_existing_room() -> None:
    response = client.get("/rooms/general")
    assert response.status_code == 200
    assert response.json() == {"name": "general", "topic": "Anything goes"}


def test_room_not_found_is_a_404_from_the_custom_handler() -> None:
    response = client.get("/rooms/kitchen")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "No room named 'kitchen'", "room": "kitchen"}


def test_a_helper_raising_stops_the_endpoint() -> None:
    response = client.post("/rooms/kitchen/messages", json={"text": "anyone here?"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No room named 'kitchen'", "room": "kitchen"}


def test_posting_a_message() -> None:
    response = client.post("/rooms/general/messages", json={"text": "hello"})
    assert response.status_code == 201
    assert response.json() == {"room": "general", "text": "hello"}


def test_http_exception_carries_detail_and_a_custom_header(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="chat.errors"):
        response = client.post("/rooms/announcements/messages", json={"text": "hello"})
    assert response.status_code == 403
    assert response.json() == {"detail": "announcements is read-only: only moderators post here"}
    assert response.headers["x-room-mode"] == "read-only"
    # It went through our override, which re-used FastAPI's default response.
    assert caplog.messages == [
        "HTTP 403 on /rooms/announcements/messages: "
        "announcements is read-only: only moderators post here"
    ]


def test_validation_handler_keeps_the_default_body_and_adds_a_header(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="chat.errors"):
        response = client.post("/rooms/general/messages", json={"text": ""})
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
    assert response.headers["x-error-count"] == "1"
    assert caplog.messages == ["invalid request to /rooms/general/messages: 1 error(s)"]
    assert caplog.records[0].levelname == "WARNING"


def test_the_error_count_header_counts_every_error() -> None:
    response = client.post("/rooms/general/messages", json={"text": "", "reply_to": "first"})
    assert response.status_code == 422
    assert response.headers["x-error-count"] == "2"
    assert [error["loc"] for error in response.json()["detail"]] == [
        ["body", "text"],
        ["body", "reply_to"],
    ]


def test_validation_runs_before_the_endpoint_so_a_bad_body_beats_a_missing_room() -> None:
    response = client.post("/rooms/kitchen/messages", json={"text": "x" * 501})
    assert response.status_code == 422
    assert response.headers["x-error-count"] == "1"
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_long",
                "loc": ["body", "text"],
                "msg": "String should have at most 500 characters",
                "input": "x" * 501,
                "ctx": {"max_length": 500},
            }
        ]
    }


def test_broken_json_goes_through_the_validation_handler_too() -> None:
    response = client.post(
        "/rooms/general/messages",
        content=b'{"text": ',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["x-error-count"] == "1"
    assert response.json() == {
        "detail": [
            {
                "type": "json_invalid",
                "loc": ["body", 9],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": "Expecting value"},
            }
        ]
    }


def test_the_routers_own_404_and_405_reach_the_http_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="chat.errors"):
        missing = client.get("/nowhere")
        wrong_method = client.delete("/rooms/general")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"detail": "Method Not Allowed"}
    # The default handler keeps the exception's headers: Allow says what would have worked.
    assert wrong_method.headers["allow"] == "GET"
    assert caplog.messages == [
        "HTTP 404 on /nowhere: Not Found",
        "HTTP 405 on /rooms/general: Method Not Allowed",
    ]


def test_stats_of_a_room_with_messages() -> None:
    response = client.get("/rooms/general/stats")
    assert response.status_code == 200
    assert response.json() == {"messages": 2, "average_length": 6.5}


def test_an_unexpected_error_is_a_plain_500_without_a_traceback() -> None:
    quiet_client = TestClient(app, raise_server_exceptions=False)
    response = quiet_client.get("/rooms/quiet/stats")
    assert response.status_code == 500
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "Internal Server Error"
    for leak in ("Traceback", "ZeroDivisionError", "division by zero", "l11_errors.py"):
        assert leak not in response.text


def test_the_test_client_re_raises_server_errors_by_default() -> None:
    # So that a bug fails the test loudly, rather than as a 500 that looks like an answer.
    with pytest.raises(ZeroDivisionError):
        client.get("/rooms/quiet/stats")


def test_openapi_documents_the_error_responses() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 11 — Handling errors"
    responses = schema["paths"]["/rooms/{name}/messages"]["post"]["responses"]
    assert sorted(responses) == ["201", "403", "404", "422"]
    assert responses["404"] == {
        "description": "No such room",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RoomError"}}},
    }
    assert responses["403"] == {
        "description": "The room is read-only",
        "headers": {
            "X-Room-Mode": {"description": "Why posting failed", "schema": {"type": "string"}}
        },
    }
    assert schema["components"]["schemas"]["RoomError"]["required"] == ["detail", "room"]
    assert "404" in schema["paths"]["/rooms/{name}"]["get"]["responses"]
