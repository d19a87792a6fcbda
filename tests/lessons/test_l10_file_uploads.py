"""Lesson 10: File() bytes, UploadFile, several files, form + file, chunked storage, 413, names."""

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from lessons.l10_file_uploads import (
    CHUNK_BYTES,
    MAX_ATTACHMENT_BYTES,
    app,
    get_upload_dir,
)
from tests.live import live_server

BOUNDARY = "chat-boundary"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture
def uploads(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "uploads"
    directory.mkdir()
    app.dependency_overrides[get_upload_dir] = lambda: directory
    yield directory
    app.dependency_overrides.clear()


@pytest.fixture
def client(uploads: Path) -> TestClient:
    return TestClient(app)


def test_file_as_bytes(client: TestClient) -> None:
    response = client.post("/avatar/check", files={"avatar": ("me.png", PNG, "image/png")})
    assert response.status_code == 200
    assert response.json() == {"size": 32, "kind": "png"}
    other = client.post("/avatar/check", files={"avatar": ("me.txt", b"hello", "text/plain")})
    assert other.json() == {"size": 5, "kind": "unknown"}


def test_file_is_required(client: TestClient) -> None:
    response = client.post("/avatar/check", data={})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "avatar"], "msg": "Field required", "input": None}
        ]
    }


def test_uploadfile_metadata_read_and_seek(client: TestClient) -> None:
    # The client says text/plain; the first bytes say PNG. The digest covers every byte,
    # which it would not if the endpoint forgot to seek(0) after peeking.
    response = client.post("/attachments/inspect", files={"file": ("notes.txt", PNG, "text/plain")})
    assert response.status_code == 200
    assert response.json() == {
        "filename": "notes.txt",
        "content_type": "text/plain",
        "size": 32,
        "sniffed": "png",
        "sha256": hashlib.sha256(PNG).hexdigest(),
    }


def test_uploadfile_reads_a_file_bigger_than_one_chunk(client: TestClient) -> None:
    content = bytes(range(256)) * 1000  # 256 000 bytes: four chunks
    response = client.post("/attachments/inspect", files={"file": ("blob.bin", content)})
    assert response.json()["size"] == len(content)
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()


def test_several_files_at_once(client: TestClient) -> None:
    files = [
        ("files", ("a.txt", b"first", "text/plain")),
        ("files", ("b.png", PNG, "image/png")),
    ]
    response = client.post("/attachments/batch", files=files)
    assert response.status_code == 200
    assert response.json() == [
        {"filename": "a.txt", "content_type": "text/plain", "size": 5},
        {"filename": "b.png", "content_type": "image/png", "size": 32},
    ]


def test_more_files_than_the_form_limit_is_a_400(client: TestClient) -> None:
    files = [("files", (f"{n}.txt", b"x", "text/plain")) for n in range(6)]
    response = client.post("/attachments/batch", files=files)
    assert response.status_code == 400
    assert response.json() == {"detail": "Too many files. Maximum number of files is 5."}


def test_form_field_and_file_are_stored_under_a_generated_name(
    client: TestClient, uploads: Path
) -> None:
    content = b"minutes of the meeting\n" * 10
    response = client.post(
        "/rooms/7/attachments",
        data={"caption": "Minutes"},
        files={"file": ("minutes.txt", content, "text/plain")},
    )
    assert response.request.headers["content-type"].startswith("multipart/form-data")
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", body["stored_as"])
    assert body == {
        "room_id": 7,
        "caption": "Minutes",
        "stored_as": body["stored_as"],
        "original_name": "minutes.txt",
        "content_type": "text/plain",
        "size": len(content),
        "chunks": 1,
    }
    assert (uploads / body["stored_as"]).read_bytes() == content


def test_attachment_is_copied_in_chunks(client: TestClient, uploads: Path) -> None:
    content = b"z" * (3 * CHUNK_BYTES + 100)
    response = client.post(
        "/rooms/7/attachments", data={"caption": "big"}, files={"file": ("big.bin", content)}
    )
    assert response.status_code == 201
    assert response.json()["chunks"] == 4
    assert response.json()["size"] == len(content)
    assert (uploads / response.json()["stored_as"]).read_bytes() == content


@pytest.mark.parametrize("name", ["../../escape.txt", "/etc/passwd", "..\\..\\win.ini", ".bashrc"])
def test_a_hostile_filename_never_becomes_a_path(
    client: TestClient, uploads: Path, tmp_path: Path, name: str
) -> None:
    response = client.post(
        "/rooms/7/attachments", data={"caption": "hi"}, files={"file": (name, b"payload")}
    )
    assert response.status_code == 201
    stored_as = response.json()["stored_as"]
    assert response.json()["original_name"] == name
    # Exactly one new file, directly inside the upload dir, named by us.
    assert sorted(tmp_path.rglob("*")) == [uploads, uploads / stored_as]
    assert (uploads / stored_as).read_bytes() == b"payload"


