"""Lesson 25: the Response parameter, documented answers, a CSV response class, a text router."""

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lessons import l25_response_control as lesson
from lessons.l25_response_control import Message, app

client = TestClient(app)


@pytest.fixture(autouse=True)
def _fresh_rooms() -> Iterator[None]:
    saved = {name: (topic, list(messages)) for name, (topic, messages) in lesson.ROOMS.items()}
    yield
    lesson.ROOMS.clear()
    lesson.ROOMS.update(saved)


def test_put_creates_with_201_and_a_location() -> None:
    response = client.put("/rooms/python", json={"topic": "Snakes"})
    assert response.status_code == 201
    assert response.headers["location"] == "/rooms/python"
    assert response.json() == {"name": "python", "topic": "Snakes", "messages": 0}
    assert client.get("/rooms/python").json()["topic"] == "Snakes"


def test_put_again_updates_with_200_and_keeps_the_messages() -> None:
    response = client.put("/rooms/general", json={"topic": "Be nice"})
    assert response.status_code == 200
    assert "location" not in response.headers
    assert response.json() == {"name": "general", "topic": "Be nice", "messages": 2}


@pytest.mark.parametrize("body", [{}, {"topic": "x" * 201}, {"topic": 7}])
def test_put_validates_its_body_whatever_the_status_would_be(body: dict[str, object]) -> None:
    assert client.put("/rooms/python", json=body).status_code == 422
    assert "python" not in lesson.ROOMS


@pytest.mark.parametrize("name", ["Bad Name", "x" * 31, "ünïcode"])
def test_a_room_name_out_of_its_pattern_is_422(name: str) -> None:
    assert client.put(f"/rooms/{name}", json={"topic": "t"}).status_code == 422


def test_get_sets_an_etag_that_changes_with_the_room() -> None:
    first = client.get("/rooms/general")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 18
    assert client.get("/rooms/general").headers["etag"] == etag  # the same room, the same tag
    client.put("/rooms/general", json={"topic": "Changed"})
    assert client.get("/rooms/general").headers["etag"] != etag


def test_open_sets_a_cookie_the_page_can_use() -> None:
    response = client.post("/rooms/general/open")
    assert response.status_code == 200 and response.json() == {"opened": "general"}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("last_room=general;")
    for part in ("HttpOnly", "Max-Age=2592000", "Path=/", "SameSite=lax"):
        assert part in cookie


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/rooms/nowhere"),
        ("POST", "/rooms/nowhere/open"),
        ("GET", "/rooms/nowhere/messages.csv"),
        ("GET", "/text/rooms/nowhere"),
    ],
)
def test_an_unknown_room_is_404_in_json_everywhere(method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "No room named 'nowhere'"}
    assert "set-cookie" not in response.headers


def test_the_csv_export() -> None:
    response = client.get("/rooms/general/messages.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="general.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [
        {"id": "1", "author": "alice", "text": "Hello, everyone!"},
        {"id": "2", "author": "bob", "text": "Hi alice, how are you?"},
    ]


def test_an_empty_room_exports_only_the_header_line() -> None:
    client.put("/rooms/quiet", json={"topic": ""})
    assert client.get("/rooms/quiet/messages.csv").text == "id,author,text\r\n"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)"])
def test_a_message_that_looks_like_a_formula_is_exported_as_text(text: str) -> None:
    lesson.ROOMS["general"][1].append(Message(id=3, author="mallory", text=text))
    rows = list(csv.DictReader(io.StringIO(client.get("/rooms/general/messages.csv").text)))
    assert rows[-1]["text"] == "'" + text


def test_quotes_commas_and_newlines_survive_the_round_trip() -> None:
    text = 'say "hi", then\nleave'
    lesson.ROOMS["general"][1].append(Message(id=3, author="carol", text=text))
    rows = list(csv.DictReader(io.StringIO(client.get("/rooms/general/messages.csv").text)))
    assert rows[-1]["text"] == text


def test_the_text_router_answers_plain_text() -> None:
    response = client.get("/text/rooms/general")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "alice: Hello, everyone!\nbob: Hi alice, how are you?\n"


def test_openapi_documents_the_extra_answers() -> None:
    paths = client.get("/openapi.json").json()["paths"]
    put = paths["/rooms/{name}"]["put"]["responses"]
    assert put["201"]["description"] == "The room was created."
    assert put["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Room"
    }
    for path, method in [
        ("/rooms/{name}", "get"),
        ("/rooms/{name}/open", "post"),
        ("/rooms/{name}/messages.csv", "get"),
        ("/text/rooms/{name}", "get"),
    ]:
        not_found = paths[path][method]["responses"]["404"]
        assert not_found["description"] == "There is no room by that name."
        schema = not_found["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}


def test_openapi_names_the_media_types_of_the_csv_and_text_answers() -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert list(paths["/rooms/{name}/messages.csv"]["get"]["responses"]["200"]["content"]) == [
        "text/csv"
    ]
    assert list(paths["/text/rooms/{name}"]["get"]["responses"]["200"]["content"]) == ["text/plain"]
