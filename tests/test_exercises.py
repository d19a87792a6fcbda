"""The exercises: unsolved as shipped, solvable, and the commands a learner runs.

- Every pristine starter fails its checks (the exercise is not solved already), and every reference
  solution passes them; the starters in `exercises/` are the pristine ones.
- `check`, `progress`, `watch`, `reset` and `list --json` run as a learner runs them, in a copy of
  the project under `tmp_path`, so that the repository's own starters are never touched.
"""

from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

import lessons
from lessons.exercises import Exercise, exercises_of, run_checks
from tests.conftest import ROOT

LESSONS = lessons.discover()
WITH_EXERCISES = [lesson for lesson in LESSONS if lesson.exercises]
EXERCISES = exercises_of(LESSONS)


def ids(exercise: Exercise) -> str:
    return exercise.key


@pytest.fixture(scope="module")
def starters_results() -> dict[Exercise, str | None]:
    return run_checks(EXERCISES, lessons.STARTERS_DIR)


@pytest.fixture(scope="module")
def solutions_results() -> dict[Exercise, str | None]:
    return run_checks(EXERCISES, ROOT / "exercises" / "solutions")


def test_every_lesson_has_two_exercises_or_more() -> None:
    for lesson in LESSONS:
        assert len(lesson.exercises) >= 2, f"lesson {lesson.code} has {lesson.exercises}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_each_exercise_has_its_four_files(exercise: Exercise) -> None:
    for path in (exercise.starter, exercise.pristine, exercise.solution, exercise.checks):
        assert path.is_file(), f"{exercise.key} lacks {path.relative_to(ROOT)}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_shipped_starter_is_the_pristine_copy(exercise: Exercise) -> None:
    # `python -m lessons reset` copies the pristine file back: it must be the one that ships.
    assert exercise.starter.read_bytes() == exercise.pristine.read_bytes(), (
        f"{exercise.starter.relative_to(ROOT)} differs from {exercise.pristine.relative_to(ROOT)}"
    )


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_starter_marks_its_gap_and_names_the_check(exercise: Exercise) -> None:
    text = exercise.pristine.read_text(encoding="utf-8")
    assert "# TODO(exercise)" in text
    assert f"uv run python -m lessons check {exercise.lesson.code}" in text


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_untouched_starter_fails_its_checks(
    exercise: Exercise, starters_results: dict[Exercise, str | None]
) -> None:
    failure = starters_results[exercise]
    assert failure is not None, f"{exercise.key} is solved already as shipped"
    assert "its checks did not run" not in failure
    assert "does not load" not in failure, f"{exercise.key}'s starter must import: {failure}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_the_reference_solution_passes_its_checks(
    exercise: Exercise, solutions_results: dict[Exercise, str | None]
) -> None:
    assert solutions_results[exercise] is None, solutions_results[exercise]


@pytest.mark.parametrize("lesson", WITH_EXERCISES, ids=lambda lesson: lesson.code)
def test_the_page_names_each_exercise_and_the_check_command(lesson: lessons.Lesson) -> None:
    page = (ROOT / lesson.page).read_text(encoding="utf-8")
    exercises_section = page.partition("## Exercises")[2]
    assert f"uv run python -m lessons check {lesson.code}" in exercises_section
    for name in lesson.exercises:
        assert f"exercises/{lesson.name}/{name}.py" in exercises_section, name


@pytest.mark.parametrize("lesson", WITH_EXERCISES, ids=lambda lesson: lesson.code)
def test_the_notebook_ends_with_the_exercises(lesson: lessons.Lesson) -> None:
    notebook = nbformat.read(ROOT / lesson.notebook, as_version=4)
    last = notebook.cells[-1]
    assert last.cell_type == "markdown"
    assert f"uv run python -m lessons check {lesson.code}" in last.source
    for name in lesson.exercises:
        assert f"exercises/{lesson.name}/{name}.py" in last.source, name


