"""The lesson catalogue: every lesson has its four parts, and the README lists every lesson."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import lessons
from lessons.__main__ import main
from tests.conftest import ROOT

LESSONS = lessons.discover()


def test_lessons_are_found_in_order() -> None:
    numbers = [lesson.number for lesson in LESSONS]
    assert numbers[:4] == [1, 2, 3, 4]
    assert numbers == sorted(set(numbers)), "two lessons share a number"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.code)
def test_each_lesson_has_all_four_parts(lesson: lessons.Lesson) -> None:
    assert lesson.missing() == [], f"lesson {lesson.code} lacks {lesson.missing()}"
    assert lesson.title, f"lesson {lesson.code}: its docstring's first line is the title"
    assert lesson.summary, f"lesson {lesson.code}: its docstring's second paragraph is the summary"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.code)
def test_each_page_includes_its_code_from_the_lesson_file(lesson: lessons.Lesson) -> None:
    page = (ROOT / lesson.page).read_text(encoding="utf-8")
    source = lesson.module.replace(".", "/")
    assert f'--8<-- "{source}' in page, "the page must include the code with a snippet"
    for heading in ("## Run it", "## Try it", "## Test it", "## Notebook", "## Exercises"):
        assert heading in page, f"{lesson.page} lacks the section {heading!r}"


def test_list_json_has_the_documented_keys() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "lessons", "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    rows = json.loads(out.stdout)
    assert [row["number"] for row in rows] == [lesson.number for lesson in LESSONS]
    for row in rows:
        assert set(row) == {"number", "slug", "title", "module", "test", "page", "notebook"}
        for key in ("test", "page", "notebook"):
            assert (ROOT / row[key]).is_file(), row[key]


def test_readme_table_lists_every_lesson() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for lesson in LESSONS:
        assert f"| {lesson.code} | {lesson.title} |" in readme, f"README lacks lesson {lesson.code}"
        assert f"make test-lesson N={lesson.code}" in readme
    assert main(["readme", "--check"]) == 0


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.strip() for line in readme.splitlines() if line.strip().startswith("make ")]
    assert commands[:2] == ["make run", "make test"]


def test_render_readme_refuses_a_readme_without_markers() -> None:
    with pytest.raises(ValueError, match="markers"):
        lessons.render_readme("# no table here\n", LESSONS)


def test_find_unknown_lesson() -> None:
    with pytest.raises(LookupError, match="no lesson numbered 99"):
        lessons.find("99")
