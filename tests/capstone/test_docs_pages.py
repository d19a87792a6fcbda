"""The chat's /docs and /redoc: served from this machine, under a CSP that lets them run."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi.testclient import TestClient

from tests.docs_pages import assert_served_offline


def test_swagger_ui_and_redoc_load_nothing_from_another_host(client: TestClient) -> None:
    swagger = assert_served_offline(client, "/docs")
    assert "/docs-assets/swagger-ui-bundle.js" in swagger and "/openapi.json" in swagger
    redoc = assert_served_offline(client, "/redoc")
    assert "/docs-assets/redoc.standalone.js" in redoc
    assert client.get("/openapi.json").json()["info"]["title"] == "Chat"


def test_the_docs_pages_inline_script_is_allowed_by_its_hash_alone(client: TestClient) -> None:
    for path in ("/docs", "/docs/oauth2-redirect"):
        page = client.get(path)
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        (script,) = re.findall(r"<script>(.*?)</script>", page.text, flags=re.S)
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src is not None
        assert script_src[1] == f"'self' 'sha256-{digest}'", path
        assert "frame-ancestors 'none'" in csp  # the rest of the policy still holds


def test_the_chat_pages_keep_the_strict_policy(client: TestClient) -> None:
    csp = client.get("/healthz").headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
