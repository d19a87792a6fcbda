"""Checks for exercise 17.1: a socket without a name is refused with 1008."""

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect


def test_without_a_name_the_handshake_is_refused(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/ws/rooms/general") as socket:
            greeting = socket.receive_text()
            pytest.fail(f"a socket without a name was accepted and greeted {greeting!r}")
    assert refused.value.code == 1008, (
        f"the socket without a name was closed with {refused.value.code}; expected 1008"
    )


def test_with_a_name_it_is_greeted(client: TestClient) -> None:
    with client.websocket_connect("/ws/rooms/general?name=ada") as socket:
        greeting = socket.receive_text()
        assert greeting == "welcome to general, ada", f"ada was greeted {greeting!r}"
        socket.send_text("hi")
        assert socket.receive_text() == "ada: hi"
