"""Checks for exercise 07.1: `X-Client-Version` is read from the headers."""

from fastapi.testclient import TestClient


def test_the_version_comes_from_the_header(client: TestClient) -> None:
    response = client.get("/client", headers={"X-Client-Version": "2.4.1"})
    version = response.json().get("client_version") if response.status_code == 200 else None
    assert version == "2.4.1", (
        "GET /client with the header X-Client-Version: 2.4.1 answered "
        f'{response.status_code} {response.text}; expected "client_version": "2.4.1"'
    )


def test_the_query_string_no_longer_counts(client: TestClient) -> None:
    response = client.get("/client?x_client_version=9.9")
    version = response.json().get("client_version") if response.status_code == 200 else None
    assert version is None, (
        f"GET /client?x_client_version=9.9 answered {response.status_code} {response.text}; "
        'expected "client_version": null, since the version is a header, not a query parameter'
    )
