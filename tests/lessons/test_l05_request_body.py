"""Lesson 05: request bodies — a model, optional and several bodies, embed, nesting, content."""

from typing import Any

from fastapi.testclient import TestClient

from lessons.l05_request_body import app

client = TestClient(app)


def openapi() -> dict[str, Any]:
    return client.get("/openapi.json").json()


def body_schema(path: str, method: str) -> dict[str, Any]:
    operation = openapi()["paths"][path][method]
    return operation["requestBody"]["content"]["application/json"]["schema"]


def test_openapi_title() -> None:
    assert openapi()["info"]["title"] == "Lesson 05 — Request body"


# a model body with path and query parameters


def test_path_query_and_body_together() -> None:
    response = client.post("/rooms/1/messages?notify=false", json={"text": "Hello, room!"})
    assert response.status_code == 201
    assert response.json() == {
        "room_id": 1,
        "notify": False,
        "message": {"text": "Hello, room!", "reply_to": None},
    }


def test_each_parameter_is_read_from_its_place() -> None:
    operation = openapi()["paths"]["/rooms/{room_id}/messages"]["post"]
    places = {parameter["name"]: parameter["in"] for parameter in operation["parameters"]}
    assert places == {"room_id": "path", "notify": "query"}
    assert operation["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}},
    }


def test_an_empty_text_is_refused() -> None:
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


def test_a_missing_body_is_refused() -> None:
    response = client.post("/rooms/1/messages")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
    }


# an optional body


def test_optional_body_given() -> None:
    response = client.put("/rooms/1/draft", json={"text": "half a tho"})
    assert response.status_code == 200
    assert response.json() == {
        "room_id": 1,
        "draft": {"text": "half a tho", "reply_to": None},
        "cleared": False,
    }


def test_optional_body_left_out() -> None:
    response = client.put("/rooms/1/draft")
    assert response.status_code == 200
    assert response.json() == {"room_id": 1, "draft": None, "cleared": True}
    assert "required" not in openapi()["paths"]["/rooms/{room_id}/draft"]["put"]["requestBody"]


# several body parameters, a single value with Body(), Body(embed=True)


def test_several_bodies_are_keys_of_one_object() -> None:
    response = client.post(
        "/rooms",
        json={"room": {"name": "python"}, "owner": {"username": "alice"}, "max_members": 50},
    )
    assert response.status_code == 201
    assert response.json() == {
        "room": {"name": "python", "topic": None},
        "owner": {"username": "alice", "display_name": None},
        "max_members": 50,
    }


def test_the_single_value_has_its_default_and_bounds() -> None:
    response = client.post("/rooms", json={"room": {"name": "python"}, "owner": {"username": "a"}})
    assert response.json()["max_members"] == 100
    response = client.post(
        "/rooms",
        json={"room": {"name": "python"}, "owner": {"username": "a"}, "max_members": 1},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "greater_than",
            "loc": ["body", "max_members"],
            "msg": "Input should be greater than 1",
            "input": 1,
            "ctx": {"gt": 1},
        }
    ]


def test_the_flat_shape_is_refused_when_there_are_several_bodies() -> None:
    response = client.post("/rooms", json={"name": "python"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "missing", "loc": ["body", "room"], "msg": "Field required", "input": None},
        {"type": "missing", "loc": ["body", "owner"], "msg": "Field required", "input": None},
    ]


def test_several_bodies_in_openapi() -> None:
    schema = openapi()
    ref = body_schema("/rooms", "post")["$ref"]
    combined = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert list(combined["properties"]) == ["room", "owner", "max_members"]
    assert combined["required"] == ["room", "owner"]
    assert combined["properties"]["max_members"]["exclusiveMinimum"] == 1
    # Without Body(), an int parameter would have been a query parameter.
    assert "parameters" not in schema["paths"]["/rooms"]["post"]


def test_embed_wraps_the_single_model() -> None:
    response = client.put("/messages/7", json={"message": {"text": "fixed the typo"}})
    assert response.status_code == 200
    assert response.json() == {"seq": 7, "message": {"text": "fixed the typo", "reply_to": None}}


def test_embed_refuses_the_bare_model() -> None:
    response = client.put("/messages/7", json={"text": "fixed the typo"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "message"], "msg": "Field required", "input": None}
        ]
    }


def test_the_bare_model_is_the_whole_body_without_embed() -> None:
    # The same Message, without embed, refuses the wrapped shape.
    response = client.post("/rooms/1/messages", json={"message": {"text": "hi"}})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "missing",
            "loc": ["body", "text"],
            "msg": "Field required",
            "input": {"message": {"text": "hi"}},
        }
    ]


