"""Checks for exercise 23.1: the transcript is streamed, line by line."""

from fastapi.testclient import TestClient

EXPECTED = "ada: hello\nlinus: hi ada\nada: how are you?\n"


def test_the_transcript_is_plain_text(client: TestClient) -> None:
    response = client.get("/rooms/general/transcript")
    assert response.status_code == 200, (
        f"GET /rooms/general/transcript answered {response.status_code}"
    )
    assert response.headers["content-type"] == "text/plain; charset=utf-8", (
        f"the transcript came as {response.headers['content-type']}; "
        "expected text/plain; charset=utf-8"
    )
    assert response.text == EXPECTED, f"the transcript was {response.text!r}; expected {EXPECTED!r}"


def test_the_transcript_is_streamed(client: TestClient) -> None:
    response = client.get("/rooms/general/transcript")
    length = response.headers.get("content-length")
    assert length is None, (
        f"the transcript came with Content-Length: {length}, so it was built whole before "
        "being sent; a StreamingResponse sends its lines as they are made, with no length"
    )
    with client.stream("GET", "/rooms/general/transcript") as streamed:
        lines = list(streamed.iter_lines())
    assert lines == EXPECTED.splitlines(), f"the streamed lines were {lines}"
