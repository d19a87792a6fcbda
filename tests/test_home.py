"""The course home lists every lesson and mounts each with its own working /docs."""

from __future__ import annotations

from fastapi.testclient import TestClient

import lessons
from lessons.home import create_home


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