# nested models


RICH = {
    "text": "release!",
    "mentions": ["bob", "alice", "bob"],
    "tags": ["news", "python", "news"],
    "preview": {"url": "https://example.com/notes", "name": "notes"},
    "attachments": [
        {"url": "https://example.com/a.png", "name": "a.png"},
        {"url": "https://example.com/b.png", "name": "b.png"},
    ],
}


def test_nested_models() -> None:
    response = client.post("/rooms/1/rich-messages", json=RICH)
    assert response.status_code == 200
    assert response.json() == {
        "room_id": 1,
        "mentions": ["bob", "alice", "bob"],
        "tags": ["news", "python"],
        "preview": {"url": "https://example.com/notes", "name": "notes"},
        "attachment_names": ["a.png", "b.png"],
    }


def test_a_set_drops_repeats_and_a_list_keeps_them() -> None:
    response = client.post(
        "/rooms/1/rich-messages", json={"text": "x", "mentions": ["a", "a"], "tags": ["t"] * 5}
    )
    assert response.json()["mentions"] == ["a", "a"]
    assert response.json()["tags"] == ["t"]


def test_nested_defaults() -> None:
    response = client.post("/rooms/2/rich-messages", json={"text": "plain"})
    assert response.json() == {
        "room_id": 2,
        "mentions": [],
        "tags": [],
        "preview": None,
        "attachment_names": [],
    }


def test_an_error_deep_inside_says_where() -> None:
    response = client.post(
        "/rooms/1/rich-messages",
        json={"text": "see", "attachments": [{"url": "not a url", "name": "a.png"}]},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "url_parsing",
                "loc": ["body", "attachments", 0, "url"],
                "msg": "Input should be a valid URL, relative URL without a base",
                "input": "not a url",
                "ctx": {"error": "relative URL without a base"},
            }
        ]
    }


def test_nested_models_in_openapi() -> None:
    schemas = openapi()["components"]["schemas"]
    rich = schemas["RichMessage"]["properties"]
    assert rich["tags"]["uniqueItems"] is True
    assert "uniqueItems" not in rich["mentions"]
    assert rich["attachments"]["items"] == {"$ref": "#/components/schemas/Attachment"}
    assert schemas["Attachment"]["properties"]["url"]["format"] == "uri"


def test_a_dict_body() -> None:
    response = client.post("/messages/7/reactions", json={"thumbs_up": 3, "heart": "2"})
    assert response.status_code == 200
    assert response.json() == {"seq": 7, "counts": {"thumbs_up": 3, "heart": 2}, "total": 5}
    assert body_schema("/messages/{seq}/reactions", "post") == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
        "title": "Counts",
    }


def test_a_dict_body_checks_each_value() -> None:
    response = client.post("/messages/7/reactions", json={"thumbs_up": "lots"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["body", "thumbs_up"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "lots",
            }
        ]
    }


# the content type


NOT_PARSED = {
    "detail": [
        {
            "type": "model_attributes_type",
            "loc": ["body"],
            "msg": "Input should be a valid dictionary or object to extract fields from",
            "input": '{"text":"Hello, room!"}',
        }
    ]
}


def test_text_plain_is_not_read_as_json() -> None:
    response = client.post(
        "/rooms/1/messages",
        content=b'{"text":"Hello, room!"}',
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 422
    assert response.json() == NOT_PARSED


def test_a_form_content_type_is_not_read_as_json() -> None:
    # What `curl -d` sends when no -H 'content-type: application/json' is given.
    response = client.post(
        "/rooms/1/messages",
        content=b'{"text":"Hello, room!"}',
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert response.json() == NOT_PARSED


def test_no_content_type_is_not_read_as_json() -> None:
    response = client.post("/rooms/1/messages", content=b'{"text":"Hello, room!"}')
    assert "content-type" not in response.request.headers
    assert response.status_code == 422
    assert response.json() == NOT_PARSED


def test_a_json_suffix_type_is_read_as_json() -> None:
    response = client.post(
        "/rooms/1/messages",
        content=b'{"text":"Hello, room!"}',
        headers={"content-type": "application/vnd.chat+json"},
    )
    assert response.status_code == 201
    assert response.json()["message"] == {"text": "Hello, room!", "reply_to": None}


def test_broken_json_says_where() -> None:
    response = client.post(
        "/rooms/1/messages",
        content=b'{"text":"Hello"',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "json_invalid",
                "loc": ["body", 15],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": "Expecting ',' delimiter"},
            }
        ]
    }
