"""Checks for exercise 10.3: a body over 1 MiB is a 413 before anything of the endpoint runs."""

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

MIB = 1024 * 1024


@pytest.fixture
def opened(exercise: ModuleType, tmp_path: Path) -> Iterator[list[Path]]:
    """The upload folders the endpoint asked for: one each time its dependency ran."""
    calls: list[Path] = []

    def upload_dir() -> Path:
        calls.append(tmp_path)
        return tmp_path

    exercise.app.dependency_overrides[exercise.get_upload_dir] = upload_dir
    yield calls
    exercise.app.dependency_overrides.clear()


def upload(client: TestClient, size: int) -> tuple[int, str]:
    answers_500 = TestClient(client.app, raise_server_exceptions=False)
    files = {"file": ("big.bin", b"x" * size, "application/octet-stream")}
    response = answers_500.post("/rooms/1/attachments", files=files)
    return response.status_code, response.text


def test_a_small_upload_is_stored(client: TestClient, opened: list[Path], tmp_path: Path) -> None:
    status, text = upload(client, 1000)
    assert status == 201 and len(list(tmp_path.iterdir())) == 1, (
        f"POST /rooms/1/attachments with a file of 1000 bytes answered {status} {text}; "
        "expected 201 and the file stored"
    )


def test_a_big_upload_is_refused_before_the_endpoint(
    client: TestClient, opened: list[Path], tmp_path: Path
) -> None:
    status, text = upload(client, 2 * MIB)
    assert status == 413, (
        f"POST /rooms/1/attachments with a file of 2 MiB answered {status} {text[:100]}; "
        "expected 413 Content Too Large"
    )
    assert not opened and not list(tmp_path.iterdir()), (
        "POST /rooms/1/attachments with a file of 2 MiB answered 413, but only after the "
        "endpoint's dependencies had run; expected the limit to refuse it while it arrived, "
        "on the route itself"
    )


def test_the_limit_is_1_mib(client: TestClient, opened: list[Path]) -> None:
    status, text = upload(client, MIB - 1000)
    assert status == 201, (
        f"POST /rooms/1/attachments with a file of 1 MiB less 1000 bytes answered {status} "
        f"{text[:100]}; expected 201: the limit is 1 MiB for the whole body"
    )
