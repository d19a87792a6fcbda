"""The course home lists every lesson and mounts each with its own working /docs."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import lessons
from lessons.home import create_home
from lessons.serving import LESSON_ENV, one_lesson
from tests.docs_pages import assert_served_offline


def test_home_lists_and_mounts_every_lesson() -> None:
    with TestClient(create_home()) as client:
        index = client.get("/")
        assert index.status_code == 200
        assert index.headers["content-type"].startswith("text/html")
        for lesson in lessons.discover():
            assert f'href="/lessons/{lesson.code}/docs"' in index.text
            docs = client.get(f"/lessons/{lesson.code}/docs")
            assert docs.status_code == 200, lesson.code
            # The mounted docs page must ask for the mounted schema, not the home's.
            assert f"/lessons/{lesson.code}/openapi.json" in docs.text
            schema = client.get(f"/lessons/{lesson.code}/openapi.json")
            assert schema.status_code == 200
            assert schema.json()["info"]["title"].startswith(f"Lesson {lesson.code}")


def test_a_mounted_lesson_gets_the_state_its_own_lifespan_yielded() -> None:
    # Lesson 20 keeps an open audit log in its lifespan state; mounted, it must still see it.
    with TestClient(create_home()) as client:
        status = client.get("/lessons/20/status")
        assert status.status_code == 200
        assert status.json()["audit_open"] is True


def test_every_lessons_docs_load_nothing_from_another_host() -> None:
    with TestClient(create_home()) as client:
        for lesson in lessons.discover():
            prefix = f"/lessons/{lesson.code}"
            swagger = assert_served_offline(client, f"{prefix}/docs")
            assert f"{prefix}/docs-assets/swagger-ui-bundle.js" in swagger
            assert f"{prefix}/openapi.json" in swagger
            redoc = assert_served_offline(client, f"{prefix}/redoc")
            assert f"{prefix}/docs-assets/redoc.standalone.js" in redoc


def test_a_lesson_served_alone_has_offline_docs(monkeypatch: pytest.MonkeyPatch) -> None:
    # `make lesson N=14` serves this factory's app.
    monkeypatch.setenv(LESSON_ENV, "14")
    with TestClient(one_lesson()) as client:
        assert "/docs-assets/swagger-ui-bundle.js" in assert_served_offline(client, "/docs")
        assert "/docs-assets/redoc.standalone.js" in assert_served_offline(client, "/redoc")
        assert client.get("/users/me").status_code == 401  # and the lesson itself answers


def test_lesson_18s_page_works_inside_the_course_home() -> None:
    # The template builds its addresses with url_for: inside the home they carry /lessons/18.
    with TestClient(create_home()) as client:
        page = client.get("/lessons/18/", params={"nickname": "ada"})
        assert page.status_code == 200
        assert '<strong id="nickname">ada</strong>' in page.text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets == [
            "http://testserver/lessons/18/static/chat.css",
            "http://testserver/lessons/18/static/chat.js",
        ]
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        assert "WebSocket" in client.get(assets[1]).text
        socket_path = re.search(r'data-socket-path="([^"]+)"', page.text)
        assert socket_path is not None and socket_path[1].startswith("/lessons/18/ws/")
        with client.websocket_connect(socket_path[1]) as socket:
            socket.send_text("hello")
            assert socket.receive_text().endswith(": hello")
