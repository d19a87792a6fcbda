"""Checks for exercise 08.1: the answer and its schema hold no password hash."""

from fastapi.testclient import TestClient

ALICE = {"username": "alice", "full_name": "Alice Liddell", "password": "wonderland"}


def test_the_answer_holds_only_public_fields(client: TestClient) -> None:
    response = client.post("/users", json=ALICE)
    assert response.status_code == 201 and response.json() == {
        "username": "alice",
        "full_name": "Alice Liddell",
    }, (
        "POST /users with a username, a full name and a password answered "
        f"{response.status_code} {response.text}; expected 201 with only "
        '{"username": "alice", "full_name": "Alice Liddell"}'
    )


def test_the_docs_promise_no_password_hash(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/users"]["post"]
    schema = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert schema.get("$ref", "").endswith("/UserBase"), (
        f"/openapi.json describes the 201 answer of POST /users as {schema}; "
        "expected the UserBase model, which has no password_hash"
    )
