"""Ids and seqs past 2^31, up to 2^63 - 1, on both databases: served normally, never a 500.

A 32-bit column would overflow in the driver (PostgreSQL `int4`): every id, seq and size column
is 64-bit.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update

from capstone.models import Room
from capstone.security import create_access_token
from capstone.settings import Settings
from tests.capstone.conftest import ORIGIN, Member, frames_until, make_room, ticket

PAST_INT4 = 2**31
MAX_INT = 2**63 - 1


def test_a_room_past_two_billion_messages_goes_on_counting(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice = member("alice")
    make_room(client, alice, "busy")

    async def fast_forward() -> None:
        async with client.app.state.chat.engine.begin() as connection:  # type: ignore[attr-defined]
            await connection.execute(
                update(Room).where(Room.name == "busy").values(next_seq=PAST_INT4)
            )

    client.portal.call(fast_forward)  # type: ignore[union-attr]
    url = "/api/rooms/busy/messages"
    sent = client.post(url, json={"text": "still", "client_msg_id": "c1"}, headers=alice.auth)
    assert (sent.status_code, sent.json()["seq"]) == (201, PAST_INT4 + 1)
    history = client.get(f"{url}?after={PAST_INT4}", headers=alice.auth).json()
    assert [m["seq"] for m in history] == [PAST_INT4 + 1]
    before = client.get(f"{url}?before={MAX_INT}", headers=alice.auth).json()
    assert [m["seq"] for m in before] == [PAST_INT4 + 1]
    assert client.get(f"{url}?after={MAX_INT}", headers=alice.auth).json() == []

    socket_url = f"/ws/rooms/busy?ticket={ticket(client, alice)}&since={PAST_INT4}"
    with client.websocket_connect(socket_url, headers={"origin": ORIGIN}) as ws:
        caught_up = [f for f in frames_until(ws, "presence") if f["type"] == "message"]
        assert [f["seq"] for f in caught_up] == [PAST_INT4 + 1]
        ws.send_json({"type": "message", "text": "and on", "client_msg_id": "c2"})
        assert frames_until(ws, "ack")[-1]["seq"] == PAST_INT4 + 2


def test_an_attachment_id_past_int4_or_at_the_top_is_404(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice = member("alice")
    for attachment_id in [PAST_INT4, MAX_INT]:
        response = client.get(f"/api/attachments/{attachment_id}", headers=alice.auth)
        assert response.status_code == 404, attachment_id


def test_a_signed_token_for_a_user_id_past_int4_is_401(
    client: TestClient, settings: Settings
) -> None:
    for user_id in [PAST_INT4, MAX_INT]:
        token = create_access_token(settings, user_id, "a-session-id")
        response = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, user_id