def test_an_empty_caption_and_no_file_chosen_count_as_missing(client: TestClient) -> None:
    # What a browser sends for an empty text box and for "no file chosen": an empty value, and
    # an empty part with filename="". FastAPI treats both as not sent at all.
    browser_body = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="caption"\r\n\r\n'
        "\r\n"
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
        f"\r\n--{BOUNDARY}--\r\n"
    ).encode()
    response = client.post(
        "/rooms/7/attachments",
        content=browser_body,
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "caption"], "msg": "Field required", "input": None},
            {"type": "missing", "loc": ["body", "file"], "msg": "Field required", "input": None},
        ]
    }


def test_a_caption_too_long_is_a_422(client: TestClient, uploads: Path) -> None:
    response = client.post(
        "/rooms/7/attachments", data={"caption": "c" * 201}, files={"file": ("a.txt", b"a")}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_long",
                "loc": ["body", "caption"],
                "msg": "String should have at most 200 characters",
                "input": "c" * 201,
                "ctx": {"max_length": 200},
            }
        ]
    }
    assert list(uploads.iterdir()) == []


def test_too_large_with_content_length_is_413(
    client: TestClient, uploads: Path, tmp_path: Path
) -> None:
    content = b"x" * MAX_ATTACHMENT_BYTES
    response = client.post(
        "/rooms/7/attachments", data={"caption": "big"}, files={"file": ("big.bin", content)}
    )
    assert int(response.request.headers["content-length"]) > MAX_ATTACHMENT_BYTES
    assert response.status_code == 413
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "Content Too Large"
    assert sorted(tmp_path.rglob("*")) == [uploads]


def multipart_stream(file_bytes: int) -> Iterator[bytes]:
    """A multipart body sent in pieces, so the client cannot announce its length."""
    yield (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="caption"\r\n\r\n'
        "streamed\r\n"
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="stream.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    for start in range(0, file_bytes, CHUNK_BYTES):
        yield b"s" * min(CHUNK_BYTES, file_bytes - start)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def post_stream(client: TestClient, file_bytes: int) -> httpx2.Response:
    return client.post(
        "/rooms/7/attachments",
        content=multipart_stream(file_bytes),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


def test_a_chunked_upload_under_the_limit_is_stored(client: TestClient, uploads: Path) -> None:
    response = post_stream(client, 2 * CHUNK_BYTES)
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 201
    assert response.json()["caption"] == "streamed"
    assert response.json()["size"] == 2 * CHUNK_BYTES
    assert (uploads / response.json()["stored_as"]).stat().st_size == 2 * CHUNK_BYTES


def test_a_chunked_upload_over_the_limit_is_413_without_content_length(
    client: TestClient, uploads: Path, tmp_path: Path
) -> None:
    response = post_stream(client, MAX_ATTACHMENT_BYTES + CHUNK_BYTES)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    # Counted as it arrived, refused by raising an HTTP 413 that the app's handler answers.
    assert response.json() == {"detail": "Content Too Large"}
    assert sorted(tmp_path.rglob("*")) == [uploads]


def test_the_upload_dir_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "from-env" / "uploads"
    monkeypatch.setenv("CHAT_UPLOAD_DIR", str(target))
    assert get_upload_dir() == target
    assert target.is_dir()


def test_openapi_documents_multipart_bodies_and_the_413(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 10 — File uploads"
    operation = schema["paths"]["/rooms/{room_id}/attachments"]["post"]
    assert list(operation["requestBody"]["content"]) == ["multipart/form-data"]
    assert operation["responses"]["413"] == {"description": "The request body is larger than 1 MiB"}
    body = schema["components"]["schemas"]["Body_attach_file_rooms__room_id__attachments_post"]
    assert body["required"] == ["caption", "file"]
    assert body["properties"]["file"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "title": "File",
    }
    batch = schema["components"]["schemas"]["Body_list_attachments_attachments_batch_post"]
    assert batch["properties"]["files"]["items"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
    }


@pytest.mark.server
def test_a_real_server_refuses_a_chunked_upload_and_stores_one_under_the_limit(
    tmp_path: Path,
) -> None:
    # Over a real socket: uvicorn, chunked transfer, the folder taken from CHAT_UPLOAD_DIR.
    upload_dir = tmp_path / "live-uploads"
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    env = {"CHAT_UPLOAD_DIR": str(upload_dir)}
    with live_server("lessons.l10_file_uploads:app", env=env) as server:
        with httpx2.Client(base_url=server.url, timeout=30) as http:
            refused = http.post(
                "/rooms/7/attachments",
                content=multipart_stream(4 * MAX_ATTACHMENT_BYTES),
                headers=headers,
            )
            assert refused.request.headers["transfer-encoding"] == "chunked"
            assert refused.status_code == 413
            assert refused.json() == {"detail": "Content Too Large"}
            assert not upload_dir.exists()  # the dependency never even ran
            stored = http.post(
                "/rooms/7/attachments", content=multipart_stream(3 * CHUNK_BYTES), headers=headers
            )
    assert stored.status_code == 201
    assert stored.json()["chunks"] == 3
    assert [p.name for p in upload_dir.iterdir()] == [stored.json()["stored_as"]]
