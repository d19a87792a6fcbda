"""Checks for exercise 29.1: attachments are told apart by `kind`."""

from fastapi.testclient import TestClient

IMAGE = {"kind": "image", "url": "https://example.org/cat.png", "width": 640}
LINK = {"kind": "link", "url": "https://example.org/"}


def test_an_image_without_width_gets_one_error_named_by_its_kind(client: TestClient) -> None:
    body = {"text": "look", "attachments": [{"kind": "image", "url": "https://example.org/"}]}
    response = client.post("/rooms/general/messages", json=body)
    assert response.status_code == 422, f"an image without a width answered {response.status_code}"
    locations = [error["loc"] for error in response.json()["detail"]]
    expected = [["body", "attachments", 0, "image", "width"]]
    assert locations == expected, (
        f"an image without a width got errors at {locations}; expected one, at {expected}: "
        "the kind says it is an image, so the link model should not be tried"
    )


def test_an_unknown_kind_is_one_clear_error(client: TestClient) -> None:
    body = {"text": "look", "attachments": [{"kind": "video", "url": "https://example.org/"}]}
    errors = client.post("/rooms/general/messages", json=body).json()["detail"]
    kinds = [error["type"] for error in errors]
    assert kinds == ["union_tag_invalid"], (
        f"an attachment of kind 'video' got the errors {kinds}; expected ['union_tag_invalid']"
    )


def test_both_kinds_still_pass(client: TestClient) -> None:
    body = {"text": "look", "attachments": [IMAGE, LINK]}
    response = client.post("/rooms/general/messages", json=body)
    assert response.status_code == 201, (
        f"a message with an image and a link answered {response.status_code} {response.text}"
    )


def test_the_document_has_the_discriminator(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    items = schemas["NewMessage"]["properties"]["attachments"]["items"]
    assert items.get("discriminator", {}).get("propertyName") == "kind", (
        "the OpenAPI document's attachments have no discriminator on 'kind'"
    )
