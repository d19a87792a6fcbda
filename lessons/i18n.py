"""The course in English, 简体中文 and Русский.

A page's translations sit beside it: ``docs/lessons/02-path-params.md`` is English,
``02-path-params.zh.md`` and ``02-path-params.ru.md`` are its Chinese and Russian versions. A
translated lesson page starts with front matter that carries the lesson's one-paragraph summary in
its language, and its first heading is ``# NN · <title>``:

    ---
    summary: 从 URL 路径中取值……
    ---

    # 02 · 路径参数 {#02-path-parameters}

The course home and the translated READMEs read their titles and summaries from there; English
comes from each lesson's docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from lessons import ROOT, Lesson

DEFAULT = "en"
LANGUAGES = {"en": "English", "zh": "简体中文", "ru": "Русский"}
TRANSLATED = tuple(code for code in LANGUAGES if code != DEFAULT)

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
TITLE = re.compile(r"^# \d+ · (?P<title>.+?)(?:\s*\{[^}]*\})?\s*$", re.MULTILINE)
# Accept-Language, RFC 9110: a language range ("zh-CN", "*"), then maybe a weight (";q=0.5").
TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*")
WEIGHT = re.compile(r"0(?:\.\d{0,3})?|1(?:\.0{0,3})?")


def is_translation(page: Path) -> bool:
    """`02-path-params.zh.md` is a translation; `02-path-params.md` is the English page."""
    return Path(page.stem).suffix.removeprefix(".") in TRANSLATED


def translation_of(page: Path, language: str) -> Path:
    """The file of `page` (an English page) in `language`."""
    if language == DEFAULT:
        return page
    return page.with_name(f"{page.stem}.{language}{page.suffix}")


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """The page's front matter (empty when it has none) and the Markdown after it."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    data = yaml.safe_load(match[1])
    return (data if isinstance(data, dict) else {}), text[match.end() :]


@dataclass(frozen=True)
class Words:
    title: str
    summary: str


def lesson_words(lesson: Lesson, language: str) -> Words:
    """The lesson's title and summary in `language`; English when it has no translation yet."""
    english = Words(lesson.title, lesson.summary)
    page = translation_of(ROOT / lesson.page, language)
    if language == DEFAULT or not page.is_file():
        return english
    meta, body = split_front_matter(page.read_text(encoding="utf-8"))
    title = TITLE.search(body)
    summary = meta.get("summary")
    if title is None or not isinstance(summary, str) or not summary.strip():
        return english
    return Words(title["title"].strip(), " ".join(summary.split()))


def negotiate(accept_language: str | None) -> str:
    """The course's language a browser's Accept-Language prefers: the heaviest entry whose
    primary tag is one we have ("zh-CN" and "zh-Hans" are zh), the earlier on a tie; English
    when none is. An entry that is not a language range with a valid weight is ignored."""
    best, best_q = DEFAULT, 0.0
    for entry in (accept_language or "").split(","):
        tag, *params = (part.strip() for part in entry.split(";"))
        if not TAG.fullmatch(tag):
            continue
        weights = [p.removeprefix("q=") for p in params if p.startswith("q=")]
        if len(weights) > 1 or (weights and not WEIGHT.fullmatch(weights[0])):
            continue
        q = float(weights[0]) if weights else 1.0
        language = tag.split("-")[0].lower()
        if language in LANGUAGES and q > best_q:
            best, best_q = language, q
    return best
