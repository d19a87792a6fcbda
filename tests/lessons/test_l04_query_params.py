"""Lesson 04: query parameters — defaults, required, bool, `Query()` checks, lists, a model."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from lessons.l04_query_params import app

client = TestClient(app)


def parameters(path: str) -> dict[str, dict[str, Any]]:
    operation = client.get("/openapi.json").json()["paths"][path]["get"]
    return {parameter["name"]: parameter for parameter in operation["parameters"]}


def test_openapi_title() -> None:
    assert client.get("/openapi.json").json()["info"]["title"] == "Lesson 04 — Query parameters"


# defaults and pagination


def test_defaults_give_the_first_page() -> None:
    response = client.get("/rooms")
    assert response.status_code == 200
    assert response.json() == ["general", "python", "help"]


def test_skip_and_limit_page_through_the_rooms() -> None:
    assert client.get("/rooms?skip=3&limit=2").json() == ["music", "games"]
    assert client.get("/rooms", params={"skip": 5, "limit": 10}).json() == ["jobs"]


def test_unbounded_pagination_accepts_a_negative_skip() -> None:
    # The pitfall the query-parameter model below fixes with bounds.
    response = client.get("/rooms?skip=-1")
    assert response.status_code == 200
    assert response.json() == []


def test_without_a_model_a_misspelt_parameter_is_ignored() -> None:
    response = client.get("/rooms?limt=1")
    assert response.status_code == 200
    assert response.json() == ["general", "python", "help"]


def test_a_query_int_is_converted_and_checked() -> None:
    response = client.get("/rooms?limit=ten")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["query", "limit"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "ten",
            }
        ]
    }


def test_defaults_are_documented() -> None:
    documented = parameters("/rooms")
    assert documented["skip"] == {
        "name": "skip",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "default": 0, "title": "Skip"},
    }
    assert documented["limit"]["schema"]["default"] == 3


# required, optional, bool


def test_optional_parameters_take_their_defaults() -> None:
    response = client.get("/rooms/1/mentions?username=dana")
    assert response.status_code == 200
    assert response.json() == {
        "room_id": 1,
        "username": "dana",
        "since": None,
        "unread_only": False,
    }


def test_a_parameter_without_a_default_is_required() -> None:
    response = client.get("/rooms/1/mentions")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["query", "username"],
                "msg": "Field required",
                "input": None,
            }
        ]
    }


def test_required_and_optional_in_the_schema() -> None:
    documented = parameters("/rooms/{room_id}/mentions")
    assert documented["username"]["required"] is True
    assert documented["since"]["required"] is False
    assert documented["since"]["schema"] == {
        "anyOf": [{"type": "integer"}, {"type": "null"}],
        "title": "Since",
    }
    assert documented["unread_only"]["schema"] == {
        "type": "boolean",
        "default": False,
        "title": "Unread Only",
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        ("ON", True),
        ("t", True),
        ("y", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("off", False),
        ("f", False),
        ("n", False),
    ],
)
def test_bool_conversion(text: str, value: bool) -> None:
    response = client.get(f"/rooms/1/mentions?username=dana&since=12&unread_only={text}")
    assert response.status_code == 200
    assert response.json() == {
        "room_id": 1,
        "username": "dana",
        "since": 12,
        "unread_only": value,
    }


def test_bool_refuses_other_words() -> None:
    response = client.get("/rooms/1/mentions?username=dana&unread_only=maybe")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "bool_parsing",
                "loc": ["query", "unread_only"],
                "msg": "Input should be a valid boolean, unable to interpret input",
                "input": "maybe",
            }
        ]
    }


# Query() validation


def test_search_finds_text_in_any_case() -> None:
    response = client.get("/messages/search?q=HELLO")
    assert response.status_code == 200
    assert response.json() == [
        {"sender": "alice", "text": "Hello everyone"},
        {"sender": "bob", "text": "hello alice, welcome"},
        {"sender": "alice", "text": "The release notes say hello too"},
    ]


def test_search_requires_q() -> None:
    response = client.get("/messages/search")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["query", "q"], "msg": "Field required", "input": None}
        ]
    }


def test_min_length() -> None:
    response = client.get("/messages/search?q=hi")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["query", "q"],
                "msg": "String should have at least 3 characters",
                "input": "hi",
                "ctx": {"min_length": 3},
            }
        ]
    }


def test_max_length() -> None:
    long = "x" * 51
    response = client.get("/messages/search", params={"q": long})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_long",
                "loc": ["query", "q"],
                "msg": "String should have at most 50 characters",
                "input": long,
                "ctx": {"max_length": 50},
            }
        ]
    }


def test_the_alias_is_the_name_on_the_wire() -> None:
    response = client.get("/messages/search?q=hello&from=alice")
    assert response.status_code == 200
    assert response.json() == [
        {"sender": "alice", "text": "Hello everyone"},
        {"sender": "alice", "text": "The release notes say hello too"},
    ]


def test_the_python_name_is_not_a_query_name() -> None:
    # ?sender= is not a parameter of this endpoint, and unknown parameters are ignored.
    response = client.get("/messages/search?q=hello&sender=bob")
    assert response.status_code == 200
    assert len(response.json()) == 3


def test_pattern() -> None:
    response = client.get("/messages/search", params={"q": "hello", "from": "Alice!"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_pattern_mismatch",
                "loc": ["query", "from"],
                "msg": "String should match pattern '^[a-z][a-z0-9_]{2,15}$'",
                "input": "Alice!",
                "ctx": {"pattern": "^[a-z][a-z0-9_]{2,15}$"},
            }
        ]
    }


def test_a_deprecated_parameter_still_works() -> None:
    response = client.get("/messages/search?q=hello&author=bob")
    assert response.status_code == 200
    assert response.json() == [{"sender": "bob", "text": "hello alice, welcome"}]


def test_query_validation_in_the_schema() -> None:
    documented = parameters("/messages/search")
    assert list(documented) == ["q", "from", "author"]
    assert documented["q"] == {
        "name": "q",
        "in": "query",
        "required": True,
        "schema": {
            "type": "string",
            "minLength": 3,
            "maxLength": 50,
            "title": "Search text",
            "description": "Words to find in the text of messages, any case",
        },
        "description": "Words to find in the text of messages, any case",
    }
    assert documented["from"]["required"] is False
    assert documented["from"]["schema"]["anyOf"][0] == {
        "type": "string",
        "pattern": "^[a-z][a-z0-9_]{2,15}$",
    }
    assert documented["author"]["deprecated"] is True
    assert "deprecated" not in documented["from"]


# a list-valued parameter


def test_a_repeated_parameter_is_a_list() -> None:
    response = client.get("/rooms/by-tag?tag=fun&tag=help")
    assert response.status_code == 200
    assert response.json() == ["python", "help", "music", "games"]


def test_a_single_value_is_a_list_of_one() -> None:
    assert client.get("/rooms/by-tag?tag=work").json() == ["jobs"]
    assert client.get("/rooms/by-tag?tag=nothing").json() == []


def test_no_tag_lists_every_room() -> None:
    assert client.get("/rooms/by-tag").json() == [
        "general",
        "python",
        "help",
        "music",
        "games",
        "jobs",
    ]


def test_the_list_is_an_array_query_parameter() -> None:
    tag = parameters("/rooms/by-tag")["tag"]
    assert tag["in"] == "query"
    assert tag["schema"]["anyOf"][0] == {"type": "array", "items": {"type": "string"}}


# a query-parameter model


def test_history_defaults() -> None:
    response = client.get("/rooms/1/history")
    assert response.status_code == 200
    assert [message["seq"] for message in response.json()] == list(range(30, 20, -1))


def test_history_newest_first() -> None:
    response = client.get("/rooms/1/history?limit=3")
    assert response.status_code == 200
    assert response.json() == [
        {"seq": 30, "sender": "alice"},
        {"seq": 29, "sender": "chen"},
        {"seq": 28, "sender": "bob"},
    ]


def test_history_oldest_first() -> None:
    response = client.get("/rooms/1/history?limit=3&order_by=oldest")
    assert response.json() == [
        {"seq": 1, "sender": "bob"},
        {"seq": 2, "sender": "chen"},
        {"seq": 3, "sender": "alice"},
    ]


def test_history_filters_before_and_by_a_list_of_senders() -> None:
    response = client.get("/rooms/1/history?before=10&limit=3&sender=bob&sender=chen")
    assert response.status_code == 200
    assert response.json() == [
        {"seq": 8, "sender": "chen"},
        {"seq": 7, "sender": "bob"},
        {"seq": 5, "sender": "chen"},
    ]


def test_history_of_an_empty_room() -> None:
    assert client.get("/rooms/2/history").json() == []


def test_the_model_forbids_unknown_parameters() -> None:
    response = client.get("/rooms/1/history?limt=5")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["query", "limt"],
                "msg": "Extra inputs are not permitted",
                "input": "5",
            }
        ]
    }


@pytest.mark.parametrize(
    ("limit", "error"),
    [
        (
            "0",
            {
                "type": "greater_than",
                "loc": ["query", "limit"],
                "msg": "Input should be greater than 0",
                "input": "0",
                "ctx": {"gt": 0},
            },
        ),
        (
            "101",
            {
                "type": "less_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 100",
                "input": "101",
                "ctx": {"le": 100},
            },
        ),
    ],
)
def test_the_limit_is_bounded(limit: str, error: dict[str, Any]) -> None:
    response = client.get(f"/rooms/1/history?limit={limit}")
    assert response.status_code == 422
    assert response.json() == {"detail": [error]}


def test_the_order_is_a_literal() -> None:
    response = client.get("/rooms/1/history?order_by=random")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "literal_error",
                "loc": ["query", "order_by"],
                "msg": "Input should be 'newest' or 'oldest'",
                "input": "random",
                "ctx": {"expected": "'newest' or 'oldest'"},
            }
        ]
    }


def test_the_literal_is_case_sensitive() -> None:
    response = client.get("/rooms/1/history?order_by=Newest")
    assert response.status_code == 422
    assert response.json()["detail"][0]["input"] == "Newest"
    assert response.json()["detail"][0]["type"] == "literal_error"


def test_before_must_be_positive() -> None:
    response = client.get("/rooms/1/history?before=0")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than",
                "loc": ["query", "before"],
                "msg": "Input should be greater than 0",
                "input": "0",
                "ctx": {"gt": 0},
            }
        ]
    }


def test_the_model_becomes_separate_query_parameters_in_the_schema() -> None:
    documented = parameters("/rooms/{room_id}/history")
    assert list(documented) == ["room_id", "limit", "before", "order_by", "sender"]
    assert documented["limit"]["schema"] == {
        "type": "integer",
        "exclusiveMinimum": 0,
        "maximum": 100,
        "default": 10,
        "title": "Limit",
    }
    assert documented["order_by"]["schema"] == {
        "enum": ["newest", "oldest"],
        "type": "string",
        "default": "newest",
        "title": "Order By",
    }
    assert documented["sender"]["schema"] == {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "title": "Sender",
    }
    assert all(documented[name]["in"] == "query" for name in ("limit", "before", "order_by"))
