"""Checks for exercise 06.1: a start without a time zone is a 422, not a 500."""

from fastapi.testclient import TestClient

URL = "/schedules/3f2b8c1e-6a4d-4e8f-9b7a-2c5d1e0f4a9b"
AWARE = {
    "text": "Stand-up in five minutes",
    "start": "2026-11-24T09:00:00Z",
    "delay": "PT1H30M",
    "until": "2026-11-24T18:00:00Z",
}


def test_a_start_with_a_zone_is_scheduled(client: TestClient) -> None:
    response = client.put(URL, json=AWARE)
    body = response.json() if response.status_code == 200 else {}
    assert body.get("send_at") == "2026-11-24T10:30:00Z", (
        f'PUT {URL} with "start": "2026-11-24T09:00:00Z" and "delay": "PT1H30M" answered '
        f'{response.status_code} {response.text}; expected 200 with "send_at": '
        '"2026-11-24T10:30:00Z"'
    )


def test_a_start_without_a_zone_is_refused(client: TestClient) -> None:
    client_keeps_500 = TestClient(client.app, raise_server_exceptions=False)
    response = client_keeps_500.put(URL, json={**AWARE, "start": "2026-11-24T09:00:00"})
    places = (
        [error.get("loc") for error in response.json().get("detail", [])]
        if response.status_code == 422
        else []
    )
    assert ["body", "start"] in places, (
        f'PUT {URL} with "start": "2026-11-24T09:00:00" (no time zone) answered '
        f"{response.status_code} {response.text}; expected 422 about body.start"
    )
