"""Lesson 08: response models, exclude_unset, include/exclude, 200 vs 201, custom responses."""

import copy
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient

from lessons import l08_response_models as lesson
from lessons.l08_response_models import Room, app, get_export_dir

client = TestClient(app)
PASSWORD = "correct horse battery"
TRICKY = "<b>hi</b> & \"bye\" 'now'"


@pytest.fixture(autouse=True)
def fresh_data() -> Iterator[None]:
    # The lesson keeps its data in module dicts; each test starts from the same state.
    saved = copy.deepcopy((lesson.USERS, lesson.ROOMS, lesson.MESSAGES))
    yield
    for live, kept in zip((lesson.USERS, lesson.ROOMS, lesson.MESSAGES), saved, strict=True):
        assert isinstance(live, dict) and isinstance(kept, dict)
        live.clear()
        live.update(kept)


def openapi() -> dict[str, Any]:
    return client.get("/openapi.json").json()


def test_openapi_title() -> None:
    assert openapi()["info"]["title"] == "Lesson 08 — Response models and custom responses"


# the password goes in, never out


def test_create_user_drops_the_password() -> None:
    response = client.post(
        "/users",
        json={"username": "alice", "full_name": "Alice Liddell", "password": PASSWORD},
    )
    assert response.status_code == 201
    assert response.json() == {"username": "alice", "full_name": "Alice Liddell"}
    # The server did keep something derived from it, which must not leak either.
    assert lesson.USERS["alice"].password_hash not in response.text


def test_the_list_response_has_no_password() -> None:
    client.post("/users", json={"username": "alice", "password": PASSWORD})
    client.post("/users", json={"username": "bob", "password": PASSWORD})
    response = client.get("/users")
    assert response.status_code == 200
    assert response.json() == [
        {"username": "alice", "full_name": None},
        {"username": "bob", "full_name": None},
    ]
    assert "password" not in response.text


def test_no_422_echoes_the_password() -> None:
    short = client.post("/users", json={"username": "bob", "password": "hunter2"})
    assert short.status_code == 422
    assert short.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "password"],
                "msg": "String should have at least 8 characters",
                "ctx": {"min_length": 8},
            }
        ]
    }
    missing = client.post("/users", json={"password": PASSWORD})
    assert missing.status_code == 422
    assert missing.json() == {
        "detail": [{"type": "missing", "loc": ["body", "username"], "msg": "Field required"}]
    }
    assert "hunter2" not in short.text
    assert PASSWORD not in missing.text


def test_openapi_output_models_have_no_password() -> None:
    schema = openapi()
    schemas = schema["components"]["schemas"]
    assert "password" in schemas["UserIn"]["properties"]
    assert list(schemas["UserBase"]["properties"]) == ["username", "full_name"]
    post = schema["paths"]["/users"]["post"]["responses"]["201"]
    assert post["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserBase"
    }
    listing = schema["paths"]["/users"]["get"]["responses"]["200"]["content"]
    assert listing["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/UserBase"
    }
    assert "UserInDB" not in schemas


# defaults, exclude_unset, include, exclude


def test_defaults_are_filled_in() -> None:
    response = client.get("/rooms/general/settings")
    assert response.status_code == 200
    assert response.json() == {
        "name": "general",
        "topic": None,
        "slow_mode_seconds": 0,
        "tags": [],
    }


def test_exclude_unset_sends_only_what_was_set() -> None:
    assert client.get("/rooms/general/settings/set").json() == {"name": "general"}
    assert client.get("/rooms/python/settings/set").json() == {
        "name": "python",
        "topic": "All things Python",
        "slow_mode_seconds": 5,
    }


def test_exclude_unset_keeps_a_value_set_to_the_default() -> None:
    # "quiet" was given every field, each equal to its default: all of them are "set".
    assert client.get("/rooms/quiet/settings/set").json() == {
        "name": "quiet",
        "topic": None,
        "slow_mode_seconds": 0,
        "tags": [],
    }


def test_include_and_exclude() -> None:
    assert client.get("/rooms/python/summary").json() == {
        "name": "python",
        "topic": "All things Python",
    }
    assert client.get("/rooms/python/public").json() == {
        "name": "python",
        "topic": "All things Python",
        "tags": [],
    }


def test_include_does_not_change_the_documented_model() -> None:
    responses = openapi()["paths"]["/rooms/{room}/summary"]["get"]["responses"]
    ref = responses["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/RoomSettings"
    properties = openapi()["components"]["schemas"]["RoomSettings"]["properties"]
    assert list(properties) == ["name", "topic", "slow_mode_seconds", "tags"]


def test_unknown_room_and_bad_room_name() -> None:
    missing = client.get("/rooms/nowhere/settings")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Room not found"}
    bad = client.get("/rooms/Bad Name/settings")
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": [
            {
                "type": "string_pattern_mismatch",
                "loc": ["path", "room"],
                "msg": "String should match pattern '^[a-z0-9-]{1,30}$'",
                "ctx": {"pattern": "^[a-z0-9-]{1,30}$"},
            }
        ]
    }


# 200 on update, 201 on create


