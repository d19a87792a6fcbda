"""Checks for exercise 16.1: mentions are recorded, after the answer is sent."""

from types import ModuleType

from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send


def test_the_mention_is_recorded_after_the_answer(exercise: ModuleType) -> None:
    inner = exercise.app

    async def watching(scope: Scope, receive: Receive, send: Send) -> None:
        async def noting_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                exercise.EVENTS.append("answer sent")

        await inner(scope, receive, noting_send)

    with TestClient(watching) as client:
        response = client.post("/rooms/general/messages", json={"text": "hi @bob"})
        assert response.status_code == 201, f"POST answered {response.status_code}"
        assert client.get("/mentions/bob").json() == ["hi @bob"], "bob's mention was not recorded"
    events = exercise.EVENTS[:2]
    assert events == ["answer sent", "mentions recorded"], (
        f"the events came in the order {events}; expected the answer first, then the mentions: "
        "queue record_mentions as a background task"
    )
