"""Checks for exercise 30.1: /readyz says 503 while the maintenance file exists."""

from types import ModuleType

from fastapi.testclient import TestClient


def test_ready_without_the_file(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, f"GET /readyz answered {response.status_code}; expected 200"


def test_draining_with_the_file(client: TestClient, exercise: ModuleType) -> None:
    marker = exercise.DATA_DIR / "maintenance"
    marker.touch()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503, (
            f"GET /readyz while {marker} exists answered {response.status_code} "
            f"{response.text}; expected 503"
        )
        assert response.json() == {"status": "draining"}, (
            f'GET /readyz answered {response.text}; expected {{"status": "draining"}}'
        )
        alive = client.get("/healthz")
        assert alive.status_code == 200, (
            f"GET /healthz while draining answered {alive.status_code}; expected 200: "
            "the process is still alive"
        )
    finally:
        marker.unlink()
    again = client.get("/readyz")
    assert again.status_code == 200, (
        f"GET /readyz after the file was removed answered {again.status_code}; expected 200"
    )
