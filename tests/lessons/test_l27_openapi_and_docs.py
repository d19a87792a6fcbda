"""Lesson 27: metadata, tags, operation ids, openapi_extra, webhooks, callbacks, offline docs."""

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from lessons import l27_openapi_and_docs as lesson
from lessons.l27_openapi_and_docs import app
from tests.docs_pages import assert_served_offline

client = TestClient(app)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    saved = {room: list(messages) for room, messages in lesson.MESSAGES.items()}
    yield
    lesson.MESSAGES.clear()
    lesson.MESSAGES.update(saved)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


def test_the_metadata(schema: dict[str, Any]) -> None:
    info = schema["info"]
    assert info["summary"] == "A chat's rooms, messages and exports."
    assert info["version"] == "1.4.0"
    assert info["contact"] == {"name": "The chat's maintainers", "url": "https://example.org/chat"}
    assert info["license"] == {"name": "MIT", "identifier": "MIT"}
    assert schema["servers"] == [
        {"url": "http://127.0.0.1:8200", "description": "The lesson on this machine"}
    ]


def test_the_tags_in_their_order_with_descriptions(schema: dict[str, Any]) -> None:
    assert [tag["name"] for tag in schema["tags"]] == ["rooms", "exports"]
    assert schema["tags"][1]["externalDocs"]["url"] == "https://jsonlines.org/"


def test_operation_ids_are_tag_and_function(schema: dict[str, Any]) -> None:
    ids = sorted(op["operationId"] for ops in schema["paths"].values() for op in ops.values())
    assert ids == [
        "exports-start_export",
        "rooms-import_messages",
        "rooms-list_messages",
        "rooms-list_rooms",
    ]


def test_the_docs_pages_are_not_in_the_document(schema: dict[str, Any]) -> None:
    assert sorted(schema["paths"]) == [
        "/rooms",
        "/rooms/{room}/exports",
        "/rooms/{room}/import",
        "/rooms/{room}/messages",
    ]


def test_openapi_extra_describes_the_hand_read_body(schema: dict[str, Any]) -> None:
    body = schema["paths"]["/rooms/{room}/import"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"] == {"text/plain": {"schema": {"type": "string"}}}


def test_import_adds_every_line() -> None:
    response = client.post(
        "/rooms/general/import",
        content="bob: hi\n\ncarol: hello: again\n",
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 201
    assert response.json() == [
        {"id": 2, "author": "bob", "text": "hi"},
        {"id": 3, "author": "carol", "text": "hello: again"},
    ]
    assert len(client.get("/rooms/general/messages").json()) == 3


@pytest.mark.parametrize("body", ["bob: hi\nno colon", ": no author", "bob: "])
def test_a_bad_line_refuses_the_whole_import(body: str) -> None:
    response = client.post("/rooms/new/import", content=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Not `author: text`")
    assert client.get("/rooms").json() == ["general"]


def test_bytes_that_are_not_utf8_do_not_crash_the_import() -> None:
    response = client.post("/rooms/general/import", content=b"bob: caf\xe9")
    assert response.status_code == 201
    assert response.json()[0]["text"] == "caf\ufffd"


def test_the_webhook_is_documented_and_is_not_a_route(schema: dict[str, Any]) -> None:
    hook = schema["webhooks"]["message-posted"]["post"]
    assert hook["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MessagePosted"
    }
    assert client.post("/message-posted", json={}).status_code == 404


def test_the_callback_is_documented_on_its_operation(schema: dict[str, Any]) -> None:
    callbacks = schema["paths"]["/rooms/{room}/exports"]["post"]["callbacks"]
    callback = callbacks["export_ready"]["{$request.query.callback_url}"]["post"]
    body = callback["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ExportReady"}


def test_an_export_is_accepted_with_202() -> None:
    response = client.post(
        "/rooms/general/exports", params={"callback_url": "https://client.example/hooks"}
    )
    assert response.status_code == 202
    assert response.json() == {"room": "general", "status": "preparing"}


@pytest.mark.parametrize("url", ["not-a-url", "ftp://files.example/x", ""])
def test_a_callback_url_that_is_not_http_is_422(url: str) -> None:
    response = client.post("/rooms/general/exports", params={"callback_url": url})
    assert response.status_code == 422


def test_an_export_of_an_unknown_room_is_404() -> None:
    response = client.post(
        "/rooms/nowhere/exports", params={"callback_url": "https://client.example/hooks"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_pages_load_everything_from_this_server(path: str) -> None:
    addresses = assert_served_offline(client, path)
    assert "/openapi.json" in addresses


def test_the_oauth2_redirect_page_is_served() -> None:
    assert client.get("/docs/oauth2-redirect").status_code == 200


# ---- a typed client generated from the document ----


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_text(json.dumps(client.get("/openapi.json").json()))
    generator = Path(sys.executable).parent / "openapi-python-client"
    command = [str(generator), "generate", "--path", str(folder / "openapi.json")]
    command += ["--meta", "none", "--output-path", str(folder / "chat_client")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    # The import body is text/plain, which this generator does not support: it says so.
    assert "Unsupported content type text/plain" in result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("chat_client")
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.startswith("chat_client")]:
            del sys.modules[name]


def test_the_generated_client_is_named_after_the_operation_ids(
    generated_client: ModuleType,
) -> None:
    api = Path(str(generated_client.__file__)).parent / "api"
    modules = sorted(path.stem for path in api.glob("*/*.py") if path.stem != "__init__")
    assert modules == ["exports_start_export", "rooms_list_messages", "rooms_list_rooms"]


@pytest.mark.asyncio
async def test_the_generated_client_reads_typed_messages(generated_client: ModuleType) -> None:
    list_messages = importlib.import_module("chat_client.api.rooms.rooms_list_messages")
    models = importlib.import_module("chat_client.models")
    chat = generated_client.Client(base_url="http://testserver")
    transport = httpx.ASGITransport(app=app)
    chat.set_async_httpx_client(
        httpx.AsyncClient(transport=transport, base_url="http://testserver")
    )
    async with chat:
        messages = await list_messages.asyncio(room="general", client=chat)
        assert [type(m) for m in messages] == [models.Message]
        assert (messages[0].id, messages[0].author, messages[0].text) == (1, "alice", "Welcome!")
        missing = await list_messages.asyncio_detailed(room="nowhere", client=chat)
        assert missing.status_code == 404 and missing.parsed is None
