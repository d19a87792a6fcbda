"""Checks for exercise 21.1: deleting a room deletes its messages."""

from fastapi.testclient import TestClient


def test_the_room_and_its_messages_go(client: TestClient) -> None:
    response = client.delete("/rooms/1")
    assert response.status_code == 204, (
        f"DELETE /rooms/1 (a room with two messages) answered {response.status_code} "
        f"{response.text}; expected 204"
    )
    for message_id in (1, 2):
        left = client.get(f"/messages/{message_id}")
        assert left.status_code == 404, (
            f"after the room was deleted GET /messages/{message_id} answered "
            f"{left.status_code} {left.text}; expected 404: the message goes with its room"
        )


def test_an_unknown_room_is_still_404(client: TestClient) -> None:
    response = client.delete("/rooms/99")
    assert response.status_code == 404, f"DELETE /rooms/99 answered {response.status_code}"
