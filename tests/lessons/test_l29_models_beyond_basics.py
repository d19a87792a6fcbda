"""Lesson 29: extra models, a union answer, a dataclass, a discriminated union, an after-validator,
base64 bytes, a hidden query parameter, and strict or relaxed JSON content types."""

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lessons import l29_models_beyond_basics as lesson
from lessons.l29_models_beyond_basics import app

client = TestClient(app)
IMAGE = {"kind": "image", "url": "https://example.org/cat.png", "width": 640}
LINK = {"kind": "link", "url": "https://example.org/", "title": "Example"}


@pytest.fixture(autouse=True)
def _fresh_users() -> Iterator[None]:
    saved = dict(lesson.USERS)
    yield
    lesson.USERS.clear()
    lesson.USERS.update(saved)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


# ---- several models for one user ----


def test_sign_up_answers_without_the_password_and_stores_a_hash() -> None:
    response = client.post("/users", json={"username": "Carol", "password": "correct horse"})
    assert response.status_code == 201
    assert response.json() == {"username": "carol", "display_name": ""}
    stored = lesson.USERS["carol"]
    assert isinstance(stored, lesson.UserInDB)
    assert stored.hashed_password != "correct horse" and len(stored.hashed_password) == 64
    assert "password" not in stored.model_dump()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "ca rol", "password": "correct horse"}, "username"),
        ({"username": "ca", "password": "correct horse"}, "username"),
        ({"username": "carol", "password": "short"}, "password"),
        ({"username": "carol"}, "password"),
    ],
)
def test_sign_up_refuses_a_bad_field_by_name(body: dict[str, str], field: str) -> None:
    response = client.post("/users", json=body)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", field]]


def test_the_after_validator_runs_after_the_type_check() -> None:
    error = client.post("/users", json={"username": "ca rol", "password": "x" * 8}).json()
    assert error["detail"][0]["msg"] == "Value error, only letters and digits"
    not_a_string = client.post("/users", json={"username": 42, "password": "x" * 8}).json()
    assert not_a_string["detail"][0]["type"] == "string_type"  # the validator never saw it


def test_a_taken_name_is_409_whatever_its_case() -> None:
    client.post("/users", json={"username": "carol", "password": "correct horse"})
    again = client.post("/users", json={"username": "CAROL", "password": "correct horse"})
    assert again.status_code == 409 and again.json() == {"detail": "carol is taken"}


def test_a_user_answers_as_a_person_or_as_a_bot() -> None:
    client.post("/users", json={"username": "carol", "password": "correct horse"})
    assert client.get("/users/Carol").json() == {"username": "carol", "display_name": ""}
    assert client.get("/users/relay").json() == {"username": "relay", "owner": "alice"}
    assert client.get("/users/nobody").status_code == 404


def test_the_counts_are_a_typed_dict() -> None:
    assert client.get("/users").json() == {"people": 0, "bots": 1}


