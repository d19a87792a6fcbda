"""Checks for exercise 12.1: both lists are paged by the same dependency."""

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/rooms?skip=1&limit=2", ["python", "random"]), ("/members?skip=2", ["carol"])],
)
def test_a_page(client: TestClient, path: str, expected: list[str]) -> None:
    answer = client.get(path).json()
    assert answer == expected, f"GET {path} answered {answer}; expected {expected}"


@pytest.mark.parametrize("query", ["limit=0", "limit=51", "skip=-1", "skip=x"])
def test_bounds_are_checked_for_both(client: TestClient, query: str) -> None:
    for path in ("/rooms", "/members"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422, (
            f"GET {path}?{query} answered {response.status_code}; expected 422"
        )


def test_the_document_lists_the_parameters(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/members"]["get"]
    names = sorted(p["name"] for p in operation.get("parameters", []))
    assert names == ["limit", "skip"], f"GET /members documents the parameters {names}"
