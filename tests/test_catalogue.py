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
        keys = {"number", "slug", "title", "module", "test", "page", "notebook", "exercises"}
        assert set(row) == keys
        assert row["exercises"] == lessons.find(row["number"]).exercises
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
    with pytest.raises(LookupError, match="there is no lesson 99: the lessons are 01 to "):
        lessons.find("99")
    with pytest.raises(LookupError, match="'abc' is not a lesson number"):
        lessons.find("abc")
    assert lessons.find("7") == lessons.find("07") == lessons.find(7)


@pytest.mark.parametrize(
    "command",
    [["run", "99"], ["test", "abc"], ["run", "0"], ["check", "99"], ["watch", "0"], ["reset", "x"]],
)
def test_a_bad_lesson_number_gets_one_line_and_exit_code_2(command: list[str]) -> None:
    # What `make lesson N=99` and `make test-lesson N=abc` show: no traceback, no server, no pytest.
    out = subprocess.run(
        [sys.executable, "-m", "lessons", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("python -m lessons: ")
    assert command[1] in lines[0] and "01 to" in lines[0]


def test_the_lesson_commands_default_to_ports_of_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `make run` (the chat) is on 8000: a lesson and the course home must not want it too.
    ports: dict[str, int] = {}

    def fake_run(app: str, **options: object) -> None:
        ports[app] = int(str(options["port"]))

    monkeypatch.setattr("uvicorn.run", fake_run)
    monkeypatch.delenv("LESSON", raising=False)
    assert main(["run", "05"]) == 0
    assert main(["serve"]) == 0
    assert ports == {"lessons.serving:one_lesson": 8200, "lessons.home:app": 8100}
