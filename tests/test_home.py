"""The course home: a page of every lesson, each mounted with its own working /docs."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import lessons
from lessons import ROOT, home
from lessons.home import DOCS_URL_ENV, create_home
from lessons.serving import LESSON_ENV, load, one_lesson
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


def home_page(client: TestClient) -> str:
    index = client.get("/")
    assert index.status_code == 200
    return index.text


def test_the_home_reads_well_on_a_phone_and_shows_no_markdown() -> None:
    with TestClient(create_home()) as client:
        page = home_page(client)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    text = re.sub(r"<[^>]+>", "", page)
    assert "`" not in text  # Markdown's backticks became <code>
    assert "<code>int</code>" in page  # lesson 02's summary: "a declared `int` is converted"


def test_the_lessons_are_grouped_as_on_the_site() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    (sections,) = [entry["Lessons"] for entry in nav if "Lessons" in entry]
    with TestClient(create_home()) as client:
        page = home_page(client)
    headings = re.findall(r"<h2>([^<]+)</h2>", page)
    assert headings == [name for section in sections for name in section]
    # Every lesson once, in the group the site puts it in.
    site_pages = {page for section in sections for pages in section.values() for page in pages}
    for lesson in lessons.discover():
        assert lesson.page.removeprefix("docs/") in site_pages, f"{lesson.page} is not in the nav"
    parts = re.split(r"<h2>", page)[1:]
    for section, part in zip(sections, parts, strict=True):
        ((name, pages),) = section.items()
        codes = re.findall(r'<span class="n">(\d+)</span>', part)
        assert codes == [Path(page).name[:2] for page in pages], name


def test_every_link_on_the_home_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DOCS_URL_ENV, raising=False)
    with TestClient(create_home()) as client:
        page = home_page(client)
        links = re.findall(r'href="([^"]+)"', page)
        site = "http://127.0.0.1:8001/"  # where `make docs` serves the site
        assert f'<a href="{site}">{site}</a>' in page  # and the page says so
        for lesson in lessons.discover():
            assert f"/lessons/{lesson.code}/docs" in links
            assert f"/notebooks/{Path(lesson.notebook).name}" in links
            assert f"{site}{lesson.page.removeprefix('docs/').removesuffix('.md')}/" in links
        for link in links:
            if link.startswith("/"):
                answer = client.get(link)
                assert answer.status_code == 200, link
                if link.startswith("/notebooks/"):
                    assert answer.json()["cells"], link  # the notebook itself, as JSON
            else:
                # A page of the course site: its source is in docs/, and the anchor a heading.
                assert link.startswith(site), link
                path, _, anchor = link.removeprefix(site).partition("#")
                source = ROOT / "docs" / (path.rstrip("/") + ".md" if path else "index.md")
                assert source.is_file(), link
                if anchor:
                    assert f"## {anchor.capitalize()}" in source.read_text(encoding="utf-8")


def test_exercises_are_linked_only_where_they_exist(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(home, "EXERCISES", tmp_path)
    (tmp_path / "l05_request_body").mkdir()
    monkeypatch.setenv(DOCS_URL_ENV, "https://course.example/fastapi")
    with TestClient(create_home()) as client:
        page = home_page(client)
    exercises = re.findall(r'href="([^"]+)">Exercises<', page)
    assert exercises == ["https://course.example/fastapi/lessons/05-request-body/#exercises"]
    assert "<code>exercises/l05_request_body/</code>" in page


def html_pages(app: FastAPI) -> list[str]:
    """The paths of an app's HTML pages that take no path parameter."""
    return [
        route.path
        for route in app.routes
        if isinstance(route, APIRoute)
        and "GET" in (route.methods or ())
        and not route.param_convertors
        and isinstance(route.response_class, type)
        and issubclass(route.response_class, HTMLResponse)
    ]


def test_every_lessons_html_pages_work_inside_the_home() -> None:
    seen = []
    with TestClient(create_home()) as client:
        for lesson in lessons.discover():
            for path in html_pages(load(lesson.module)):
                url = f"/lessons/{lesson.code}{path}"
                page = client.get(url)
                assert page.status_code == 200, url
                seen.append(url)
                # Every address the page names stays inside the lesson's mount, and answers.
                for attribute, address in re.findall(r'(src|href|action)="([^"#]+)"', page.text):
                    target = urlsplit(urljoin(f"http://testserver{url}", address))
                    assert target.path.startswith(f"/lessons/{lesson.code}/"), (url, address)
                    if attribute != "action":  # a form's target only answers its POST
                        assert client.get(target.path).status_code == 200, (url, address)
    assert "/lessons/18/" in seen  # the template page, the reason for this test
