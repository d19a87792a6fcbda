"""The public contract: every HTTP path of capstone-api.md in the OpenAPI document, and the
command that serves it with the WebSocket options the design asks for."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from fastapi.testclient import TestClient

from capstone import __main__ as entry

CONTRACT = {
    ("post", "/api/auth/register"): "201",
    ("post", "/api/auth/token"): "200",
    ("post", "/api/auth/ws-ticket"): "200",
    ("post", "/api/auth/logout"): "204",
    ("get", "/api/users/me"): "200",
    ("delete", "/api/users/me"): "204",
    ("get", "/api/users/me/mentions"): "200",
    ("get", "/api/rooms"): "200",
    ("post", "/api/rooms"): "201",
    ("post", "/api/rooms/{room}/join"): "200",
    ("get", "/api/rooms/{room}/messages"): "200",
    ("post", "/api/rooms/{room}/messages"): "201",
    ("post", "/api/rooms/{room}/attachments"): "201",
    ("get", "/api/attachments/{attachment_id}"): "200",
    ("get", "/healthz"): "200",
    ("get", "/readyz"): "200",
}


def test_every_contract_path_is_documented(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "Chat"
    documented = {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert set(CONTRACT) == set(documented)  # pages and the socket stay out of the schema
    for key, success in CONTRACT.items():
        assert success in documented[key]["responses"], key


def test_history_parameters_and_the_upload_form(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    history = paths["/api/rooms/{room}/messages"]["get"]["parameters"]
    assert [(p["name"], p["in"]) for p in history] == [
        ("room", "path"), ("after", "query"), ("before", "query"), ("limit", "query")
    ]  # fmt: skip
    upload = paths["/api/rooms/{room}/attachments"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]


def test_python_m_capstone_serves_with_the_designed_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(entry.uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))
    monkeypatch.setenv("CHAT_MAX_MESSAGE_BYTES", "4096")
    # setenv first, so that monkeypatch restores the variable's absence after the test
    monkeypatch.setenv("CHAT_ALLOWED_ORIGINS", "")
    monkeypatch.delenv("CHAT_ALLOWED_ORIGINS")
    entry.main(["--port", "8123"])
    # Served on another port, the page's own origin is allowed unless the setting says otherwise.
    assert json.loads(os.environ["CHAT_ALLOWED_ORIGINS"]) == [
        "http://127.0.0.1:8123",
        "http://localhost:8123",
    ]
    assert calls == [
        (
            ("capstone.main:app",),
            {
                "host": "127.0.0.1",
                "port": 8123,
                "reload": False,
                "http": "capstone.server:ChatHttpProtocol",
                "ws": "capstone.server:ChatWebSocketProtocol",
                "ws_per_message_deflate": False,
                "ws_max_size": 4096 + 1024,
            },
        )
    ]


def test_python_m_capstone_keeps_an_explicit_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entry.uvicorn, "run", lambda *a, **kw: None)
    monkeypatch.setenv("CHAT_ALLOWED_ORIGINS", '["https://chat.example"]')
    entry.main(["--host", "chat.example", "--port", "9000"])
    assert os.environ["CHAT_ALLOWED_ORIGINS"] == '["https://chat.example"]'
    assert entry.own_origins("chat.example", 9000)[-1] == "http://chat.example:9000"
