"""Lesson 19: routers in a package, included with prefix, tags, dependencies and responses."""

import copy
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lessons.l19_bigger_applications import app
from lessons.l19_bigger_applications.routers import rooms

client = TestClient(app)
MEMBER = {"X-Chat-Token": "member-token"}
ADMIN = {"X-Admin-Key": "admin-key"}


@pytest.fixture(autouse=True)
def fresh_rooms(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The routers keep rooms in a module-level dict; each test gets its own copy.
    monkeypatch.setattr(rooms, "ROOMS", copy.deepcopy(rooms.ROOMS))
    yield


@pytest.fixture(scope="module")
def schema() -> dict:
    return client.get("/openapi.json").json()


def test_root_lists_the_routers() -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"routers": ["/rooms", "/users", "/admin"]}


def test_prefixes_come_from_the_router_and_from_include_router(schema: dict) -> None:
    assert schema["info"]["title"] == "Lesson 19 — Bigger applications"
    assert sorted(schema["paths"]) == [
        "/",
        "/admin/announce",
        "/rooms/",
        "/rooms/{name}",
        "/rooms/{name}/topic",
        "/users/",
        "/users/{username}",
    ]


def test_tags_are_merged(schema: dict) -> None:
    paths = schema["paths"]
    assert paths["/rooms/"]["get"]["tags"] == ["rooms"]
    assert paths["/rooms/{name}/topic"]["put"]["tags"] == ["rooms", "moderation"]
    assert paths["/users/{username}"]["get"]["tags"] == ["users"]
    assert paths["/admin/announce"]["post"]["tags"] == ["admin"]
    assert "tags" not in paths["/"]["get"]


def test_extra_responses_are_documented(schema: dict) -> None:
    paths = schema["paths"]
    assert paths["/rooms/"]["get"]["responses"]["404"] == {"description": "Room not found"}
    topic = paths["/rooms/{name}/topic"]["put"]["responses"]
    assert sorted(topic) == ["200", "404", "409", "422"]
    assert topic["409"] == {"description": "The topic is already set to that"}
    admin = paths["/admin/announce"]["post"]["responses"]
    assert admin["403"] == {"description": "Admins only"}
    assert "404" not in paths["/users/{username}"]["get"]["responses"]


def test_router_dependencies_add_their_header_to_every_operation(schema: dict) -> None:
    def headers(path: str, method: str) -> list[str]:
        parameters = schema["paths"][path][method].get("parameters", [])
        return [p["name"] for p in parameters if p["in"] == "header"]

    assert headers("/rooms/", "get") == ["x-chat-token"]
    assert headers("/rooms/{name}", "get") == ["x-chat-token"]
    assert headers("/rooms/{name}/topic", "put") == ["x-chat-token"]
    assert headers("/admin/announce", "post") == ["x-admin-key"]
    assert headers("/users/", "get") == []


def test_rooms_need_the_member_header() -> None:
    response = client.get("/rooms/")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["header", "x-chat-token"],
                "msg": "Field required",
                "input": None,
            }
        ]
    }
    wrong = client.get("/rooms/general", headers={"X-Chat-Token": "guess"})
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "Invalid X-Chat-Token header"}


def test_list_and_read_rooms() -> None:
    assert client.get("/rooms/", headers=MEMBER).json() == [
        {"name": "general", "topic": "Anything goes"},
        {"name": "random", "topic": "Off-topic"},
    ]
    assert client.get("/rooms/random", headers=MEMBER).json() == {
        "name": "random",
        "topic": "Off-topic",
    }
    missing = client.get("/rooms/lobby", headers=MEMBER)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Room not found"}


def test_set_topic_and_its_errors() -> None:
    url = "/rooms/random/topic"
    changed = client.put(url, headers=MEMBER, json={"topic": "Cats"})
    assert changed.status_code == 200
    assert changed.json() == {"name": "random", "topic": "Cats"}
    again = client.put(url, headers=MEMBER, json={"topic": "Cats"})
    assert again.status_code == 409
    assert again.json() == {"detail": "The topic is already set to that"}
    assert client.put("/rooms/lobby/topic", headers=MEMBER, json={"topic": "x"}).status_code == 404
    too_long = client.put(url, headers=MEMBER, json={"topic": "x" * 81})
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == [
        {
            "type": "string_too_long",
            "loc": ["body", "topic"],
            "msg": "String should have at most 80 characters",
            "input": "x" * 81,
            "ctx": {"max_length": 80},
        }
    ]


def test_users_router_has_no_guard() -> None:
    assert client.get("/users/").json() == ["ada", "linus"]
    assert client.get("/users/ada").json() == {"username": "ada", "full_name": "Ada Lovelace"}
    missing = client.get("/users/bob")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "User not found"}


def test_admin_guard_is_added_at_include_time() -> None:
    forbidden = client.post(
        "/admin/announce", headers={"X-Admin-Key": "nope"}, json={"text": "Hello"}
    )
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "Admins only"}
    # The member token is not enough: the admin router has its own guard.
    assert client.post("/admin/announce", headers=MEMBER, json={"text": "Hi"}).status_code == 422
    ok = client.post("/admin/announce", headers=ADMIN, json={"text": "Maintenance at noon"})
    assert ok.status_code == 200
    assert ok.json() == {"announcement": "Maintenance at noon"}
    empty = client.post("/admin/announce", headers=ADMIN, json={"text": ""})
    assert empty.status_code == 422
    assert empty.json()["detail"] == [
        {
            "type": "string_too_short",
            "loc": ["body", "text"],
            "msg": "String should have at least 1 character",
            "input": "",
            "ctx": {"min_length": 1},
        }
    ]


def test_the_prefix_root_needs_its_trailing_slash() -> None:
    response = client.get("/rooms", headers=MEMBER, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "http://testserver/rooms/"
