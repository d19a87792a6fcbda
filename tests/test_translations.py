"""The course in English, 简体中文 and Русский: every page translated, and in step with English.

A translation is in step when its headings (levels and anchors) and its code blocks are the
English page's, its prose is in its language, and a lesson page carries its summary. The course
home answers in the language the browser asks for; the READMEs list the lessons in each.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import lessons
from lessons.__main__ import main as readme_command
from lessons.home import create_home
from lessons.i18n import TRANSLATED, is_translation, lesson_words, negotiate, translation_of
from tests.conftest import ROOT
from tools import translations
from tools.translations import pages, problems

PAGES = pages()


def test_the_pages_to_translate_are_the_home_the_exercises_every_lesson_and_the_chat() -> None:
    names = {str(page.relative_to(ROOT / "docs")) for page in PAGES}
    assert {"index.md", "exercises.md", "capstone/index.md", "capstone/architecture.md"} <= names
    for lesson in lessons.discover():
        assert lesson.page.removeprefix("docs/") in names


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("source", PAGES, ids=lambda page: str(page.relative_to(ROOT / "docs")))
def test_each_page_is_translated_and_in_step_with_english(source: Path, language: str) -> None:
    assert problems(source, language) == []


# The checker itself, on a small page: each way a translation can fall behind is caught.
ENGLISH = """# 07 · Rooms

## What you will learn

Rooms are where messages go.

```python
--8<-- "lessons/l07_rooms.py:rooms"
```

## Try it

```console
$ curl -s localhost:8000/rooms
[]
```
"""
GOOD = """---
summary: >-
  聊天室与消息：`GET /rooms` 列出所有聊天室。
---

# 07 · 聊天室 {#07-rooms}

## 你将学到什么 {#what-you-will-learn}

消息都发送到聊天室里。

```python
--8<-- "lessons/l07_rooms.py:rooms"
```

## 试一试 {#try-it}

```console
$ curl -s localhost:8000/rooms
[]
```
"""


@pytest.fixture
def english(tmp_path: Path) -> Path:
    page = tmp_path / "lessons" / "07-rooms.md"
    page.parent.mkdir()
    page.write_text(ENGLISH, encoding="utf-8")
    return page


def translate(english: Path, text: str) -> None:
    translation_of(english, "zh").write_text(text, encoding="utf-8")


def test_a_good_translation_passes(english: Path) -> None:
    translate(english, GOOD)
    assert problems(english, "zh") == []
    assert translations.main(["check", str(translation_of(english, "zh"))]) == 0


def test_a_missing_translation_is_named(english: Path) -> None:
    assert problems(english, "zh") == [f"{translation_of(english, 'zh')}: missing"]
    assert translations.main(["check", str(translation_of(english, "zh"))]) == 1


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        # The English page gained a section the translation lacks.
        (("## 试一试 {#try-it}", "## 试一试 {#try-it-out}"), "headings differ"),
        (("## 试一试 {#try-it}", "### 试一试 {#try-it}"), "headings differ"),
        # A heading without its pinned anchor gets another one, and links into it break.
        (("## 你将学到什么 {#what-you-will-learn}", "## 你将学到什么"), "headings differ"),
        # Code is never translated or copied differently: comments and outputs included.
        (("[]\n```", "[ ]\n```"), "block 2 is the first that differs"),
        (
            ('--8<-- "lessons/l07_rooms.py:rooms"', "rooms = []"),
            "block 1 is the first that differs",
        ),
        # Prose left in English.
        (
            (
                "消息都发送到聊天室里。",
                "Rooms are where messages go, and this prose stayed in English.",
            ),
            "of the prose is in zh",
        ),
        (("聊天室与消息：`GET /rooms` 列出所有聊天室。", "Rooms and messages."), "summary"),
        (("# 07 · 聊天室 {#07-rooms}", "# 聊天室 {#07-rooms}"), "`# NN · <title>`"),
    ],
)
def test_a_translation_out_of_step_is_caught(
    english: Path, change: tuple[str, str], complaint: str
) -> None:
    old, new = change
    assert old in GOOD
    translate(english, GOOD.replace(old, new))
    found = problems(english, "zh")
    assert len(found) == 1 and complaint in found[0], found


def test_translated_files_are_told_from_english_ones() -> None:
    assert is_translation(Path("docs/lessons/02-path-params.zh.md"))
    assert is_translation(Path("docs/index.ru.md"))
    assert not is_translation(Path("docs/lessons/02-path-params.md"))
    assert not is_translation(Path("docs/capstone/api.md"))


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-Hans", "zh"),
        ("ru-RU,ru;q=0.9", "ru"),
        ("en-US,en;q=0.9,ru;q=0.8", "en"),
        ("de-DE,ru;q=0.7,zh;q=0.5", "ru"),
        ("fr, de", "en"),
        ("en;q=0.5, ru;q=0.9", "ru"),
        ("ru;q=0, zh;q=0.1", "zh"),
        ("ru;q=abc, zh", "zh"),
        ("ru;q=7", "en"),
        ("*", "en"),
        (";;;,,, \x7f", "en"),
        ("ru" + ",x" * 5000, "ru"),
    ],
)
def test_the_language_is_the_one_the_browser_prefers(header: str | None, language: str) -> None:
    assert negotiate(header) == language


@pytest.fixture(scope="module")
def home() -> TestClient:
    return TestClient(create_home())


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_course_home_speaks_the_browsers_language(home: TestClient, language: str) -> None:
    answer = home.get("/", headers={"Accept-Language": f"{language};q=0.9, en;q=0.5"})
    assert answer.status_code == 200
    assert answer.headers["content-language"] == language
    assert "Accept-Language" in answer.headers["vary"]
    assert f'<html lang="{language}">' in answer.text
    for lesson in lessons.discover():
        words = lesson_words(lesson, language)
        # A title may stay as it is ("WebSockets"); a summary is always translated.
        assert words.summary != lesson.summary, f"lesson {lesson.code} has no {language} summary"
        assert f"<h3>{words.title}</h3>" in answer.text.replace("&#x27;", "'")
        # The page link opens the lesson's page in the same language.
        page = Path(lesson.page).relative_to("docs").with_suffix("")
        assert f'/{language}/{page}/"' in answer.text
    assert "Paths and parameters" not in answer.text  # the group names are translated too


def test_the_course_home_is_english_by_default_and_a_language_can_be_chosen(
    home: TestClient,
) -> None:
    english = home.get("/", headers={"Accept-Language": "fr-FR, de;q=0.8"})
    assert english.headers["content-language"] == "en"
    assert "<h2>Paths and parameters</h2>" in english.text
    assert '<a href="/?lang=ru">Русский</a>' in english.text
    chosen = home.get("/", params={"lang": "ru"}, headers={"Accept-Language": "zh"})
    assert chosen.headers["content-language"] == "ru"
    assert "<h2>Пути и параметры</h2>" in chosen.text
    refused = home.get("/", params={"lang": "xx"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "lang"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_readme_translation_opens_with_the_two_commands(language: str) -> None:
    readme = translation_of(ROOT / "README.md", language).read_text(encoding="utf-8")
    commands = [line.strip() for line in readme.splitlines() if line.strip().startswith("make ")]
    assert commands[:2] == ["make run", "make test"]
    assert "[English](README.md)" in readme
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"(README.{language}.md)" in english
    for lesson in lessons.discover():
        words = lesson_words(lesson, language)
        page = translation_of(ROOT / lesson.page, language).relative_to(ROOT)
        assert f"| {lesson.code} | {words.title} |" in readme
        assert f"]({page}) |" in readme
    assert readme_command(["readme", "--check"]) == 0
