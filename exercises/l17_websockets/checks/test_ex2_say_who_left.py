"""Checks for exercise 17.2: the room hears who left."""

from fastapi.testclient import TestClient


def test_the_others_hear_who_left(client: TestClient) -> None:
    with client.websocket_connect("/ws/ada") as ada:
        assert ada.receive_text() == "ada joined"
        with client.websocket_connect("/ws/bob") as bob:
            assert ada.receive_text() == "bob joined"
            assert bob.receive_text() == "bob joined"
        # bob's socket is closed now. ada speaks, so the next thing she hears comes either way.
        ada.send_text("still here")
        heard = ada.receive_text()
        assert heard == "bob left", (
            f"after bob's socket closed, the next thing ada heard was {heard!r}; "
            "expected 'bob left'"
        )
        assert ada.receive_text() == "ada: still here"
