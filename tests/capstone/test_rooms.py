"""Rooms, history, sending over HTTP: seqs increasing and gap-free, resends de-duplicated."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from tests.capstone.conftest import Member, make_room

MESSAGE_KEYS = {"room", "seq", "author", "text", "client_msg_id", "sent_at", "attachment"}


def send(client: TestClient, who: Member, text: str, cmid: str, room: str = "general"):
    return client.post(
        f"/api/rooms/{room}/messages", json={"text": text, "client_msg_id": cmid}, headers=who.auth
    )


def test_create_list_and_join(client: TestClient, member: Callable[..., Member]) -> None:
    alice, bob = member("alice"), member("bob")
    response = client.post("/api/rooms", json={"name": "general"}, headers=alice.auth)
    assert response.status_code == 201
    assert response.json() == {"name": "general", "member": True}
    assert client.get("/api/rooms", headers=bob.auth).json() == [
        {"name": "general", "member": False}
    ]
    for _ in range(2):  # idempotent
        joined = client.post("/api/rooms/general/join", headers=bob.auth)
        assert joined.status_code == 200
        assert joined.json() == {"name": "general", "member": True}
    assert client.get("/api/rooms", headers=bob.auth).json() == [
        {"name": "general", "member": True}
    ]


def test_one_user_joining_from_many_requests_at_once(
    client: TestClient, member: Callable[..., Member]
) -> None:
    """Parallel joins by one non-member (tabs, retries): each is a 200, one membership."""
    alice = member("alice")

    def join_as(who: Member) -> Any:
        return client.post("/api/rooms/general/join", headers=who.auth)

    make_room(client, alice)
    for n in range(3):  # a race is a matter of luck: several fresh users, each racing itself
        bob = member(f"bob{n}")
        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(join_as, [bob] * 12))
        assert [(r.status_code, r.json()) for r in answers] == [
            (200, {"name": "general", "member": True})
        ] * 12
        assert client.get("/api/rooms", headers=bob.auth).json() == [
            {"name": "general", "member": True}
        ]


def test_room_errors(client: TestClient, member: Callable[..., Member]) -> None:
    alice = member("alice")
    make_room(client, alice)
    taken = client.post("/api/rooms", json={"name": "general"}, headers=alice.auth)
    assert taken.status_code == 409
    assert taken.json() == {"detail": "Room name already taken"}
    bad = client.post("/api/rooms", json={"name": "Not A Slug"}, headers=alice.auth)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "name"]
    assert bad.json()["detail"][0]["type"] == "string_pattern_mismatch"
    missing = client.post("/api/rooms/nowhere/join", headers=alice.auth)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Room not found"}
    assert client.get("/api/rooms").status_code == 401


def test_send_and_read_history(client: TestClient, member: Callable[..., Member]) -> None:
    alice = member("alice")
    make_room(client, alice)
    first = send(client, alice, "hello", "c1")
    assert first.status_code == 201
    body = first.json()
    assert set(body) == MESSAGE_KEYS
    assert (body["room"], body["seq"], body["author"], body["text"], body["client_msg_id"]) == (
        "general",
        1,
        "alice",
        "hello",
        "c1",
    )
    assert body["sent_at"].endswith("Z") or body["sent_at"].endswith("+00:00")
    for n in range(2, 8):
        assert send(client, alice, f"m{n}", f"c{n}").json()["seq"] == n

    def seqs(query: str) -> list[int]:
        response = client.get(f"/api/rooms/general/messages{query}", headers=alice.auth)
        assert response.status_code == 200
        return [message["seq"] for message in response.json()]

    assert seqs("") == [1, 2, 3, 4, 5, 6, 7]
    assert seqs("?after=4") == [5, 6, 7]
    assert seqs("?after=2&limit=2") == [3, 4]
    assert seqs("?before=5&limit=2") == [3, 4]  # the newest two before 5, in seq order
    assert seqs("?before=3") == [1, 2]
    assert seqs("?after=2&before=5") == [3, 4]


def test_history_query_errors(client: TestClient, member: Callable[..., Member]) -> None:
    alice = member("alice")
    make_room(client, alice)
    response = client.get("/api/rooms/general/messages?limit=0&after=-1", headers=alice.auth)
    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["query", "after"], "greater_than_equal"),
        (["query", "limit"], "greater_than_equal"),
    ]
    assert client.get("/api/rooms/nowhere/messages", headers=alice.auth).status_code == 404


def test_a_resent_client_msg_id_gets_the_same_message(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice, bob = member("alice"), member("bob")
    make_room(client, alice)
    client.post("/api/rooms/general/join", headers=bob.auth)
    first = send(client, alice, "once", "same-id")
    again = send(client, alice, "once, resent", "same-id")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    # The same id from another author is another message.
    assert send(client, bob, "mine", "same-id").json()["seq"] == 2
    # Nothing new was stored, and no seq was burnt by the resend.
    assert send(client, alice, "next", "other-id").json()["seq"] == 3
    history = client.get("/api/rooms/general/messages", headers=alice.auth).json()
    assert [(m["seq"], m["text"]) for m in history] == [(1, "once"), (2, "mine"), (3, "next")]


def test_only_members_send(client: TestClient, member: Callable[..., Member]) -> None:
    alice, bob = member("alice"), member("bob")
    make_room(client, alice)
    response = send(client, bob, "let me in", "x")
    assert response.status_code == 403
    assert response.json() == {"detail": "Join the room first"}


def test_message_body_is_validated(client: TestClient, member: Callable[..., Member]) -> None:
    alice = member("alice")
    make_room(client, alice)
    response = send(client, alice, "", "bad id!")
    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", "text"], "string_too_short"),
        (["body", "client_msg_id"], "string_pattern_mismatch"),
    ]


def test_concurrent_senders_get_gap_free_increasing_seqs(
    client: TestClient, member: Callable[..., Member]
) -> None:
    people = [member(f"writer{n}") for n in range(4)]
    make_room(client, people[0])
    for who in people[1:]:
        client.post("/api/rooms/general/join", headers=who.auth)

    def burst(who: Member) -> list[int]:
        return [
            send(client, who, f"{who.username} {n}", f"{who.username}-{n}").json()["seq"]
            for n in range(10)
        ]

    with ThreadPoolExecutor(len(people)) as pool:
        per_writer = list(pool.map(burst, people))
    for seqs in per_writer:
        assert seqs == sorted(seqs)  # each writer sees its own messages in order
    assert sorted(seq for seqs in per_writer for seq in seqs) == list(range(1, 41))
    history = client.get("/api/rooms/general/messages", headers=people[0].auth).json()
    assert [m["seq"] for m in history] == list(range(1, 41))


def test_mentions_are_recorded_after_the_response(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice, bob, carol = member("alice"), member("bob"), member("carol")
    make_room(client, alice)
    client.post("/api/rooms/general/join", headers=bob.auth)
    assert client.get("/api/users/me/mentions", headers=bob.auth).json() == []
    send(client, alice, "hi @bob, @carol and @nobody, email x@bob.example", "m1")
    send(client, alice, "no mention here", "m2")
    mentions = client.get("/api/users/me/mentions", headers=bob.auth).json()
    assert [(m["room"], m["seq"], m["author"], m["text"]) for m in mentions] == [
        ("general", 1, "alice", "hi @bob, @carol and @nobody, email x@bob.example")
    ]
    assert client.get("/api/users/me/mentions", headers=alice.auth).json() == []
    # carol is no member: she must not learn of a message she cannot read.
    assert client.get("/api/users/me/mentions", headers=carol.auth).json() == []
    assert client.get("/api/rooms/general/messages", headers=carol.auth).status_code == 403


def test_a_seq_too_big_for_the_database_is_422(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice = member("alice")
    make_room(client, alice)
    response = client.get(f"/api/rooms/general/messages?after={2**63}", headers=alice.auth)
    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["query", "after"], "less_than_equal")
    ]
