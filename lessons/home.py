"""The course home: every lesson on one server.

``make lessons`` (or ``python -m lessons serve``) starts it on http://127.0.0.1:8100. The index
page lists the lessons in the groups of the course site (the ``nav`` of ``mkdocs.yml``), each
with its page on the site, its interactive docs, its notebook and, where there are some, its
exercises. Lesson NN is mounted under ``/lessons/NN/``.

The page speaks the language the browser asks for in ``Accept-Language`` (English, 简体中文 or
Русский; English when it asks for none of them), or the one chosen with ``?lang=``: the titles
and summaries come from the translated lesson pages, the group names from the site's navigation
translations, and the page links to the lesson's page in that language.

The site's address is ``$COURSE_DOCS_URL``, by default where ``make docs`` serves it.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from fastapi import FastAPI, Header, Query
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from lessons import ROOT, Lesson, discover
from lessons.i18n import DEFAULT, LANGUAGES, lesson_words, negotiate
from lessons.serving import Hosted, load

DOCS_URL_ENV = "COURSE_DOCS_URL"
DEFAULT_DOCS_URL = "http://127.0.0.1:8001/"
MKDOCS = ROOT / "mkdocs.yml"
NOTEBOOKS = ROOT / "notebooks"
EXERCISES = ROOT / "exercises"


def docs_url() -> str:
    return os.environ.get(DOCS_URL_ENV, DEFAULT_DOCS_URL).rstrip("/") + "/"


# The page's own words, in each language.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "FastAPI, one lesson at a time",
        "intro": "Each lesson is a small chat-community app of its own, running here under "
        "<code>/lessons/NN/</code>. Open its interactive docs and call it from the browser, read "
        "its page, and change things in its notebook.",
        "note": "Lesson pages open on the course site at {site}: start it with "
        "<code>make docs</code>, or set <code>{env}</code> to another address before "
        "<code>make lessons</code>. A notebook opens with <code>make notebooks</code>.",
        "page": "Page",
        "try": "Try it: /docs",
        "notebook": "Notebook",
        "exercises": "Exercises",
        "more": "More lessons",
    },
    "zh": {
        "title": "FastAPI，一次一课",
        "intro": "每一课都是一个独立的小型聊天社区应用，"
        "在这里运行于 <code>/lessons/NN/</code> 之下。"
        "打开它的交互式文档，直接在浏览器里调用它；"
        "阅读它的页面；在它的 Notebook 里动手修改。",
        "note": "课程页面在课程网站 {site} 上打开：用 <code>make docs</code> 启动它，或者在 "
        "<code>make lessons</code> 之前把 <code>{env}</code> 设为另一个地址。用 "
        "<code>make notebooks</code> 打开 Notebook。",
        "page": "页面",
        "try": "试一试：/docs",
        "notebook": "Notebook",
        "exercises": "练习",
        "more": "更多课程",
    },
    "ru": {
        "title": "FastAPI, урок за уроком",
        "intro": "Каждый урок — отдельное небольшое приложение чат-сообщества; здесь оно работает "
        "под <code>/lessons/NN/</code>. Откройте его интерактивную документацию и вызывайте его "
        "прямо из браузера, прочитайте его страницу и поменяйте что-нибудь в его блокноте.",
        "note": "Страницы уроков открываются на сайте курса {site}: запустите его командой "
        "<code>make docs</code> или задайте другой адрес в <code>{env}</code> перед "
        "<code>make lessons</code>. Блокнот открывается командой <code>make notebooks</code>.",
        "page": "Страница",
        "try": "Попробовать: /docs",
        "notebook": "Блокнот",
        "exercises": "Упражнения",
        "more": "Другие уроки",
    },
}
Language = Literal["en", "zh", "ru"]


def site_path(lesson: Lesson, language: str = DEFAULT) -> str:
    """The page's address under the site's root: docs/lessons/05-x.md → lessons/05-x/, and
    zh/lessons/05-x/ in Chinese."""
    path = str(Path(lesson.page).relative_to("docs").with_suffix("")) + "/"
    return path if language == DEFAULT else f"{language}/{path}"


def _site() -> tuple[list[dict[str, list[str]]], dict[str, dict[str, str]]]:
    """The lesson groups of the site's navigation, and its translations of their names."""
    config = yaml.safe_load(MKDOCS.read_text(encoding="utf-8"))
    nav: list[dict[str, Any]] = config.get("nav", [])
    sections: list[dict[str, list[str]]] = next(
        (entry["Lessons"] for entry in nav if "Lessons" in entry), []
    )
    names: dict[str, dict[str, str]] = {}
    for plugin in config.get("plugins", []):
        if isinstance(plugin, dict) and "i18n" in plugin:
            for language in plugin["i18n"].get("languages", []):
                names[language["locale"]] = language.get("nav_translations", {})
    return sections, names


