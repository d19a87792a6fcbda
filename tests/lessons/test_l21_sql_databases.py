"""Lesson 21: SQLAlchemy 2 on a SQLite file from a setting; CRUD, pagination, 404 and 409."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from lessons.l21_sql_databases import Settings, app, get_settings


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data" / "chat.db"
    app.dependency_overrides[get_settings] = lambda: Settings(database_url=f"sqlite:///{path}")
    yield path
    app.dependency_overrides.clear()


@pytest.fixture
def client(database: Path) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def make_rooms(client: TestClient, *names: str) -> list[int]:
    return [client.post("/rooms", json={"name": name}).json()["id"] for name in names]


def test_the_database_file_is_created_by_the_lifespan(database: Path) -> None:
    assert not database.exists()  # importing the lesson touched nothing
    with TestClient(app):
        assert database.exists()
        tables = inspect(app.state.engine).get_table_names()
        assert tables == ["messages", "rooms"]
    assert not hasattr(app.state, "engine")  # disposed of and removed at shutdown


def test_rows_outlive_the_app(database: Path) -> None:
    with TestClient(app) as client:
        client.post("/rooms", json={"name": "general", "topic": "Anything goes"})
    with TestClient(app) as client:
        assert client.get("/rooms").json() == [
            {"id": 1, "name": "general", "topic": "Anything goes"}
        ]


def test_create_and_read_a_room(client: TestClient) -> None:
    created = client.post("/rooms", json={"name": "general", "topic": "Anything goes"})
    assert created.status_code == 201
    assert created.json() == {"id": 1, "name": "general", "topic": "Anything goes"}
    assert client.get("/rooms/1").json() == created.json()
    no_topic = client.post("/rooms", json={"name": "random"})
    assert no_topic.json() == {"id": 2, "name": "random", "topic": None}


def test_a_duplicate_room_name_is_409(client: TestClient) -> None:
    client.post("/rooms", json={"name": "general"})
    again = client.post("/rooms", json={"name": "general", "topic": "Second try"})
    assert again.status_code == 409
    assert again.json() == {"detail": "A room with that name exists"}
    # The failed transaction was rolled back: the session of the next request works.
    assert client.post("/rooms", json={"name": "random"}).status_code == 201


def test_create_room_validation(client: TestClient) -> None:
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


def test_a_missing_room_is_404(client: TestClient) -> None:
    for response in (
        client.get("/rooms/99"),
        client.patch("/rooms/99", json={"topic": "x"}),
        client.delete("/rooms/99"),
        client.get("/rooms/99/messages"),
        client.post("/rooms/99/messages", json={"author": "ada", "text": "hi"}),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Room not found"}


def test_list_rooms_is_paginated(client: TestClient) -> None:
    make_rooms(client, "a", "b", "c", "d", "e")
    assert [room["name"] for room in client.get("/rooms").json()] == ["a", "b", "c", "d", "e"]
    page = client.get("/rooms", params={"offset": 1, "limit": 2}).json()
    assert page == [{"id": 2, "name": "b", "topic": None}, {"id": 3, "name": "c", "topic": None}]
    assert client.get("/rooms", params={"offset": 5}).json() == []


def test_pagination_is_bounded(client: TestClient) -> None:
    response = client.get("/rooms", params={"limit": 101, "offset": -1})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than_equal",
                "loc": ["query", "offset"],
                "msg": "Input should be greater than or equal to 0",
                "input": "-1",
                "ctx": {"ge": 0},
            },
            {
                "type": "less_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 100",
                "input": "101",
                "ctx": {"le": 100},
            },
        ]
    }


def test_patch_changes_only_what_was_sent(client: TestClient) -> None:
    client.post("/rooms", json={"name": "general", "topic": "Anything goes"})
    renamed = client.patch("/rooms/1", json={"name": "lobby"})
    assert renamed.json() == {"id": 1, "name": "lobby", "topic": "Anything goes"}
    retopiced = client.patch("/rooms/1", json={"topic": "Say hi"})
    assert retopiced.json() == {"id": 1, "name": "lobby", "topic": "Say hi"}
    cleared = client.patch("/rooms/1", json={"topic": None})
    assert cleared.json() == {"id": 1, "name": "lobby", "topic": None}
    assert client.patch("/rooms/1", json={}).json() == cleared.json()


def test_patch_refuses_a_null_name_and_a_taken_name(client: TestClient) -> None:
    make_rooms(client, "general", "random")
    null = client.patch("/rooms/1", json={"name": None})
    assert null.status_code == 422
    assert null.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["body", "name"],
                "msg": "Value error, name cannot be null",
                "input": None,
                "ctx": {"error": {}},
            }
        ]
    }
    taken = client.patch("/rooms/1", json={"name": "random"})
    assert taken.status_code == 409
    assert taken.json() == {"detail": "A room with that name exists"}
    assert client.get("/rooms/1").json()["name"] == "general"


def test_delete_a_room_and_its_messages(client: TestClient) -> None:
    make_rooms(client, "general")
    client.post("/rooms/1/messages", json={"author": "ada", "text": "hello"})
    deleted = client.delete("/rooms/1")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.get("/rooms/1").status_code == 404
    assert client.get("/messages/1").json() == {"detail": "Message not found"}


def test_post_read_and_list_messages(client: TestClient) -> None:
    make_rooms(client, "general", "random")
    posted = client.post("/rooms/1/messages", json={"author": "ada", "text": "hello"})
    assert posted.status_code == 201
    assert posted.json() == {
        "id": 1,
        "room_id": 1,
        "author": "ada",
        "text": "hello",
        "pinned": False,
    }
    assert client.get("/messages/1").json() == posted.json()
    for text in ("two", "three"):
        client.post("/rooms/1/messages", json={"author": "linus", "text": text})
    client.post("/rooms/2/messages", json={"author": "linus", "text": "elsewhere"})
    page = client.get("/rooms/1/messages", params={"offset": 1, "limit": 5}).json()
    assert [message["text"] for message in page] == ["two", "three"]


def test_message_validation(client: TestClient) -> None:
    make_rooms(client, "general")
    response = client.post("/rooms/1/messages", json={"author": "ada"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "text"],
                "msg": "Field required",
                "input": {"author": "ada"},
            }
        ]
    }


def test_patch_and_delete_a_message(client: TestClient) -> None:
    make_rooms(client, "general")
    client.post("/rooms/1/messages", json={"author": "ada", "text": "helo"})
    pinned = client.patch("/messages/1", json={"pinned": True})
    assert pinned.json() == {"id": 1, "room_id": 1, "author": "ada", "text": "helo", "pinned": True}
    fixed = client.patch("/messages/1", json={"text": "hello", "pinned": None})
    assert fixed.json()["text"] == "hello"
    assert fixed.json()["pinned"] is True  # null means "leave it" for messages
    assert client.delete("/messages/1").status_code == 204
    for response in (
        client.get("/messages/1"),
        client.patch("/messages/1", json={"pinned": False}),
        client.delete("/messages/1"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Message not found"}


def test_openapi_has_separate_create_public_and_update_models(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    schemas = schema["components"]["schemas"]
    assert schemas["RoomCreate"]["required"] == ["name"]
    assert schemas["RoomPublic"]["required"] == ["id", "name", "topic"]
    assert "required" not in schemas["RoomUpdate"]
    assert "required" not in schemas["MessageUpdate"]
    create = schema["paths"]["/rooms"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RoomCreate"
    }
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RoomPublic"
    }
    patch = schema["paths"]["/rooms/{room_id}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RoomUpdate"
    }
    assert [p["name"] for p in schema["paths"]["/rooms"]["get"]["parameters"]] == [
        "offset",
        "limit",
    ]
