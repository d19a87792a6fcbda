"""Checks for exercise 27.2: /docs loads everything it names from this app."""

import re

from fastapi.testclient import TestClient

ADDRESS = re.compile(r"""(?:\b(?:src|href)=|\burl:\s*)["']([^"']+)["']""")


def test_docs_answers_a_page(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200, (
        f"GET /docs answered {page.status_code}; expected 200 with Swagger UI's page"
    )
    assert "swagger-ui" in page.text, "GET /docs answered a page that is not Swagger UI's"


def test_every_address_on_the_page_is_served_here(client: TestClient) -> None:
    page = client.get("/docs")
    addresses = ADDRESS.findall(page.text)
    elsewhere = [a for a in addresses if a.startswith(("http:", "https:", "//"))]
    assert not elsewhere, (
        f"/docs loads {elsewhere} from another host; with no internet it stays blank. "
        "Point it at /docs-assets/..."
    )
    for address in addresses:
        answer = client.get(address)
        assert answer.status_code == 200, (
            f"/docs names {address}, which answered {answer.status_code}; expected 200"
        )


def test_the_page_is_not_in_the_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/docs" not in paths, "/docs is in the OpenAPI document; use include_in_schema=False"