def groups(lessons: list[Lesson], language: str = DEFAULT) -> list[tuple[str, list[Lesson]]]:
    """The lessons in the site's groups, in the site's order, named in `language`; any the site
    lacks come last."""
    by_page = {str(Path(lesson.page).relative_to("docs")): lesson for lesson in lessons}
    sections, translations = _site()
    names = translations.get(language, {})
    found: list[tuple[str, list[Lesson]]] = []
    for section in sections:
        for name, pages in section.items():
            members = [by_page.pop(page) for page in pages if page in by_page]
            found.append((names.get(name, name), members))
    if by_page:
        rest = sorted(by_page.values(), key=lambda lesson: lesson.number)
        found.append((WORDS[language]["more"], rest))
    return found


def inline_code(text: str) -> str:
    """Escaped text, with Markdown's `code` shown as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _links(lesson: Lesson, site: str, language: str) -> str:
    words = WORDS[language]
    prefix = f"/lessons/{lesson.code}"
    page = f"{site}{site_path(lesson, language)}"
    links = [
        f'<a href="{html.escape(page)}">{words["page"]}</a>',
        f'<a href="{prefix}/docs">{words["try"]}</a>',
        f'<a href="{prefix}/redoc">ReDoc</a>',
    ]
    notebook = ROOT / lesson.notebook
    if notebook.is_file():
        links.append(f'<a href="/notebooks/{notebook.name}" download>{words["notebook"]}</a>')
    exercises = EXERCISES / lesson.module.rsplit(".", 1)[1]
    if exercises.is_dir():
        links.append(f'<a href="{html.escape(page)}#exercises">{words["exercises"]}</a>')
        links.append(f"<code>exercises/{exercises.name}/</code>")
    return " · ".join(links)


def _item(lesson: Lesson, site: str, language: str) -> str:
    words = lesson_words(lesson, language)
    return (
        f'<li><span class="n">{lesson.code}</span><div><h3>{html.escape(words.title)}</h3>'
        f"<p>{inline_code(words.summary)}</p>"
        f'<p class="links">{_links(lesson, site, language)}</p></div></li>'
    )


def _index(lessons: list[Lesson], language: str = DEFAULT) -> str:
    site = docs_url()
    words = WORDS[language]
    sections = []
    for name, members in groups(lessons, language):
        items = "\n".join(_item(lesson, site, language) for lesson in members)
        sections.append(f"<section><h2>{html.escape(name)}</h2>\n<ol>\n{items}\n</ol></section>")
    body = "\n".join(sections)
    site_link = f'<a href="{html.escape(site)}">{html.escape(site)}</a>'
    choices = " · ".join(
        f"<strong>{name}</strong>" if code == language else f'<a href="/?lang={code}">{name}</a>'
        for code, name in LANGUAGES.items()
    )
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{words["title"]}</title>
<style>
body{{font:1rem/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1d1d24}}
h1{{margin-bottom:.2rem}} h2{{margin-top:2rem;border-bottom:2px solid #0f766e;color:#0f766e}}
ol{{list-style:none;padding:0}} li{{display:flex;gap:.8rem;margin:1rem 0}}
h3{{margin:0;font-size:1.05rem}} p{{margin:.2rem 0}} li p{{overflow-wrap:anywhere}}
.n{{flex:none;width:2.2rem;height:2.2rem;border-radius:50%;background:#ccfbf1;color:#115e59;
display:grid;place-items:center;font-weight:600}}
.links a{{color:#0f766e}} code{{background:#f1f1f4;padding:0 .2rem;border-radius:3px}}
.note{{color:#555;font-size:.92rem}} nav{{text-align:right;font-size:.92rem}}
</style>
</head><body>
<nav>{choices}</nav>
<h1>{words["title"]}</h1>
<p>{words["intro"]}</p>
<p class="note">{words["note"].format(site=site_link, env=DOCS_URL_ENV)}</p>
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
    pages = {language: _index(lessons, language) for language in LANGUAGES}

    @home.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(
        accept_language: Annotated[str | None, Header()] = None,
        lang: Annotated[Language | None, Query()] = None,
    ) -> HTMLResponse:
        language = lang or negotiate(accept_language)
        # The same address answers in several languages: caches must keep them apart.
        headers = {"Content-Language": language, "Vary": "Accept-Language"}
        return HTMLResponse(pages[language], headers=headers)

    home.mount("/notebooks", StaticFiles(directory=NOTEBOOKS), name="notebooks")
    for code, sub_app in apps.items():
        home.mount(f"/lessons/{code}", sub_app, name=f"lesson-{code}")
    return home


app = create_home()
