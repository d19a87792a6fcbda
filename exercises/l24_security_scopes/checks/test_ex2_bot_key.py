"""Checks for exercise 24.2: only the right bot key may post."""

from fastapi.testclient import TestClient

PATH = "/bot/announcements"
BODY = {"text": "Maintenance at 22:00"}


def test_the_right_key_posts(client: TestClient) -> None:
    response = client.post(PATH, headers={"X-Bot-Key": "beep-boop-key"}, json=BODY)
    assert response.status_code == 201, (
        f"POST {PATH} with X-Bot-Key: beep-boop-key answered {response.status_code} "
        f"{response.text}; expected 201"
    )


def test_a_wrong_key_is_401_and_posts_nothing(client: TestClient) -> None:
    for key in ("wrong-key", "beep-boop-key ", "BEEP-BOOP-KEY", "beep"):
        response = client.post(PATH, headers={"X-Bot-Key": key}, json=BODY)
        assert response.status_code == 401, (
            f"POST {PATH} with X-Bot-Key: {key!r} answered {response.status_code} "
            f"{response.text}; expected 401: that is not the bot's key"
        )
        assert response.json() == {"detail": "Unknown bot key"}, (
            f"POST {PATH} with a wrong key answered {response.text}; "
            'expected {"detail": "Unknown bot key"}'
        )
        challenge = response.headers.get("www-authenticate")
        assert challenge == "APIKey", (
            f"the 401 came with WWW-Authenticate: {challenge}; expected APIKey"
        )


def test_no_key_is_still_401(client: TestClient) -> None:
    response = client.post(PATH, json=BODY)
    assert response.status_code == 401, (
        f"POST {PATH} with no X-Bot-Key answered {response.status_code}; expected 401"
    )
