"""Checks for exercise 02.2: `kind` takes only the values of `RoomKind`."""

from fastapi.testclient import TestClient


def test_a_known_kind_answers_its_rule(client: TestClient) -> None:
    response = client.get("/room-kinds/private")
    assert response.json() == {"kind": "private", "rule": "members join by invitation"}, (
        f"GET /room-kinds/private answered {response.status_code} {response.text}; "
        'expected {"kind": "private", "rule": "members join by invitation"}'
    )


def test_an_unknown_kind_is_refused(client: TestClient) -> None:
    response = client.get("/room-kinds/secret")
    assert response.status_code == 422, (
        f"GET /room-kinds/secret answered {response.status_code} {response.text}; "
        "expected 422: the kinds are public, private and direct"
    )


def test_the_docs_list_the_kinds(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json().get("components", {}).get("schemas", {})
    kinds = schemas.get("RoomKind", {}).get("enum")
    assert kinds == ["public", "private", "direct"], (
        "/openapi.json has no RoomKind schema listing public, private and direct: "
        "/docs cannot offer the kinds to pick from"
    )
