"""What makes an app's /docs and /redoc work offline, checked over a test client."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

# Every address a docs page names: attributes, and the schema's address in Swagger UI's script.
ADDRESS = re.compile(r"""(?:\b(?:src|href|spec-url)=|\burl:\s*)["']([^"']+)["']""")
SCRIPT_OR_STYLE = re.compile(
    r"""<script[^>]*\bsrc=["']([^"']+)["']|<link[^>]*\bhref=["']([^"']+)["']"""
)


def assert_served_offline(client: TestClient, path: str) -> list[str]:
    """`path` answers a page whose every address is on this server, and each script, style,
    icon and schema it names answers 200 from the same app. Returns the addresses."""
    page = client.get(path)
    assert page.status_code == 200, path
    addresses = ADDRESS.findall(page.text)
    assert addresses, f"{path} names no address"
    elsewhere = [a for a in addresses if urlsplit(a).netloc not in ("", "testserver")]
    assert elsewhere == [], f"{path} loads from another host: {elsewhere}"
    assets = [src or href for src, href in SCRIPT_OR_STYLE.findall(page.text)]
    assert any(a.endswith(".js") for a in assets), f"{path} loads no script"
    for address in addresses:
        answer = client.get(address)
        assert answer.status_code == 200, f"{path} names {address}: {answer.status_code}"
    return addresses
