"""Checks for exercise 05.2: the edit arrives as {"message": {...}}."""

from fastapi.testclient import TestClient


def test_the_embedded_shape_is_accepted(client: TestClient) -> None:
    response = client.put("/messages/7", json={"message": {"text": "fixed"}})
    assert response.status_code == 200, (
        'PUT /messages/7 with {"message": {"text": "fixed"}} answered '
        f"{response.status_code} {response.text}; expected 200"
    )
    assert response.json() == {"seq": 7, "message": {"text": "fixed"}}, (
        f"PUT /messages/7 answered {response.text}; "
        'expected {"seq": 7, "message": {"text": "fixed"}}'
    )


def test_the_bare_shape_is_refused(client: TestClient) -> None:
    response = client.put("/messages/7", json={"text": "fixed"})
    assert response.status_code == 422, (
        f'PUT /messages/7 with the bare {{"text": "fixed"}} answered {response.status_code}; '
        'expected 422: the edit must be wrapped as {"message": ...}'
    )


def test_the_text_is_still_validated(client: TestClient) -> None:
    response = client.put("/messages/7", json={"message": {"text": ""}})
    assert response.status_code == 422, (
        f'PUT /messages/7 with {{"message": {{"text": ""}}}} answered {response.status_code}; '
        "expected 422 (a text has at least 1 character)"
    )
