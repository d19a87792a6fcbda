"""Checks for exercise 14.1: an unknown user and a wrong password get the same answer."""

from fastapi.testclient import TestClient


def test_both_mistakes_get_the_same_401(client: TestClient) -> None:
    unknown = client.post("/token", data={"username": "mallory", "password": "wonderland"})
    wrong = client.post("/token", data={"username": "alice", "password": "Wonderland"})
    for name, response in (("an unknown user", unknown), ("a wrong password", wrong)):
        assert response.status_code == 401, (
            f"/token with {name} answered {response.status_code} {response.text}; expected 401"
        )
        assert response.json() == {"detail": "Incorrect username or password"}, (
            f"/token with {name} answered {response.text}; expected the detail "
            "'Incorrect username or password'"
        )
        assert response.headers.get("www-authenticate") == "Bearer", (
            f"the 401 for {name} came without WWW-Authenticate: Bearer"
        )


def test_the_right_password_still_logs_in(client: TestClient) -> None:
    response = client.post("/token", data={"username": "alice", "password": "wonderland"})
    assert response.status_code == 200 and response.json()["token_type"] == "bearer"
