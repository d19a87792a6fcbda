"""Lesson 03: the path decorator's arguments, each checked in the answer and in /openapi.json."""

from typing import Any

from fastapi.testclient import TestClient

from lessons.l03_path_operation_config import Tags, app

client = TestClient(app)


def operation(path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = client.get("/openapi.json").json()["paths"][path][method]
    return operation


def test_openapi_title() -> None:
    title = client.get("/openapi.json").json()["info"]["title"]
    assert title == "Lesson 03 — Path operation configuration"


# status_code


def test_create_room_answers_201() -> None:
    response = client.post("/rooms", json={"name": "general"})
    assert response.status_code == 201
    assert response.json() == {"name": "general", "topic": None}


def test_create_room_still_validates_with_422() -> None:
    response = client.post("/rooms", json={"name": ""})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "name"],
                "msg": "String should have at least 1 character",
                "input": "",
                "ctx": {"min_length": 1},
            }
        ]
    }


def test_the_status_code_is_the_documented_response() -> None:
    assert list(operation("/rooms", "post")["responses"]) == ["201", "422"]


def test_delete_answers_204_with_no_body() -> None:
    response = client.delete("/rooms/1/messages/0")
    assert response.status_code == 204
    assert response.content == b""
    documented = operation("/rooms/{room_id}/messages/{index}", "delete")["responses"]["204"]
    assert documented == {"description": "Successful Response"}


# tags, summary, description


def test_tags_from_strings_and_from_an_enum_are_the_same_strings() -> None:
    assert operation("/rooms", "post")["tags"] == ["rooms"]
    assert operation("/rooms/{room_id}/messages", "get")["tags"] == ["messages"]
    assert operation("/rooms/{room_id}/members", "get")["tags"] == [Tags.rooms.value]
    tags_in_use = {
        tag
        for methods in client.get("/openapi.json").json()["paths"].values()
        for op in methods.values()
        for tag in op["tags"]
    }
    assert tags_in_use == {"rooms", "messages"}


def test_list_messages() -> None:
    response = client.get("/rooms/1/messages")
    assert response.status_code == 200
    assert response.json() == ["hello", "hi alice"]
    assert client.get("/rooms/9/messages").json() == []


def test_summary_and_description_are_documented() -> None:
    op = operation("/rooms/{room_id}/messages", "get")
    assert op["summary"] == "List a room's messages"
    assert op["description"] == (
        "The room's messages, oldest first. An unknown room has no messages."
    )


def test_without_a_summary_the_function_name_is_used() -> None:
    op = operation("/rooms", "post")
    assert op["summary"] == "Create Room"
    assert "description" not in op


# the docstring as description, cut at \f; response_description


def test_post_message_answers_201() -> None:
    response = client.post("/rooms/1/messages", json={"text": "hello", "reply_to": 0})
    assert response.status_code == 201
    assert response.json() == {"text": "hello", "reply_to": 0, "room_id": 1}


def test_post_message_requires_text() -> None:
    response = client.post("/rooms/1/messages", json={})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "text"], "msg": "Field required", "input": {}}
        ]
    }


def test_the_docstring_is_the_description_up_to_the_form_feed() -> None:
    op = operation("/rooms/{room_id}/messages", "post")
    assert op["description"] == (
        "Post a message to a room. The description is Markdown:\n"
        "\n"
        "- **text**: 1 to 500 characters\n"
        "- **reply_to**: the index of the message this one answers, if any"
    )
    assert "Below the form feed" not in client.get("/openapi.json").text


def test_response_description() -> None:
    op = operation("/rooms/{room_id}/messages", "post")
    assert op["responses"]["201"]["description"] == "The message as the room will show it"
    members = operation("/rooms/{room_id}/members", "get")
    assert members["responses"]["200"]["description"] == "The members' names, in joining order"
    # Without it, FastAPI's default.
    assert operation("/rooms", "post")["responses"]["201"]["description"] == "Successful Response"


# operation_id, deprecated, include_in_schema


def test_list_members() -> None:
    response = client.get("/rooms/1/members")
    assert response.status_code == 200
    assert response.json() == ["alice", "bob", "chen"]


def test_operation_id_replaces_the_generated_one() -> None:
    assert operation("/rooms/{room_id}/members", "get")["operationId"] == "listRoomMembers"
    generated = operation("/rooms/{room_id}/messages", "get")["operationId"]
    assert generated == "list_messages_rooms__room_id__messages_get"


def test_every_operation_id_is_unique() -> None:
    ids = [
        op["operationId"]
        for methods in client.get("/openapi.json").json()["paths"].values()
        for op in methods.values()
    ]
    assert len(ids) == len(set(ids)) == 6


def test_a_deprecated_endpoint_still_answers() -> None:
    response = client.get("/rooms/1/users")
    assert response.status_code == 200
    assert response.json() == ["alice", "bob", "chen"]


def test_deprecated_is_marked_in_the_schema() -> None:
    op = operation("/rooms/{room_id}/users", "get")
    assert op["deprecated"] is True
    assert (
        op["description"] == "The old name of the members list. Use `GET /rooms/{room_id}/members`."
    )
    assert "deprecated" not in operation("/rooms/{room_id}/members", "get")


def test_a_hidden_endpoint_answers_but_is_not_documented() -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "/health" not in client.get("/openapi.json").json()["paths"]
