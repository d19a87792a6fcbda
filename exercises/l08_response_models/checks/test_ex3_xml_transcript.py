"""Checks for exercise 08.3: the transcript is an XML document, sent as application/xml."""

from xml.etree import ElementTree

from fastapi.testclient import TestClient


def test_the_transcript_is_sent_as_xml(client: TestClient) -> None:
    response = client.get("/rooms/general/transcript.xml")
    kind = response.headers.get("content-type", "")
    assert response.status_code == 200 and kind.startswith("application/xml"), (
        f"GET /rooms/general/transcript.xml answered {response.status_code} with the "
        f"Content-Type {kind!r}; expected 200 with application/xml"
    )


def test_the_transcript_parses_back(client: TestClient) -> None:
    response = client.get("/rooms/general/transcript.xml")
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError as error:
        raise AssertionError(
            f"GET /rooms/general/transcript.xml answered {response.text[:80]!r}, which is not "
            f"XML ({error}); expected the document itself, starting with '<?xml'"
        ) from None
    texts = [(m.get("sender"), m.text) for m in root.iter("message")]
    assert texts == [("alice", "Hello!"), ("bob", "a < b & c")], (
        f"GET /rooms/general/transcript.xml holds the messages {texts}; expected alice's "
        '"Hello!" and bob\'s "a < b & c"'
    )
