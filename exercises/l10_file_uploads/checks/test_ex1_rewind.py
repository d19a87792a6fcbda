"""Checks for exercise 10.1: the digest covers the whole file, first bytes included."""

import hashlib

from fastapi.testclient import TestClient

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def test_the_digest_is_the_whole_files(client: TestClient) -> None:
    response = client.post("/attachments/inspect", files={"file": ("cat.png", PNG, "image/png")})
    body = response.json() if response.status_code == 200 else {}
    expected = hashlib.sha256(PNG).hexdigest()
    assert body.get("sha256") == expected, (
        f"POST /attachments/inspect with a PNG of {len(PNG)} bytes answered "
        f"{response.status_code} with the sha256 {body.get('sha256')}; expected {expected}, the "
        "digest of the whole file"
    )


def test_the_start_is_still_sniffed(client: TestClient) -> None:
    response = client.post("/attachments/inspect", files={"file": ("cat.txt", PNG, "text/plain")})
    body = response.json() if response.status_code == 200 else {}
    assert body.get("sniffed") == "png", (
        "POST /attachments/inspect with a PNG named cat.txt answered "
        f'{response.status_code} {response.text}; expected "sniffed": "png"'
    )


def test_a_file_shorter_than_the_start(client: TestClient) -> None:
    response = client.post("/attachments/inspect", files={"file": ("hi.txt", b"hi", "text/plain")})
    body = response.json() if response.status_code == 200 else {}
    expected = hashlib.sha256(b"hi").hexdigest()
    assert body.get("sha256") == expected, (
        'POST /attachments/inspect with the two bytes "hi" answered '
        f"{response.status_code} {response.text}; expected the sha256 {expected}"
    )
