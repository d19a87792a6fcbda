"""The course home: every lesson on one server.

``make lessons`` (or ``python -m lessons serve``) starts it on http://127.0.0.1:8100. The index
page lists the lessons; lesson NN is mounted under ``/lessons/NN/`` with its own ``/docs``.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from lessons import Lesson, discover
from lessons.serving import Hosted, load


def _index(lessons: list[Lesson]) -> str:
    rows = "\n".join(
        f"<tr><td>{lesson.code}</td>"
        f'<td><a href="/lessons/{lesson.code}/docs">{html.escape(lesson.title)}</a></td>'
        f"<td>{html.escape(lesson.summary)}</td></tr>"
        for lesson in lessons
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FastAPI, one lesson at a time</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
td{{padding:.3rem .6rem;vertical-align:top}}tr:nth-child(even){{background:#f4f4f8}}</style>
</head><body>
<h1>FastAPI, one lesson at a time</h1>
<p>Each lesson is a small chat-community app of its own. Open its interactive docs and try it.</p>
<table><thead><tr><th>#</th><th>Lesson</th><th>What it teaches</th></tr></thead>
<tbody>
{rows}
</tbody></table>
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

    for code, sub_app in apps.items():
        home.mount(f"/lessons/{code}", sub_app, name=f"lesson-{code}")
    return home


app = create_home()
