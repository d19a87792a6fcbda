"""Lesson 09: Form() fields, a form model with extra="forbid", and JSON sent to a form endpoint."""

import pytest
from fastapi.testclient import TestClient

from lessons.l09_forms import app

client = TestClient(app)


def test_the_page_holds_both_forms() -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<form method="post" action="login">' in response.text
    assert '<form method="post" action="rooms">' in response.text
    assert 'name="password" type="password"' in response.text


def test_login_reads_urlencoded_fields_and_never_echoes_the_password() -> None:
    response = client.post("/login", data={"username": "ada", "password": "s3cret-pw"})
    assert response.status_code == 200
    assert response.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert response.json() == {"username": "ada", "message": "Welcome back, ada"}
    assert "s3cret-pw" not in response.text


def test_login_also_reads_a_multipart_form() -> None:
    response = client.post("/login", files={"username": (None, "ada"), "password": (None, "pw")})
    assert response.request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert response.status_code == 200
    assert response.json() == {"username": "ada", "message": "Welcome back, ada"}


def test_login_field_constraints_answer_422() -> None:
    response = client.post("/login", data={"username": "al", "password": "pw"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "username"],
                "msg": "String should have at least 3 characters",
                "input": "al",
                "ctx": {"min_length": 3},
            }
        ]
    }


def test_login_missing_password_is_required() -> None:
    response = client.post("/login", data={"username": "ada"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "password"], "msg": "Field required", "input": None}
        ]
    }


def test_json_sent_to_form_fields_is_not_read_at_all() -> None:
    # The JSON body is ignored: no form content type means an empty form, so both are missing.
    response = client.post("/login", json={"username": "ada", "password": "pw"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "username"],
                "msg": "Field required",
                "input": None,
            },
            {
                "type": "missing",
                "loc": ["body", "password"],
                "msg": "Field required",
                "input": None,
            },
        ]
    }


def test_json_sent_to_a_form_model_is_not_read_either() -> None:
    response = client.post("/rooms", json={"name": "book-club"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "name"], "msg": "Field required", "input": {}}
        ]
    }


def test_form_model_defaults_when_only_the_name_is_sent() -> None:
    response = client.post("/rooms", data={"name": "book-club"})
    assert response.status_code == 201
    assert response.json() == {
        "name": "book-club",
        "topic": "",
        "private": False,
        "max_members": 50,
        "tags": [],
    }


def test_form_model_converts_checkbox_number_and_repeated_field() -> None:
    response = client.post(
        "/rooms",
        data={
            "name": "book-club",
            "topic": "One book a month",
            "private": "on",
            "max_members": "12",
            "tags": ["books", "weekly"],
        },
    )
    assert response.request.content == (
        b"name=book-club&topic=One+book+a+month&private=on&max_members=12&tags=books&tags=weekly"
    )
    assert response.status_code == 201
    assert response.json() == {
        "name": "book-club",
        "topic": "One book a month",
        "private": True,
        "max_members": 12,
        "tags": ["books", "weekly"],
    }


def test_form_model_forbids_an_unknown_field() -> None:
    response = client.post("/rooms", data={"name": "book-club", "colour": "red"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["body", "colour"],
                "msg": "Extra inputs are not permitted",
                "input": "red",
            }
        ]
    }


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (
            "name",
            "Book Club",
            {
                "type": "string_pattern_mismatch",
                "loc": ["body", "name"],
                "msg": "String should match pattern '^[a-z0-9-]+$'",
                "input": "Book Club",
                "ctx": {"pattern": "^[a-z0-9-]+$"},
            },
        ),
        (
            "max_members",
            "1",
            {
                "type": "greater_than_equal",
                "loc": ["body", "max_members"],
                "msg": "Input should be greater than or equal to 2",
                "input": "1",
                "ctx": {"ge": 2},
            },
        ),
        (
            "private",
            "maybe",
            {
                "type": "bool_parsing",
                "loc": ["body", "private"],
                "msg": "Input should be a valid boolean, unable to interpret input",
                "input": "maybe",
            },
        ),
    ],
)
def test_form_model_validates_each_field(field: str, value: str, error: dict[str, object]) -> None:
    response = client.post("/rooms", data={"name": "book-club", field: value})
    assert response.status_code == 422
    assert response.json() == {"detail": [error]}


def test_openapi_documents_form_bodies() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 09 — Forms"
    login_body = schema["paths"]["/login"]["post"]["requestBody"]
    assert login_body == {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"$ref": "#/components/schemas/Body_login_login_post"}
            }
        },
        "required": True,
    }
    fields = schema["components"]["schemas"]["Body_login_login_post"]
    assert fields["required"] == ["username", "password"]
    rooms_body = schema["paths"]["/rooms"]["post"]["requestBody"]
    assert rooms_body["content"] == {
        "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/NewRoom"}}
    }
    new_room = schema["components"]["schemas"]["NewRoom"]
    assert new_room["additionalProperties"] is False
    assert new_room["required"] == ["name"]
    assert new_room["properties"]["tags"] == {
        "items": {"type": "string"},
        "type": "array",
        "title": "Tags",
        "default": [],
    }
