"""Checks for exercise 04.2: `from` filters by sender, and `q` has at least 3 characters."""

from fastapi.testclient import TestClient


def test_from_keeps_one_senders_messages(client: TestClient) -> None:
    response = client.get("/messages/search", params={"q": "hello", "from": "alice"})
    senders = (
        [message.get("sender") for message in response.json()]
        if response.status_code == 200
        else None
    )
    assert senders == ["alice", "alice"], (
        f"GET /messages/search?q=hello&from=alice answered {response.status_code} "
        f"{response.text}; expected alice's two messages only"
    )


def test_a_short_search_is_refused(client: TestClient) -> None:
    response = client.get("/messages/search", params={"q": "hi"})
    assert response.status_code == 422, (
        f"GET /messages/search?q=hi answered {response.status_code} {response.text}; "
        "expected 422: the search text has at least 3 characters"
    )


def test_the_document_names_the_parameter_from(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/messages/search"]["get"]
    names = [parameter["name"] for parameter in operation.get("parameters", [])]
    assert "from" in names, (
        f"/openapi.json lists the parameters {names} for GET /messages/search; expected `from`"
    )
