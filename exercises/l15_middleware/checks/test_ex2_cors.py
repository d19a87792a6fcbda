"""Checks for exercise 15.2: the chat page's origin may call the API, and no other."""

from fastapi.testclient import TestClient

PAGE = "http://localhost:5173"


def test_the_page_may_call_the_api(client: TestClient) -> None:
    response = client.get("/rooms", headers={"Origin": PAGE})
    allowed = response.headers.get("access-control-allow-origin")
    assert allowed == PAGE, (
        f"GET /rooms from the origin {PAGE} came with Access-Control-Allow-Origin: {allowed}; "
        f"expected {PAGE}"
    )


def test_the_preflight_for_a_json_post_is_allowed(client: TestClient) -> None:
    response = client.options(
        "/rooms/general/messages",
        headers={
            "Origin": PAGE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200, (
        f"the browser's preflight for a JSON POST from {PAGE} answered {response.status_code} "
        f"{response.text}; expected 200"
    )
    assert response.headers.get("access-control-allow-origin") == PAGE


def test_another_origin_is_not_allowed(client: TestClient) -> None:
    response = client.get("/rooms", headers={"Origin": "https://evil.example"})
    allowed = response.headers.get("access-control-allow-origin")
    assert allowed is None, (
        f"GET /rooms from https://evil.example came with Access-Control-Allow-Origin: "
        f"{allowed}; expected none"
    )
