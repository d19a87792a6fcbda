"""Checks for exercise 28.2: the WSGI page answers under /legacy."""

from fastapi.testclient import TestClient


def test_the_wsgi_page_answers(client: TestClient) -> None:
    response = client.get("/legacy/status")
    assert response.status_code == 200, (
        f"GET /legacy/status answered {response.status_code} {response.text}; expected 200"
    )
    assert response.text == "OK\nserved at /legacy/status\n", (
        f"GET /legacy/status answered {response.text!r}; "
        "expected 'OK\\nserved at /legacy/status\\n'"
    )


def test_the_api_still_answers(client: TestClient) -> None:
    assert client.get("/rooms").json() == ["general"], "GET /rooms no longer answers ['general']"
