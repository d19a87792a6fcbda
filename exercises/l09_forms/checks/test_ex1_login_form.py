"""Checks for exercise 09.1: the login reads a form."""

from fastapi.testclient import TestClient


def test_the_form_logs_in(client: TestClient) -> None:
    response = client.post("/login", data={"username": "alice", "password": "wonderland"})
    assert response.status_code == 200 and response.json().get("username") == "alice", (
        "POST /login with the form username=alice&password=wonderland answered "
        f'{response.status_code} {response.text}; expected 200 with "username": "alice"'
    )


def test_a_short_username_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "al", "password": "wonderland"})
    places = (
        [error.get("loc") for error in response.json().get("detail", [])]
        if response.status_code == 422
        else []
    )
    assert ["body", "username"] in places, (
        "POST /login with the form username=al&password=wonderland answered "
        f"{response.status_code} {response.text}; expected 422 about body.username "
        "(3 characters at least)"
    )


def test_an_empty_password_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "alice", "password": ""})
    assert response.status_code == 422, (
        "POST /login with the form username=alice&password= (empty) answered "
        f"{response.status_code} {response.text}; expected 422"
    )
