"""Lesson 28: a mounted FastAPI app and a WSGI app; the whole behind nginx under a prefix.

The proxy tests run the lesson under uvicorn with `--root-path /chat --proxy-headers`, behind a
real nginx that strips `/chat` and sets `X-Forwarded-For` and `X-Forwarded-Proto`, as the
lesson's page shows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from capstone.cluster import Child, free_port, nginx_bin
from lessons import l28_sub_applications_and_proxies as lesson
from lessons.l28_sub_applications_and_proxies import app
from tests import services
from tests.conftest import require_service
from tests.live import LiveServer, live_server

MODULE = "lessons.l28_sub_applications_and_proxies:app"
client = TestClient(app)

NGINX = """\
daemon off;
{user}pid {folder}/nginx.pid;
error_log stderr notice;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /chat/ {{
            proxy_pass http://127.0.0.1:{upstream}/;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto https;
        }}
    }}
}}
"""


@pytest.fixture
def _fresh_rooms() -> Iterator[None]:
    saved = {room: list(messages) for room, messages in lesson.ROOMS.items()}
    yield
    lesson.ROOMS.clear()
    lesson.ROOMS.update(saved)


# ---- in process ----


def test_where_without_a_proxy() -> None:
    assert client.get("/where").json() == {
        "root_path": "",
        "url": "http://testserver/where",
        "scheme": "http",
        "client": "testclient",
        "docs": "http://testserver/docs",
    }


def test_the_admin_app_has_its_own_document_and_docs() -> None:
    own = client.get("/admin/openapi.json").json()
    assert own["info"]["title"] == "Chat admin"
    assert sorted(own["paths"]) == ["/rooms/{room}/messages", "/stats"]
    main = client.get("/openapi.json").json()
    assert sorted(main["paths"]) == ["/rooms", "/where"]
    page = client.get("/admin/docs")
    assert page.status_code == 200 and "/admin/openapi.json" in page.text


@pytest.mark.usefixtures("_fresh_rooms")
def test_the_admin_app_shares_the_data() -> None:
    assert client.get("/admin/stats").json() == {"rooms": 2, "messages": 2}
    assert client.delete("/admin/rooms/general/messages").status_code == 204
    assert client.get("/admin/stats").json() == {"rooms": 2, "messages": 0}


def test_the_wsgi_app_answers_under_its_mount() -> None:
    response = client.get("/legacy/status")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "OK: 2 rooms\nserved at /legacy/status\n"


def test_outside_every_mount_is_404() -> None:
    assert client.get("/adminx/stats").status_code == 404
    assert client.get("/stats").status_code == 404


# ---- behind nginx ----


@pytest.fixture(scope="module")
def upstream() -> Iterator[LiveServer]:
    args = ["--root-path", "/chat", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]
    with live_server(MODULE, args=args) as server:
        yield server


@pytest.fixture(scope="module")
def proxy(upstream: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_service(services.nginx_missing())
    folder: Path = tmp_path_factory.mktemp("nginx")
    port = free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(NGINX.format(folder=folder, port=port, upstream=upstream.port, user=user))
    command = [nginx_bin() or "nginx", "-p", str(folder), "-e", "stderr", "-c", str(config)]
    nginx = Child("nginx", command, "start worker processes", cwd=folder)
    nginx.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        nginx.stop()


def test_behind_the_proxy_the_app_knows_its_prefix_scheme_and_client(proxy: str) -> None:
    seen = httpx2.get(f"{proxy}/chat/where", headers={"Host": "chat.example"}).json()
    assert seen == {
        "root_path": "/chat",
        "url": "https://chat.example/chat/where",
        "scheme": "https",
        "client": "127.0.0.1",
        "docs": "https://chat.example/chat/docs",
    }


def test_a_forwarded_header_from_the_client_is_not_taken_for_the_truth(proxy: str) -> None:
    # At the edge, nginx replaces the header with the address it saw ($remote_addr). Had it
    # appended ($proxy_add_x_forwarded_for), this client, on loopback like the proxy and so
    # trusted, could have named any client it liked.
    headers = {"X-Forwarded-For": "203.0.113.9"}
    seen = httpx2.get(f"{proxy}/chat/where", headers=headers).json()
    assert seen["client"] == "127.0.0.1"


def test_forwarded_headers_from_an_address_not_trusted_are_ignored() -> None:
    # The tests can only connect from loopback: this server trusts another address instead.
    args = ["--root-path", "/chat", "--proxy-headers", "--forwarded-allow-ips", "192.0.2.1"]
    with live_server(MODULE, args=args) as server:
        headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        seen = httpx2.get(f"{server.url}/where", headers=headers).json()
    assert seen["client"] == "127.0.0.1" and seen["scheme"] == "http"


def test_the_docs_behind_the_proxy_load_the_prefixed_document(proxy: str) -> None:
    page = httpx2.get(f"{proxy}/chat/docs")
    assert page.status_code == 200
    assert "url: '/chat/openapi.json'" in page.text
    document = httpx2.get(f"{proxy}/chat/openapi.json").json()
    assert document["servers"] == [{"url": "/chat"}]
    admin_page = httpx2.get(f"{proxy}/chat/admin/docs")
    assert "url: '/chat/admin/openapi.json'" in admin_page.text
    assert httpx2.get(f"{proxy}/chat/admin/openapi.json").status_code == 200


def test_the_mounts_behind_the_proxy(proxy: str) -> None:
    assert httpx2.get(f"{proxy}/chat/admin/stats").json()["rooms"] == 2
    legacy = httpx2.get(f"{proxy}/chat/legacy/")
    assert legacy.text == "OK: 2 rooms\nserved at /chat/legacy/\n"


def test_nothing_outside_the_prefix_reaches_the_app(proxy: str) -> None:
    assert httpx2.get(f"{proxy}/where").status_code == 404  # nginx's own 404
