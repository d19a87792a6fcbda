"""The lesson catalogue.

Every lesson is a module (or, when its subject is a package layout, a package) named
``lNN_slug`` in this package. The catalogue finds them by name, reads each docstring without
importing the lesson, and knows where the lesson's other three parts live: its test file, its
docs page and its notebook. ``python -m lessons list`` prints it.

A lesson may also have exercises: small apps under ``exercises/lNN_slug/`` that a learner
completes. The pristine starters ship inside this package (``lessons/starters/lNN_slug/``), so
``python -m lessons reset`` needs no git; each starter's file name is the exercise's name.
"""

from __future__ import annotations

import ast
import pkgutil
import re
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
STARTERS_DIR = PACKAGE_DIR / "starters"
EXERCISE = re.compile(r"^ex(?P<number>\d+)_[a-z0-9_]+$")
NAME = re.compile(r"^l(?P<number>\d{2})_(?P<slug>[a-z0-9_]+)$")
README_START = "<!-- lessons:start -->"
README_END = "<!-- lessons:end -->"


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    title: str
    summary: str
    module: str
    test: str
    page: str
    notebook: str

    @property
    def code(self) -> str:
        return f"{self.number:02d}"

    @property
    def name(self) -> str:
        """The module's own name, `lNN_slug`: also the name of its exercises' folder."""
        return self.module.rpartition(".")[2]

    @property
    def exercises(self) -> list[str]:
        """The names of the lesson's exercises, in the order a learner does them."""
        # The names start ex1_, ex2_, ...: their number is their order on the page.
        stems = [path.stem for path in (STARTERS_DIR / self.name).glob("*.py")]
        found = [(int(m["number"]), m[0]) for m in map(EXERCISE.match, stems) if m]
        return [stem for _, stem in sorted(found)]

    def parts(self) -> dict[str, Path]:
        return {name: ROOT / getattr(self, name) for name in ("test", "page", "notebook")}

    def missing(self) -> list[str]:
        return [name for name, path in self.parts().items() if not path.is_file()]

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def _docstring(source_file: Path) -> str:
    tree = ast.parse(source_file.read_text(encoding="utf-8"))
    return ast.get_docstring(tree) or ""


def _title_and_summary(doc: str) -> tuple[str, str]:
    paragraphs = [p.strip() for p in doc.split("\n\n") if p.strip()]
    first = paragraphs[0].splitlines()[0] if paragraphs else ""
    title = re.sub(r"^Lesson \d+\s*[—-]\s*", "", first).strip()
    summary = " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else ""
    return title, summary


def discover() -> list[Lesson]:
    lessons = []
    for info in pkgutil.iter_modules([str(PACKAGE_DIR)]):
        match = NAME.match(info.name)
        if not match:
            continue
        number, slug = int(match["number"]), match["slug"]
        source = PACKAGE_DIR / info.name
        source = source / "__init__.py" if info.ispkg else source.with_suffix(".py")
        title, summary = _title_and_summary(_docstring(source))
        lessons.append(
            Lesson(
                number=number,
                slug=slug,
                title=title,
                summary=summary,
                module=f"lessons.{info.name}",
                test=f"tests/lessons/test_{info.name}.py",
                page=f"docs/lessons/{number:02d}-{slug.replace('_', '-')}.md",
                notebook=f"notebooks/{info.name}.ipynb",
            )
        )
    return sorted(lessons, key=lambda lesson: lesson.number)


def find(code: str | int) -> Lesson:
    """The lesson numbered `code` ("7", "07" or 7); LookupError, saying which exist, if none."""
    lessons = discover()
    span = f"the lessons are {lessons[0].code} to {lessons[-1].code}" if lessons else "none yet"
    try:
        number = int(code)
    except ValueError:
        raise LookupError(f"{code!r} is not a lesson number: {span}") from None
    for lesson in lessons:
        if lesson.number == number:
            return lesson
    raise LookupError(f"there is no lesson {code}: {span}")


# The table's header row in each language.
README_HEADERS = {
    "en": "| # | Lesson | What it teaches | Run | Test | Page |",
    "zh": "| # | 课程 | 内容 | 运行 | 测试 | 页面 |",
    "ru": "| # | Урок | Чему он учит | Запуск | Тесты | Страница |",
}


def readme_table(lessons: list[Lesson], language: str = "en") -> str:
    """The README's lesson table in `language`: titles and summaries from the translated
    pages (English where a page has no translation yet), each linking to its page."""
    from lessons.i18n import lesson_words, translation_of

    rows = [README_HEADERS[language], "|---|---|---|---|---|---|"]
    for lesson in lessons:
        words = lesson_words(lesson, language)
        page = translation_of(ROOT / lesson.page, language)
        if not page.is_file():
            page = ROOT / lesson.page
        rows.append(
            f"| {lesson.code} | {words.title} | {words.summary} "
            f"| `make lesson N={lesson.code}` | `make test-lesson N={lesson.code}` "
            f"| [{page.name}]({page.relative_to(ROOT)}) |"
        )
    return "\n".join(rows)


def render_readme(text: str, lessons: list[Lesson], language: str = "en") -> str:
    """Return the README text with the table between the markers replaced."""
    head, start, rest = text.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not start or not end:
        raise ValueError(f"the README lacks the markers {README_START} … {README_END}")
    return f"{head}{README_START}\n{readme_table(lessons, language)}\n{README_END}{tail}"