# The commands, as a learner sees them, in a copy of the project.


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what the exercise commands need; `python -m lessons` run there uses it."""
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("lessons", "exercises"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def lessons_command(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lessons", *args],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=120,
    )


def solve(project: Path, lesson: lessons.Lesson, *names: str) -> None:
    for name in names or tuple(lesson.exercises):
        solution = project / "exercises" / "solutions" / lesson.name / f"{name}.py"
        shutil.copy(solution, project / "exercises" / lesson.name / f"{name}.py")


LESSON_05 = lessons.find("05")


def test_check_says_what_is_not_done_yet(project: Path) -> None:
    out = lessons_command(project, "check", "05")
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["05", n] for n in LESSON_05.exercises]
    for line in lines:
        assert "  not yet: " in line
    # A learner reads the request, what came back, and what was expected.
    assert 'not yet: POST /rooms/1/messages with {"text": "Hello, room!"} answered' in lines[0]
    assert "expected" in lines[0]
    assert "Traceback" not in out.stdout + out.stderr


def test_check_passes_once_the_starters_are_edited(project: Path) -> None:
    starter = project / "exercises" / LESSON_05.name / "ex2_edit_message.py"
    # The edit page 05 describes, made by hand: embed the model under its name.
    text = starter.read_text(encoding="utf-8")
    text = text.replace("from typing import Any", "from typing import Annotated, Any")
    text = text.replace("from fastapi import FastAPI", "from fastapi import Body, FastAPI")
    text = text.replace("message: Message)", "message: Annotated[Message, Body(embed=True)])")
    starter.write_text(text, encoding="utf-8")
    out = lessons_command(project, "check", "05")
    assert out.returncode == 1
    assert out.stdout.splitlines()[1].split()[1:] == ["ex2_edit_message", "done"]
    solve(project, LESSON_05, "ex1_post_message", "ex3_message_tags")
    out = lessons_command(project, "check", "05")
    assert out.returncode == 0, out.stdout
    assert [line.split()[2] for line in out.stdout.splitlines()] == ["done"] * 3


def test_check_solution_checks_the_reference_solutions(project: Path) -> None:
    out = lessons_command(project, "check", "05", "--solution")
    assert out.returncode == 0, out.stdout
    assert len(out.stdout.splitlines()) == len(LESSON_05.exercises)


def without_exercises(project: Path) -> lessons.Lesson:
    """Every lesson has exercises: in the copy, one loses them, as a new lesson has none yet."""
    lesson = LESSONS[5]
    shutil.rmtree(project / "lessons" / "starters" / lesson.name)
    shutil.rmtree(project / "exercises" / lesson.name)
    return lesson


def test_check_a_lesson_without_exercises(project: Path) -> None:
    without = without_exercises(project)
    out = lessons_command(project, "check", without.code)
    assert (out.returncode, out.stdout) == (0, f"{without.code} no exercises yet\n")


def test_a_broken_starter_is_named_not_a_traceback(project: Path) -> None:
    starter = project / "exercises" / LESSON_05.name / "ex1_post_message.py"
    starter.write_text("from fastapi import FastAPI\napp = FastAPI(\n", encoding="utf-8")
    out = lessons_command(project, "check", "05")
    first = out.stdout.splitlines()[0]
    assert "not yet: l05_request_body/ex1_post_message.py does not load: SyntaxError" in first


def test_without_pytest_check_says_how_to_install_it(project: Path) -> None:
    # What `uv run python -m lessons check 05` shows after `make run` alone, which installs no
    # test tools: one line saying what to run, no traceback.
    hide_pytest = "import sys; sys.modules['pytest'] = None; from lessons.__main__ import main; "
    out = subprocess.run(
        [sys.executable, "-c", hide_pytest + "raise SystemExit(main(['check', '05']))"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=60,
    )
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr.startswith("python -m lessons check: the checks need the project's test")
    assert "uv sync --all-extras" in out.stderr and len(out.stderr.splitlines()) == 1


def test_progress_shows_every_lesson(project: Path) -> None:
    solve(project, LESSON_05)
    out = lessons_command(project, "progress")
    assert out.returncode == 0, out.stderr
    rows = [line.split() for line in out.stdout.splitlines()]
    assert rows[0] == ["lesson", "exercise", "state"]
    assert ["05", "ex1_post_message", "done"] in rows
    assert ["01", "ex1_read_room", "not", "yet"] in rows
    for lesson in LESSONS:
        if not lesson.exercises:
            assert [lesson.code, "-", "no", "exercises", "yet"] in rows
    total = len(EXERCISES)
    assert rows[-1] == [str(len(LESSON_05.exercises)), "of", str(total), "exercises", "done"]


def test_reset_puts_the_starters_back(project: Path) -> None:
    solve(project, LESSON_05)
    (project / "exercises" / LESSON_05.name / "ex3_message_tags.py").unlink()
    assert lessons_command(project, "check", "05").returncode == 1  # one file is missing
    out = lessons_command(project, "reset", "05")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"exercises/{LESSON_05.name}/{name}.py  put back as shipped" for name in LESSON_05.exercises
    ]
    for name in LESSON_05.exercises:
        starter = project / "exercises" / LESSON_05.name / f"{name}.py"
        assert (
            starter.read_bytes()
            == (lessons.STARTERS_DIR / LESSON_05.name / starter.name).read_bytes()
        )
    out = lessons_command(project, "check", "05")
    assert out.returncode == 1 and out.stdout.count("not yet: ") == len(LESSON_05.exercises)


def test_reset_a_lesson_without_exercises(project: Path) -> None:
    without = without_exercises(project)
    out = lessons_command(project, "reset", without.code)
    assert (out.returncode, out.stdout) == (
        0,
        f"{without.code} no exercises yet: nothing to put back\n",
    )


def test_list_json_names_the_exercises(project: Path) -> None:
    rows = json.loads(lessons_command(project, "list", "--json").stdout)
    by_number = {row["number"]: row["exercises"] for row in rows}
    assert by_number[5] == ["ex1_post_message", "ex2_edit_message", "ex3_message_tags"]
    for lesson in LESSONS:
        assert by_number[lesson.number] == lesson.exercises  # [] for a lesson without any


class Watcher:
    """`python -m lessons watch …` in the project copy, its output read line by line."""

    def __init__(self, project: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lessons", "watch", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=project,
        )
        assert self.process.stdout is not None
        self.stdout = self.process.stdout
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.stdout:
            self.lines.put(line)

    def line(self, timeout: float = 60) -> str:
        return self.lines.get(timeout=timeout)

    def save_until_it_answers(self, save: Callable[[], object]) -> str:
        # The watcher starts listening just after its first lines: save until it sees one.
        for _ in range(20):
            save()
            try:
                return self.line(timeout=3)
            except queue.Empty:
                continue
        raise AssertionError("the watcher never answered a save")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)  # it ends at the pipe's end, once the watcher has exited
        self.stdout.close()


def test_watch_rechecks_on_save_and_stops_on_ctrl_c(project: Path) -> None:
    watcher = Watcher(project, "05")
    try:
        assert watcher.line().startswith("05 ex1_post_message  not yet: ")
        hint = "  edit exercises/l05_request_body/ex1_post_message.py and save; Ctrl-C stops\n"
        assert watcher.line(timeout=5) == hint
        answer = watcher.save_until_it_answers(
            lambda: solve(project, LESSON_05, "ex1_post_message")
        )
        assert answer == "05 ex1_post_message  done\n"
        # Done, so it moves on to the next exercise at once.
        assert watcher.line().startswith("05 ex2_edit_message  not yet: ")
        watcher.process.send_signal(signal.SIGINT)
        assert watcher.process.wait(timeout=30) == 130
        watcher.reader.join(timeout=10)
        rest = [watcher.lines.get_nowait() for _ in range(watcher.lines.qsize())]
        assert rest[-1] == "stopped\n" and not any("Traceback" in line for line in rest), rest
    finally:
        watcher.close()


def test_watch_runs_is_a_bound_and_a_save_that_solves_nothing_says_not_yet(project: Path) -> None:
    starter = project / "exercises" / LESSON_05.name / "ex1_post_message.py"
    watcher = Watcher(project, "05", "--runs", "1")
    try:
        assert watcher.line().startswith("05 ex1_post_message  not yet: ")
        watcher.line(timeout=5)
        answer = watcher.save_until_it_answers(lambda: starter.write_bytes(starter.read_bytes()))
        assert answer.startswith("05 ex1_post_message  not yet: POST /rooms/1/messages")
        assert watcher.process.wait(timeout=30) == 1
    finally:
        watcher.close()
