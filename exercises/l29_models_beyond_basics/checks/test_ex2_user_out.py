"""Checks for exercise 29.2: a sign-up answers without the password."""

from fastapi.testclient import TestClient

BODY = {"username": "carol", "password": "correct horse"}


def test_the_answer_has_no_password(client: TestClient) -> None:
    response = client.post("/users", json=BODY)
    assert response.status_code == 201, (
        f"POST /users answered {response.status_code} {response.text}; expected 201"
    )
    assert response.json() == {"username": "carol", "display_name": ""}, (
        f'POST /users answered {response.text}; expected {{"username": "carol", '
        '"display_name": ""}, with no password'
    )


def test_the_document_has_no_password_in_the_answer(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/users"]["post"]
    answer = operation["responses"]["201"]["content"]["application/json"]["schema"]
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    name = answer.get("$ref", "").rsplit("/", 1)[-1]
    fields = sorted(schemas.get(name, {}).get("properties", {}))
    assert fields == ["display_name", "username"], (
        f"the OpenAPI document says the answer has the fields {fields}; "
        "expected ['display_name', 'username']"
    )


def test_the_password_is_still_required_and_checked(client: TestClient) -> None:
    response = client.post("/users", json={"username": "carol", "password": "short"})
    assert response.status_code == 422, (
        f"POST /users with a 5-character password answered {response.status_code}; expected 422"
    )
