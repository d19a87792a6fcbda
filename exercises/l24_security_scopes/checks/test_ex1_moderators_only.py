"""Checks for exercise 24.1: deleting a message needs the scope `moderate`."""

from fastapi.testclient import TestClient

PATH = "/rooms/general/messages/2"


def test_a_token_without_moderate_gets_403(client: TestClient) -> None:
    response = client.delete(PATH, headers={"Authorization": "Bearer reader-token"})
    assert response.status_code == 403, (
        f"DELETE {PATH} with bob's token (scope read only) answered {response.status_code} "
        f"{response.text}; expected 403: deleting needs the scope moderate"
    )
    assert response.json() == {"detail": "Missing scope: moderate"}, (
        f"DELETE {PATH} answered {response.text}; expected the detail 'Missing scope: moderate'"
    )
    challenge = response.headers.get("www-authenticate")
    expected = 'Bearer error="insufficient_scope", scope="moderate"'
    assert challenge == expected, (
        f"the 403 came with WWW-Authenticate: {challenge}; expected {expected}"
    )


def test_a_moderator_deletes(client: TestClient) -> None:
    response = client.delete(PATH, headers={"Authorization": "Bearer moderator-token"})
    assert response.status_code == 204, (
        f"DELETE {PATH} with alice's token (scopes read moderate) answered "
        f"{response.status_code} {response.text}; expected 204"
    )
    again = client.delete(PATH, headers={"Authorization": "Bearer moderator-token"})
    assert again.status_code == 404, (
        f"a second DELETE {PATH} answered {again.status_code}; expected 404: it is gone"
    )


def test_no_token_is_still_401(client: TestClient) -> None:
    response = client.delete(PATH)
    assert response.status_code == 401, (
        f"DELETE {PATH} with no token answered {response.status_code}; expected 401"
    )


def test_the_openapi_document_names_the_scope(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/rooms/general/messages/{message_id}"][
        "delete"
    ]
    security = operation.get("security")
    assert security == [{"OAuth2PasswordBearer": ["moderate"]}], (
        f"the OpenAPI document says the DELETE operation's security is {security}; expected "
        '[{"OAuth2PasswordBearer": ["moderate"]}]'
    )
