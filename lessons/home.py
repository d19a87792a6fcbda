"""The course home: every lesson on one server.

``make lessons`` (or ``python -m lessons serve``) starts it on http://127.0.0.1:8100. The index
page lists the lessons in the groups of the course site (the ``nav`` of ``mkdocs.yml``), each
with its page on the site, its interactive docs, its notebook and, where there are some, its
exercises. Lesson NN is mounted under ``/lessons/NN/``.

The site's address is ``$COURSE_DOCS_URL``, by default where ``make docs`` serves it.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from lessons import ROOT, Lesson, discover
from lessons.serving import Hosted, load

DOCS_URL_ENV = "COURSE_DOCS_URL"
DEFAULT_DOCS_URL = "http://127.0.0.1:8001/"
MKDOCS = ROOT / "mkdocs.yml"
NOTEBOOKS = ROOT / "notebooks"
EXERCISES = ROOT / "exercises"


def docs_url() -> str:
    return os.environ.get(DOCS_URL_ENV, DEFAULT_DOCS_URL).rstrip("/") + "/"


def site_path(lesson: Lesson) -> str:
    """The page's address under the site's root: docs/lessons/05-x.md → lessons/05-x/."""
    return str(Path(lesson.page).relative_to("docs").with_suffix("")) + "/"


def groups(lessons: list[Lesson]) -> list[tuple[str, list[Lesson]]]:
    """The lessons in the site's groups, in the site's order; any the site lacks come last."""
    by_page = {str(Path(lesson.page).relative_to("docs")): lesson for lesson in lessons}
    nav: list[dict[str, Any]] = yaml.safe_load(MKDOCS.read_text(encoding="utf-8")).get("nav", [])
    sections: list[dict[str, list[str]]] = next(
        (entry["Lessons"] for entry in nav if "Lessons" in entry), []
    )
    found: list[tuple[str, list[Lesson]]] = []
    for section in sections:
        for name, pages in section.items():
            found.append((name, [by_page.pop(page) for page in pages if page in by_page]))
    if by_page:
        found.append(("More lessons", sorted(by_page.values(), key=lambda lesson: lesson.number)))
    return found


def inline_code(text: str) -> str:
    """Escaped text, with Markdown's `code` shown as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _links(lesson: Lesson, site: str) -> str:
    prefix = f"/lessons/{lesson.code}"
    page = f"{site}{site_path(lesson)}"
    links = [
        f'<a href="{html.escape(page)}">Page</a>',
        f'<a href="{prefix}/docs">Try it: /docs</a>',
        f'<a href="{prefix}/redoc">ReDoc</a>',
    ]
    notebook = ROOT / lesson.notebook
    if notebook.is_file():
        links.append(f'<a href="/notebooks/{notebook.name}" download>Notebook</a>')
    exercises = EXERCISES / lesson.module.rsplit(".", 1)[1]
    if exercises.is_dir():
        links.append(f'<a href="{html.escape(page)}#exercises">Exercises</a>')
        links.append(f"<code>exercises/{exercises.name}/</code>")
    return " · ".join(links)


def _index(lessons: list[Lesson]) -> str:
    site = docs_url()
    sections = []
    for name, members in groups(lessons):
        items = "\n".join(
            f'<li><span class="n">{lesson.code}</span><div><h3>{html.escape(lesson.title)}</h3>'
            f"<p>{inline_code(lesson.summary)}</p>"
            f'<p class="links">{_links(lesson, site)}</p></div></li>'
            for lesson in members
        )
        sections.append(f"<section><h2>{html.escape(name)}</h2>\n<ol>\n{items}\n</ol></section>")
    body = "\n".join(sections)
    site_link = f'<a href="{html.escape(site)}">{html.escape(site)}</a>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FastAPI, one lesson at a time</title>
<style>
body{{font:1rem/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1d1d24}}
h1{{margin-bottom:.2rem}} h2{{margin-top:2rem;border-bottom:2px solid #0f766e;color:#0f766e}}
ol{{list-style:none;padding:0}} li{{display:flex;gap:.8rem;margin:1rem 0}}
h3{{margin:0;font-size:1.05rem}} p{{margin:.2rem 0}} li p{{overflow-wrap:anywhere}}
.n{{flex:none;width:2.2rem;height:2.2rem;border-radius:50%;background:#ccfbf1;color:#115e59;
display:grid;place-items:center;font-weight:600}}
.links a{{color:#0f766e}} code{{background:#f1f1f4;padding:0 .2rem;border-radius:3px}}
.note{{color:#555;font-size:.92rem}}
</style>
</head><body>
<h1>FastAPI, one lesson at a time</h1>
<p>Each lesson is a small chat-community app of its own, running here under
<code>/lessons/NN/</code>. Open its interactive docs and call it from the browser, read its page,
and change things in its notebook.</p>
<p class="note">Lesson pages open on the course site at {site_link}: start it with
<code>make docs</code>, or set <code>{DOCS_URL_ENV}</code> to another address before
<code>make lessons</code>. A notebook opens with <code>make notebooks</code>.</p>
{body}
</body></html>
"""


def create_home() -> FastAPI:
    lessons = discover()
    apps = {lesson.code: Hosted(load(lesson.module)) for lesson in lessons}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Starlette does not run a mounted app's lifespan, so the home runs each one itself.
        async with AsyncExitStack() as stack:
            for mounted in apps.values():
                sub_app = mounted.app
                state = await stack.enter_async_context(sub_app.router.lifespan_context(sub_app))
                mounted.state = dict(state or {})
            yield

    home = FastAPI(title="FastAPI chat course", lifespan=lifespan, docs_url=None, redoc_url=None)
    page = _index(lessons)

    @home.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> str:
        return page

    home.mount("/notebooks", StaticFiles(directory=NOTEBOOKS), name="notebooks")
    for code, sub_app in apps.items():
        home.mount(f"/lessons/{code}", sub_app, name=f"lesson-{code}")
    return home


app = create_home()