def test_the_document_has_the_union_and_keeps_the_password_out(schema: dict[str, Any]) -> None:
    answer = schema["paths"]["/users/{username}"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["anyOf"] == [
        {"$ref": "#/components/schemas/UserOut"},
        {"$ref": "#/components/schemas/Bot"},
    ]
    assert "password" not in schema["components"]["schemas"]["UserOut"]["properties"]
    assert "UserInDB" not in schema["components"]["schemas"]


# ---- a dataclass ----


def test_a_dataclass_body_and_response() -> None:
    response = client.post("/messages/1/reactions", json={"emoji": "👍"})
    assert response.json() == {"emoji": "👍", "count": 2}
    bad = client.post("/messages/1/reactions", json={"emoji": "👍", "count": "many"})
    assert bad.status_code == 422


# ---- a discriminated union ----


def test_attachments_of_both_kinds() -> None:
    response = client.post(
        "/rooms/general/messages", json={"text": "look", "attachments": [IMAGE, LINK]}
    )
    assert response.status_code == 201
    assert response.json()["attachments"] == [IMAGE, LINK]


def test_an_unknown_kind_is_named_in_the_error() -> None:
    body = {"text": "look", "attachments": [{"kind": "video", "url": "https://example.org/"}]}
    error = client.post("/rooms/general/messages", json=body).json()["detail"]
    assert error[0]["type"] == "union_tag_invalid"
    assert error[0]["loc"] == ["body", "attachments", 0]


def test_an_error_inside_an_attachment_names_only_its_kind() -> None:
    body = {"text": "look", "attachments": [{"kind": "image", "url": "https://example.org/"}]}
    error = client.post("/rooms/general/messages", json=body).json()["detail"]
    assert [e["loc"] for e in error] == [["body", "attachments", 0, "image", "width"]]


@pytest.mark.parametrize(
    "attachments",
    [[{**IMAGE, "url": "javascript:alert(1)"}], [{**IMAGE, "width": 0}], [IMAGE] * 5],
)
def test_bad_attachments_are_422(attachments: list[dict[str, Any]]) -> None:
    body = {"text": "look", "attachments": attachments}
    assert client.post("/rooms/general/messages", json=body).status_code == 422


def test_the_document_describes_the_discriminator(schema: dict[str, Any]) -> None:
    items = schema["components"]["schemas"]["NewMessage"]["properties"]["attachments"]["items"]
    assert items["discriminator"]["propertyName"] == "kind"
    assert sorted(items["discriminator"]["mapping"]) == ["image", "link"]


# ---- base64 bytes, a hidden parameter ----


def test_bytes_go_in_as_either_base64_and_come_out_url_safe() -> None:
    raw = bytes(range(256))  # every byte, so both alphabets' two extra characters appear
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        response = client.post("/stickers", json={"name": "wave", "image": encoded.decode()})
        assert response.status_code == 200
        # Pydantic writes the URL-safe alphabet (- and _ for + and /): decode it as such.
        assert response.json()["image"] == base64.urlsafe_b64encode(raw).decode()
        assert base64.urlsafe_b64decode(response.json()["image"]) == raw


@pytest.mark.parametrize("image", ["not base64!", "a", 123])
def test_text_that_is_not_base64_is_422(image: object) -> None:
    assert client.post("/stickers", json={"name": "wave", "image": image}).status_code == 422


def test_a_sticker_over_64_kib_is_422() -> None:
    big = base64.b64encode(b"x" * (64 * 1024 + 1)).decode()
    assert client.post("/stickers", json={"name": "wave", "image": big}).status_code == 422


def test_the_hidden_parameter_works_and_is_not_documented(schema: dict[str, Any]) -> None:
    traced = client.post("/stickers?trace=true", json={"name": "wave", "image": "aGVsbG8="})
    assert traced.json()["name"] == "wave (5 bytes)"
    assert "parameters" not in schema["paths"]["/stickers"]["post"]


def test_the_document_says_the_bytes_are_base64(schema: dict[str, Any]) -> None:
    schemas = schema["components"]["schemas"]
    sticker = schemas.get("Sticker-Input") or schemas["Sticker"]
    assert sticker["properties"]["image"]["contentEncoding"] == "base64"


# ---- content types ----


def test_a_json_body_without_its_content_type_is_refused() -> None:
    response = client.post("/rooms/general/messages", content=b'{"text": "hi"}')
    assert response.status_code == 422


def test_the_old_clients_router_reads_a_body_with_no_content_type() -> None:
    response = client.post("/v0/rooms/general/messages", content=b'{"text": "hi"}')
    assert response.status_code == 201
    assert response.json() == {"text": "hi", "attachments": []}


def test_the_old_clients_router_still_refuses_another_content_type() -> None:
    response = client.post(
        "/v0/rooms/general/messages",
        content=b'{"text": "hi"}',
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 422


def test_broken_json_with_no_content_type_is_422_not_500() -> None:
    response = client.post("/v0/rooms/general/messages", content=b'{"text": ')
    assert response.status_code == 422
