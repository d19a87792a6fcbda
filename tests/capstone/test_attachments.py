"""Uploads: stored under a random name, sniffed by their first bytes, members only, size-limited."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from capstone.main import create_app
from capstone.settings import Settings
from tests.capstone.conftest import Databases, Member, make_room, make_settings, sign_up

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LIMIT = 1000


@pytest.fixture
def small_client(tmp_path: Path, databases: Databases) -> Iterator[TestClient]:
    with TestClient(
        create_app(make_settings(tmp_path, databases, max_upload_bytes=LIMIT))
    ) as client:
        yield client


def upload(client: TestClient, who: Member, name: str, data: bytes, content_type: str):
    return client.post(
        "/api/rooms/general/attachments",
        files={"file": (name, data, content_type)},
        headers=who.auth,
    )


def test_an_image_is_stored_announced_and_served_inline(
    client: TestClient, member: Callable[..., Member], settings: Settings
) -> None:
    alice = member("alice")
    make_room(client, alice)
    response = upload(client, alice, "cat.png", PNG, "image/png")
    assert response.status_code == 201
    assert response.json() == {
        "id": 1,
        "filename": "cat.png",
        "size": len(PNG),
        "content_type": "image/png",
    }
    stored = list(settings.upload_dir.iterdir())
    assert len(stored) == 1 and re.fullmatch(r"[0-9a-f]{32}", stored[0].name)

    history = client.get("/api/rooms/general/messages", headers=alice.auth).json()
    assert [(m["text"], m["attachment"]) for m in history] == [("cat.png", response.json())]

    served = client.get("/api/attachments/1", headers=alice.auth)
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"] == 'inline; filename="cat.png"'


def test_a_spoofed_image_is_served_as_a_download(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice = member("alice")
    make_room(client, alice)
    html = b"<html><script>alert(1)</script></html>"
    response = upload(client, alice, "cat.png", html, "image/png")
    assert response.status_code == 201
    assert response.json()["content_type"] == "application/octet-stream"
    served = client.get("/api/attachments/1", headers=alice.auth)
    assert served.content == html
    assert served.headers["content-type"] == "application/octet-stream"
    assert served.headers["content-disposition"] == 'attachment; filename="cat.png"'
    assert served.headers["x-content-type-options"] == "nosniff"


def test_a_path_in_the_name_goes_nowhere(
    client: TestClient, member: Callable[..., Member], settings: Settings, tmp_path: Path
) -> None:
    alice = member("alice")
    make_room(client, alice)
    for n, name in enumerate(["../../evil.txt", "..\\..\\evil.txt", "/etc/evil.txt"], start=1):
        response = upload(client, alice, name, b"payload", "text/plain")
        assert response.status_code == 201
        assert response.json()["filename"] == "evil.txt"
        served = client.get(f"/api/attachments/{n}", headers=alice.auth)
        assert served.headers["content-disposition"] == 'attachment; filename="evil.txt"'
    assert not list(tmp_path.parent.glob("evil*")) and not list(tmp_path.glob("evil*"))
    assert all(re.fullmatch(r"[0-9a-f]{32}", p.name) for p in settings.upload_dir.iterdir())


def test_members_only(client: TestClient, member: Callable[..., Member]) -> None:
    alice, bob = member("alice"), member("bob")
    make_room(client, alice)
    assert upload(client, alice, "a.txt", b"secret", "text/plain").status_code == 201
    refused = upload(client, bob, "b.txt", b"spam", "text/plain")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Join the room first"}
    hidden = client.get("/api/attachments/1", headers=bob.auth)
    assert hidden.status_code == 404
    assert hidden.json() == {"detail": "Attachment not found"}
    assert client.get("/api/attachments/99", headers=alice.auth).status_code == 404
    assert client.get("/api/attachments/1").status_code == 401


def test_too_large_with_content_length(small_client: TestClient, tmp_path: Path) -> None:
    alice = sign_up(small_client, "alice")
    make_room(small_client, alice)
    response = upload(
        small_client, alice, "big.bin", b"x" * (LIMIT + 1), "application/octet-stream"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "File too large"}
    huge = upload(small_client, alice, "huge.bin", b"x" * (LIMIT + 64 * 1024), "text/plain")
    # Refused on its Content-Length, before a byte is read (FastAPI's body limit, which answers
    # a declared size in plain text).
    assert (huge.status_code, huge.text) == (413, "Content Too Large")
    assert list((tmp_path / "uploads").iterdir()) == []


def test_too_large_without_content_length(small_client: TestClient) -> None:
    alice = sign_up(small_client, "alice")
    make_room(small_client, alice)
    boundary = "chatboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()

    def body() -> Iterator[bytes]:  # a generator: sent chunked, no Content-Length
        yield head
        for _ in range(40):
            yield b"x" * 1024
        yield f"\r\n--{boundary}--\r\n".encode()

    response = small_client.post(
        "/api/rooms/general/attachments",
        content=body(),
        headers={**alice.auth, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Content Too Large"}


@pytest.mark.asyncio
async def test_an_endless_upload_is_cut_off_while_streaming(
    tmp_path: Path, databases: Databases
) -> None:
    app = create_app(make_settings(tmp_path, databases, max_upload_bytes=LIMIT))
    chunks_read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal chunks_read
        chunks_read += 1
        if chunks_read == 1:
            return {
                "type": "http.request",
                "body": b'--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n',
                "more_body": True,
            }
        return {"type": "http.request", "body": b"x" * 4096, "more_body": True}  # never ends

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/rooms/general/attachments",
        "raw_path": b"/api/rooms/general/attachments",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"multipart/form-data; boundary=b"), (b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    await app(scope, receive, send)  # returns: the app did not read forever
    assert sent[0]["type"] == "http.response.start"
    assert sent[0]["status"] == 413
    assert sent[1]["body"] == b'{"detail":"Content Too Large"}'
    # It stopped within a few chunks of the limit (plus the multipart allowance).
    assert chunks_read * 4096 < LIMIT + 16 * 1024 + 3 * 4096


def test_an_id_too_big_for_the_database_is_422(
    client: TestClient, member: Callable[..., Member]
) -> None:
    alice = member("alice")
    response = client.get(f"/api/attachments/{2**63}", headers=alice.auth)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "attachment_id"]
    assert response.json()["detail"][0]["type"] == "less_than_equal"


def test_no_database_connection_is_held_while_an_answer_is_sent(settings: Settings) -> None:
    """A slow reader of a big attachment (or of anything) must not keep a pooled connection
    while its answer trickles out: counted at the moment each answer starts to be sent."""
    app = create_app(settings)
    held: dict[str, int] = {}

    async def counting(scope: Scope, receive: Receive, send: Send) -> None:
        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                held[scope["path"]] = app.state.chat.engine.pool.checkedout()
            await send(message)

        await app(scope, receive, noting)

    with TestClient(counting) as client:
        alice = sign_up(client)
        make_room(client, alice)
        uploaded = client.post(
            "/api/rooms/general/attachments",
            files={"file": ("notes.txt", b"x" * 100_000, "text/plain")},
            headers=alice.auth,
        )
        assert uploaded.status_code == 201, uploaded.text
        for path in ("/api/attachments/1", "/api/rooms", "/api/rooms/general/messages"):
            assert client.get(path, headers=alice.auth).status_code == 200, path
    assert held["/api/attachments/1"] == 0
    assert held["/api/rooms"] == 0
    assert held["/api/rooms/general/messages"] == 0
