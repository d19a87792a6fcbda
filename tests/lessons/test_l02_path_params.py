"""Lesson 02: path parameters — types, `:path`, an Enum, `Path()` bounds and route order."""

import pytest
from fastapi.testclient import TestClient

from lessons.l02_path_params import RoomKind, app

client = TestClient(app)


def int_parsing(name: str, value: str) -> dict[str, object]:
    return {
        "type": "int_parsing",
        "loc": ["path", name],
        "msg": "Input should be a valid integer, unable to parse string as an integer",
        "input": value,
    }


def test_openapi_title() -> None:
    assert client.get("/openapi.json").json()["info"]["title"] == "Lesson 02 — Path parameters"


def test_an_undeclared_parameter_stays_a_string() -> None:
    response = client.get("/nicknames/42")
    assert response.status_code == 200
    assert response.json() == {"nickname": "42", "type": "str"}


def test_an_undeclared_parameter_has_no_type_in_the_schema() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["paths"]["/nicknames/{nickname}"]["get"]["parameters"] == [
        {"name": "nickname", "in": "path", "required": True, "schema": {"title": "Nickname"}}
    ]


def test_a_declared_int_is_converted() -> None:
    response = client.get("/messages/42")
    assert response.status_code == 200
    assert response.json() == {"message_id": 42, "type": "int"}


@pytest.mark.parametrize("value", ["abc", "1.5", "42x"])
def test_a_declared_int_rejects_other_text_with_422(value: str) -> None:
    response = client.get(f"/messages/{value}")
    assert response.status_code == 422
    assert response.json() == {"detail": [int_parsing("message_id", value)]}


def test_the_path_converter_captures_slashes() -> None:
    response = client.get("/attachments/rooms/general/cat.png")
    assert response.status_code == 200
    assert response.json() == {
        "file_path": "rooms/general/cat.png",
        "parts": ["rooms", "general", "cat.png"],
    }


def test_the_path_converter_lets_a_leading_slash_through() -> None:
    # Why the value must never be trusted as a file system path.
    response = client.get("/attachments//etc/passwd")
    assert response.status_code == 200
    assert response.json() == {"file_path": "/etc/passwd", "parts": ["", "etc", "passwd"]}


def test_the_converter_is_not_part_of_the_documented_path() -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/attachments/{file_path}" in paths
    assert "/attachments/{file_path:path}" not in paths


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("public", "anyone can join"),
        ("private", "members join by invitation"),
        ("direct", "two members, no more"),
    ],
)
def test_each_room_kind_has_its_rule(kind: str, rule: str) -> None:
    response = client.get(f"/room-kinds/{kind}")
    assert response.status_code == 200
    assert response.json() == {"kind": kind, "rule": rule}


def test_an_unknown_room_kind_is_rejected_with_the_allowed_values() -> None:
    response = client.get("/room-kinds/secret")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "enum",
                "loc": ["path", "kind"],
                "msg": "Input should be 'public', 'private' or 'direct'",
                "input": "secret",
                "ctx": {"expected": "'public', 'private' or 'direct'"},
            }
        ]
    }


def test_the_enum_is_matched_by_value_and_case() -> None:
    assert client.get("/room-kinds/Public").status_code == 422
    assert RoomKind("public") is RoomKind.public


def test_the_enum_appears_in_the_schema() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["schemas"]["RoomKind"] == {
        "type": "string",
        "enum": ["public", "private", "direct"],
        "title": "RoomKind",
    }
    assert schema["paths"]["/room-kinds/{kind}"]["get"]["parameters"] == [
        {
            "name": "kind",
            "in": "path",
            "required": True,
            "schema": {"$ref": "#/components/schemas/RoomKind"},
        }
    ]


@pytest.mark.parametrize(("room_id", "page"), [(1, 1), (10_000, 99)])
def test_path_bounds_accept_the_edges(room_id: int, page: int) -> None:
    response = client.get(f"/rooms/{room_id}/history/{page}")
    assert response.status_code == 200
    assert response.json() == {"room_id": room_id, "page": page}


def test_gt_rejects_zero() -> None:
    response = client.get("/rooms/0/history/1")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than",
                "loc": ["path", "room_id"],
                "msg": "Input should be greater than 0",
                "input": "0",
                "ctx": {"gt": 0},
            }
        ]
    }


def test_ge_rejects_below_the_bound() -> None:
    response = client.get("/rooms/5/history/0")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than_equal",
                "loc": ["path", "page"],
                "msg": "Input should be greater than or equal to 1",
                "input": "0",
                "ctx": {"ge": 1},
            }
        ]
    }


def test_le_and_lt_are_reported_together() -> None:
    response = client.get("/rooms/10001/history/100")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "less_than_equal",
                "loc": ["path", "room_id"],
                "msg": "Input should be less than or equal to 10000",
                "input": "10001",
                "ctx": {"le": 10000},
            },
            {
                "type": "less_than",
                "loc": ["path", "page"],
                "msg": "Input should be less than 100",
                "input": "100",
                "ctx": {"lt": 100},
            },
        ]
    }


def test_path_bounds_and_titles_appear_in_the_schema() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["paths"]["/rooms/{room_id}/history/{page}"]["get"]["parameters"] == [
        {
            "name": "room_id",
            "in": "path",
            "required": True,
            "schema": {
                "type": "integer",
                "exclusiveMinimum": 0,
                "maximum": 10000,
                "title": "The room's id",
            },
        },
        {
            "name": "page",
            "in": "path",
            "required": True,
            "schema": {
                "type": "integer",
                "minimum": 1,
                "exclusiveMaximum": 100,
                "title": "Page of history",
            },
        },
    ]


def test_users_me_is_declared_first_and_wins() -> None:
    me = client.get("/users/me")
    assert me.status_code == 200
    assert me.json() == {"username": "you", "note": "the signed-in user"}
    other = client.get("/users/alice")
    assert other.status_code == 200
    assert other.json() == {"username": "alice", "note": "another member"}


def test_members_me_is_declared_second_and_never_answers() -> None:
    assert client.get("/members/7").json() == {"member_id": 7}
    response = client.get("/members/me")
    assert response.status_code == 422
    assert response.json() == {"detail": [int_parsing("member_id", "me")]}


def test_the_schema_keeps_declaration_order() -> None:
    paths = list(client.get("/openapi.json").json()["paths"])
    assert paths.index("/users/me") < paths.index("/users/{username}")
    # The shadowed route is still documented: /docs cannot tell it is unreachable.
    assert paths.index("/members/{member_id}") < paths.index("/members/me")