def test_update_answers_200() -> None:
    response = client.put(
        "/rooms/python/topic", json={"topic": "Python 3.14", "changed_at": "2026-11-24T10:00:00Z"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "name": "python",
        "topic": "Python 3.14",
        "slow_mode_seconds": 5,
        "tags": [],
        "changed_at": "2026-11-24T10:00:00Z",
    }


def test_create_answers_201() -> None:
    response = client.put(
        "/rooms/rust/topic", json={"topic": "Borrowing", "changed_at": "2026-11-24T10:05:00Z"}
    )
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "name": "rust",
        "topic": "Borrowing",
        "slow_mode_seconds": 0,
        "tags": [],
        "changed_at": "2026-11-24T10:05:00Z",
    }
    # The same PUT again finds the room: now an update.
    again = client.put(
        "/rooms/rust/topic", json={"topic": "Lifetimes", "changed_at": "2026-11-24T10:06:00Z"}
    )
    assert again.status_code == 200
    assert again.json()["topic"] == "Lifetimes"


def test_both_statuses_are_documented() -> None:
    responses = openapi()["paths"]["/rooms/{room}/topic"]["put"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Room"
    }
    assert responses["201"]["description"] == "Room created"
    assert responses["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Room"
    }


def test_jsonable_encoder_makes_a_model_json_ready() -> None:
    room = Room(name="rust", changed_at=datetime(2026, 11, 24, 10, 5, tzinfo=UTC))
    encoded = jsonable_encoder(room)
    assert encoded == {
        "name": "rust",
        "topic": None,
        "slow_mode_seconds": 0,
        "tags": [],
        "changed_at": "2026-11-24T10:05:00Z",
    }
    json.dumps(encoded)  # plain dicts, strings and numbers: no TypeError
    with pytest.raises(TypeError):
        json.dumps(room.model_dump())  # a datetime inside


# custom responses


def post_tricky_message() -> None:
    response = client.post("/rooms/general/messages", json={"sender": "mallory", "text": TRICKY})
    assert response.status_code == 201
    assert response.json() == {"sender": "mallory", "text": TRICKY}


def test_xml_transcript_escapes_message_text() -> None:
    post_tricky_message()
    response = client.get("/rooms/general/transcript.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<transcript room="general">'
        '<message sender="alice">Hello!</message>'
        '<message sender="mallory">'
        "&lt;b&gt;hi&lt;/b&gt; &amp; &quot;bye&quot; &apos;now&apos;"
        "</message></transcript>"
    )


def test_xml_transcript_parses_back_to_the_original_text() -> None:
    post_tricky_message()
    root = ElementTree.fromstring(client.get("/rooms/general/transcript.xml").content)
    assert [(m.get("sender"), m.text) for m in root] == [
        ("alice", "Hello!"),
        ("mallory", TRICKY),
    ]


def test_html_response() -> None:
    client.put("/rooms/python/topic", json={"topic": "<script>", "changed_at": "2026-11-24T10:00Z"})
    response = client.get("/rooms/python/card")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "<!doctype html><h1>#python</h1><p>&lt;script&gt;</p>"


def test_plain_text_response() -> None:
    post_tricky_message()
    response = client.get("/rooms/general/transcript.txt")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == f"alice: Hello!\nmallory: {TRICKY}\n"


def test_redirect_response() -> None:
    response = client.get("/go/general", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/rooms/general/card"
    followed = client.get("/go/general")
    assert followed.url == "http://testserver/rooms/general/card"
    assert followed.text == "<!doctype html><h1>#general</h1><p>no topic</p>"
    assert client.get("/go/nowhere", follow_redirects=False).status_code == 404


def test_redirect_keeps_the_mount_prefix() -> None:
    outer = FastAPI()
    outer.mount("/lessons/08", app)
    response = TestClient(outer).get("/lessons/08/go/general", follow_redirects=False)
    assert response.headers["location"] == "/lessons/08/rooms/general/card"


def test_streaming_response() -> None:
    post_tricky_message()
    with client.stream("GET", "/rooms/general/export.jsonl") as response:
        assert response.headers["content-type"] == "application/x-ndjson"
        assert "content-length" not in response.headers
        lines = list(response.iter_lines())
    assert [json.loads(line) for line in lines] == [
        {"sender": "alice", "text": "Hello!"},
        {"sender": "mallory", "text": TRICKY},
    ]


def test_file_response_writes_where_the_dependency_says(tmp_path: Path) -> None:
    app.dependency_overrides[get_export_dir] = lambda: tmp_path
    try:
        response = client.get("/rooms/general/export.txt")
    finally:
        app.dependency_overrides.clear()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="general-transcript.txt"'
    )
    assert response.text == "alice: Hello!\n"
    assert (tmp_path / "general-transcript.txt").read_text(encoding="utf-8") == response.text


def test_custom_media_types_in_openapi() -> None:
    paths = openapi()["paths"]
    assert list(paths["/rooms/{room}/transcript.xml"]["get"]["responses"]["200"]["content"]) == [
        "application/xml"
    ]
    assert list(paths["/rooms/{room}/card"]["get"]["responses"]["200"]["content"]) == ["text/html"]
    text = paths["/rooms/{room}/transcript.txt"]["get"]["responses"]["200"]["content"]
    assert list(text) == ["text/plain"]
    assert "307" in paths["/go/{room}"]["get"]["responses"]


def test_a_bad_message_is_refused() -> None:
    response = client.post("/rooms/general/messages", json={"sender": "Mallory!", "text": ""})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_pattern_mismatch",
                "loc": ["body", "sender"],
                "msg": "String should match pattern '^[a-z0-9_]{1,20}$'",
                "ctx": {"pattern": "^[a-z0-9_]{1,20}$"},
            },
            {
                "type": "string_too_short",
                "loc": ["body", "text"],
                "msg": "String should have at least 1 character",
                "ctx": {"min_length": 1},
            },
        ]
    }
