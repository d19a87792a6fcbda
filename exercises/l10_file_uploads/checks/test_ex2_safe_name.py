"""Checks for exercise 10.2: the file is stored under a name the server made up."""

import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def uploads(exercise: ModuleType, tmp_path: Path) -> Iterator[Path]:
    # The upload folder sits one level down, so a name that climbs out stays in tmp_path.
    folder = tmp_path / "uploads"
    folder.mkdir()
    exercise.app.dependency_overrides[exercise.get_upload_dir] = lambda: folder
    yield folder
    exercise.app.dependency_overrides.clear()


def upload(client: TestClient, name: str) -> tuple[int, dict[str, object], str]:
    # A server error is an answer here (500), not an exception in the check.
    answers_500 = TestClient(client.app, raise_server_exceptions=False)
    response = answers_500.post(
        "/rooms/1/attachments", files={"file": (name, b"hello", "text/plain")}
    )
    body = response.json() if response.status_code == 201 else {}
    return response.status_code, body, response.text


def test_the_name_on_disk_is_made_up(client: TestClient, uploads: Path) -> None:
    status, body, text = upload(client, "notes.txt")
    stored_as = str(body.get("stored_as"))
    assert re.fullmatch(r"[0-9a-f]{32}", stored_as), (
        f"POST /rooms/1/attachments with the file notes.txt answered {status} {text}; "
        'expected 201 with "stored_as": 32 hex digits, from uuid.uuid4().hex'
    )
    assert (uploads / stored_as).read_bytes() == b"hello", (
        f"the upload folder holds {sorted(p.name for p in uploads.iterdir())}; expected the "
        f"file's content in {stored_as}"
    )
    assert body.get("original_name") == "notes.txt", (
        f'POST /rooms/1/attachments answered {text}; expected "original_name": "notes.txt"'
    )


def test_a_name_that_climbs_out_stays_in_the_folder(client: TestClient, uploads: Path) -> None:
    status, _, text = upload(client, "../escape.txt")
    outside = [p.name for p in uploads.parent.iterdir() if p != uploads]
    assert status == 201 and not outside, (
        f"POST /rooms/1/attachments with the file ../escape.txt answered {status} {text} and "
        f"wrote {outside} outside the upload folder; expected 201 and the file inside it"
    )


def test_two_files_of_the_same_name_are_both_kept(client: TestClient, uploads: Path) -> None:
    first, _, _ = upload(client, "notes.txt")
    second, _, text = upload(client, "notes.txt")
    files = sorted(p.name for p in uploads.iterdir())
    assert (first, second) == (201, 201) and len(files) == 2, (
        f"two uploads named notes.txt answered {first} and {second} {text}, and the folder holds "
        f"{files}; expected 201 twice and two files"
    )
