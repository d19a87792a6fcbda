"""Is each page's Chinese and Russian translation there, and does it match the English page?

    python -m tools.translations check                      # every page, both languages
    python -m tools.translations check docs/lessons/02-path-params.zh.md
    python -m tools.translations headings docs/lessons/02-path-params.md

A translation matches its English page when:
- its headings are the English page's, level for level, each with the English heading's anchor
  pinned (`## 练习 {#exercises}`), so links into the page hold in every language;
- its code blocks are the English page's, character for character and in the same order (the
  code comes from the lesson files through the same snippet lines; it is never copied);
- its prose is in its language;
- a lesson page's front matter has the lesson's summary in that language.

`headings` prints an English page's headings with the anchors a translation must pin.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import markdown

from lessons import ROOT
from lessons.i18n import TITLE, TRANSLATED, is_translation, split_front_matter, translation_of

DOCS = ROOT / "docs"
# The site's Markdown extensions that change what counts as a heading or a code block.
EXTENSIONS = [
    "toc",
    "attr_list",
    "md_in_html",
    "admonition",
    "tables",
    "pymdownx.details",
    "pymdownx.superfences",
]
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|<!--.*?-->|\{[^}]*\}", re.DOTALL)
HAN = re.compile(r"[\u4e00-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")


def pages() -> list[Path]:
    """The English pages that must have both translations: home, exercises, every lesson, and
    the chat's overview and architecture."""
    lessons = sorted(p for p in (DOCS / "lessons").glob("[0-9][0-9]-*.md") if not is_translation(p))
    fixed = [DOCS / "index.md", DOCS / "exercises.md"]
    chat = [DOCS / "capstone" / "index.md", DOCS / "capstone" / "architecture.md"]
    return fixed + lessons + chat


def headings(text: str) -> list[tuple[int, str, str]]:
    """(level, anchor, text) of every heading, as the site renders them."""
    md = markdown.Markdown(extensions=EXTENSIONS)
    md.convert(split_front_matter(text)[1])

    def walk(tokens: list[dict]) -> Iterator[tuple[int, str, str]]:
        for token in tokens:
            yield token["level"], token["id"], token["name"]
            yield from walk(token["children"])

    return list(walk(md.toc_tokens))  # type: ignore[attr-defined]


def split_code(text: str) -> tuple[list[str], str]:
    """The fenced code blocks (fence lines included, indentation removed) and the prose left."""
    blocks: list[str] = []
    prose: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            prose.append(lines[i])
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        block = [lines[i][len(indent) :]]
        i += 1
        while i < len(lines):
            line = lines[i]
            block.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
            closing = FENCE.match(line)
            if closing and closing["fence"].startswith(fence) and not closing["info"].strip():
                break
        blocks.append("\n".join(block))
    return blocks, "\n".join(prose)


def share_in(language: str, prose: str) -> float:
    """How much of the prose is written in `language`: Han characters (zh) or Cyrillic letters
    (ru) against Latin letters, code spans and link targets left out. A Han character counts as
    four Latin letters, about one English syllable's worth."""
    prose = LINK_TARGET.sub(" ", INLINE_CODE.sub(" ", prose))
    latin = len(LATIN.findall(prose))
    if language == "zh":
        native = 4 * len(HAN.findall(prose))
    else:
        native = len(CYRILLIC.findall(prose))
    return native / (native + latin) if native + latin else 0.0


# Below these shares a page reads as English left untranslated; identifiers, names and
# commands kept in English stay well under them.
LEAST_SHARE = {"zh": 0.6, "ru": 0.6}


def problems(english: Path, language: str) -> list[str]:
    """What is wrong with `english`'s translation into `language`: nothing when it is good."""
    page = translation_of(english, language)
    name = page.relative_to(ROOT) if page.is_relative_to(ROOT) else page
    if not page.is_file():
        return [f"{name}: missing"]
    source = english.read_text(encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    found = []
    want = [(level, anchor) for level, anchor, _ in headings(source)]
    have = [(level, anchor) for level, anchor, _ in headings(text)]
    if have != want:
        found.append(
            f"{name}: headings differ from the English page's; expected (level, anchor) "
            f"{want}, found {have}"
        )
    want_code, _ = split_code(split_front_matter(source)[1])
    meta, body = split_front_matter(text)
    have_code, prose = split_code(body)
    if have_code != want_code:
        diverged = next(
            (n for n, (a, b) in enumerate(zip(want_code, have_code, strict=False), 1) if a != b),
            min(len(want_code), len(have_code)) + 1,
        )
        found.append(
            f"{name}: code blocks differ from the English page's ({len(want_code)} expected, "
            f"{len(have_code)} found; block {diverged} is the first that differs)"
        )
    share = share_in(language, prose)
    if share < LEAST_SHARE[language]:
        found.append(f"{name}: only {share:.0%} of the prose is in {language}")
    if english.parent.name == "lessons":
        summary = meta.get("summary")
        if not isinstance(summary, str) or share_in(language, summary) < LEAST_SHARE[language]:
            found.append(
                f"{name}: front matter needs `summary:`, the lesson's summary in {language}"
            )
        if TITLE.search(body) is None:
            found.append(f"{name}: the first heading must be `# NN · <title>`")
    return found


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "headings":
        for level, anchor, text in headings(Path(argv[1]).read_text(encoding="utf-8")):
            print(f"{'#' * level} {text} {{#{anchor}}}")
        return 0
    if argv[:1] != ["check"]:
        print(__doc__)
        return 2
    targets: list[tuple[Path, str]] = []
    for arg in argv[1:]:
        path = Path(arg).resolve()
        language = Path(path.stem).suffix.removeprefix(".")
        if language not in TRANSLATED:
            print(f"{arg}: not a translation (expected a name like page.zh.md or page.ru.md)")
            return 2
        targets.append((path.with_name(Path(path.stem).stem + path.suffix), language))
    if not targets:
        targets = [(page, language) for page in pages() for language in TRANSLATED]
    found = [problem for english, language in targets for problem in problems(english, language)]
    print("\n".join(found) or f"{len(targets)} translations match their English pages")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
