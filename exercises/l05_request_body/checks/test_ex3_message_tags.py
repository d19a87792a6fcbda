"""Checks for exercise 05.3: repeated tags count once."""

from fastapi.testclient import TestClient


def test_repeated_tags_come_back_once(client: TestClient) -> None:
    body = {"text": "hi", "tags": ["python", "news", "news"]}
    response = client.post("/rooms/1/rich-messages", json=body)
    tags = response.json().get("tags") if response.status_code == 200 else None
    assert tags == ["news", "python"], (
        'POST /rooms/1/rich-messages with "tags": ["python", "news", "news"] answered '
        f'{response.status_code} {response.text}; expected "tags": ["news", "python"]'
    )


def test_the_schema_says_tags_are_unique(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["RichMessage"]
    tags = schema["properties"]["tags"]
    assert tags.get("uniqueItems") is True, (
        f"/openapi.json describes RichMessage.tags as {tags}; expected "
        '"uniqueItems": true, which a set gives'
    )
