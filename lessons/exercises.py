"""The exercises: find them, check them, show progress, watch, and put starters back.

A lesson's exercises live in three places, under one name `exN_what` each:

- `exercises/lNN_slug/exN_what.py`: the learner's copy, a small app with a marked gap;
- `exercises/lNN_slug/checks/test_exN_what.py`: the checks, pytest tests;
- `exercises/solutions/lNN_slug/exN_what.py`: the reference solution;

and the pristine starter ships in this package, `lessons/starters/lNN_slug/exN_what.py`.
The checks run in a child pytest, so that a learner's broken file never breaks this command.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lessons import ROOT, STARTERS_DIR, Lesson, discover

if TYPE_CHECKING:
    from watchfiles import Change

EXERCISES_DIR = ROOT / "exercises"
SOLUTIONS_DIR = EXERCISES_DIR / "solutions"
FROM_ENV = "LESSONS_EXERCISES_FROM"  # read by exercises/conftest.py
REPORT_ENV = "LESSONS_CHECK_REPORT"  # written by lessons/exercise_plugin.py
CHECK_TIMEOUT = 300  # seconds for one pytest run; each check is also bounded by pytest-timeout


@dataclass(frozen=True)
class Exercise:
    lesson: Lesson
    name: str

    @property
    def key(self) -> str:
        return f"{self.lesson.name}/{self.name}"

    @property
    def starter(self) -> Path:
        return EXERCISES_DIR / self.lesson.name / f"{self.name}.py"

    @property
    def pristine(self) -> Path:
        return STARTERS_DIR / self.lesson.name / f"{self.name}.py"

    @property
    def solution(self) -> Path:
        return SOLUTIONS_DIR / self.lesson.name / f"{self.name}.py"

    @property
    def checks(self) -> Path:
        return EXERCISES_DIR / self.lesson.name / "checks" / f"test_{self.name}.py"


def exercises_of(lessons: Iterable[Lesson]) -> list[Exercise]:
    return [Exercise(lesson, name) for lesson in lessons for name in lesson.exercises]


def run_checks(exercises: list[Exercise], source: Path | None = None) -> dict[Exercise, str | None]:
    """Each exercise's first failing expectation, or None when all its checks pass.

    `source` holds the `lNN_slug/` folders under test: the learner's (the default), the
    reference solutions, or the pristine starters.
    """
    if not exercises:
        return {}
    with tempfile.TemporaryDirectory(prefix="lessons-check-") as folder:
        report = Path(folder) / "report.json"
        env = {
            **os.environ,
            FROM_ENV: str(source or EXERCISES_DIR),
            REPORT_ENV: str(report),
            # The project's other pytest plugins (browsers, notebooks, property tests) take
            # seconds to load and serve no check: only the two that the settings name are loaded.
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--no-header",
            "-o",
            "addopts=",  # the project's own ask for --nbmake, whose plugin is not loaded here
            "-p",
            "no:cacheprovider",
            "-p",
            "pytest_timeout",  # the bound on a learner's file that never answers
            "-p",
            "pytest_asyncio.plugin",
            # Check files are found by path, not as importable modules: two lessons may one day
            # share an exercise name.
            "--import-mode=importlib",
            "-p",
            "lessons.exercise_plugin",
            *(str(exercise.checks) for exercise in exercises),
        ]
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CHECK_TIMEOUT
        )
        if not report.is_file():
            raise RuntimeError(f"the checks did not run:\n{done.stdout[-2000:]}{done.stderr}")
        found: dict[str, str | None] = json.loads(report.read_text(encoding="utf-8"))
    missing = "its checks did not run (is the check file there?)"
    return {exercise: found.get(exercise.key, missing) for exercise in exercises}


def missing_tools() -> str | None:
    """Why the checks cannot run here, or None: they are pytest tests, and pytest is a dev tool."""
    if importlib.util.find_spec("pytest") is not None:
        return None
    return (
        "the checks need the project's test tools, which are not installed yet: "
        "run `uv sync --all-extras` once (or `make check N=NN`, which installs them)"
    )


def verdict(failure: str | None) -> str:
    return "done" if failure is None else f"not yet: {failure}"


def check(lesson: Lesson, solution: bool = False) -> int:
    exercises = exercises_of([lesson])
    if not exercises:
        print(f"{lesson.code} no exercises yet")
        return 0
    results = run_checks(exercises, SOLUTIONS_DIR if solution else None)
    width = max(len(exercise.name) for exercise in exercises)
    for exercise, failure in results.items():
        print(f"{lesson.code} {exercise.name:<{width}}  {verdict(failure)}")
    return 0 if all(failure is None for failure in results.values()) else 1


def progress() -> int:
    lessons = discover()
    results = run_checks(exercises_of(lessons))
    width = max([len("exercise"), *(len(exercise.name) for exercise in results)])
    print(f"lesson  {'exercise':<{width}}  state")
    for lesson in lessons:
        mine = [
            (exercise, failure)
            for exercise, failure in results.items()
            if exercise.lesson == lesson
        ]
        if not mine:
            print(f"{lesson.code}      {'-':<{width}}  no exercises yet")
        for exercise, failure in mine:
            state = "done" if failure is None else "not yet"
            print(f"{lesson.code}      {exercise.name:<{width}}  {state}")
    finished = sum(failure is None for failure in results.values())
    print(f"{finished} of {len(results)} exercises done")
    return 0


def reset(lesson: Lesson) -> int:
    exercises = exercises_of([lesson])
    if not exercises:
        print(f"{lesson.code} no exercises yet: nothing to put back")
        return 0
    for exercise in exercises:
        exercise.starter.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(exercise.pristine, exercise.starter)
        print(f"{exercise.starter.relative_to(ROOT)}  put back as shipped")
    return 0


def watch(lesson: Lesson | None, runs: int | None = None) -> int:
    """Check the first unfinished exercise again after every save under exercises/.

    Ends when every exercise in view is done, after `runs` re-runs when given, or on Ctrl-C.
    """
    try:
        return _watch(exercises_of([lesson] if lesson else discover()), runs)
    except KeyboardInterrupt:
        # Ctrl-C is the usual way out: a word, not a traceback.
        print("\nstopped")
        return 130


def _watch(pending: list[Exercise], runs: int | None) -> int:
    if not pending:
        print("no exercises yet")
        return 0
    results = run_checks(pending)
    pending = [exercise for exercise in pending if results[exercise] is not None]
    if not pending:
        print("every exercise here is done")
        return 0
    _show(pending[0], results[pending[0]])
    for rerun, _ in enumerate(_saves(), start=1):
        # Check the current one; once it is done, move on and check the next one at once, since
        # the learner may have solved it already.
        while pending:
            failure = run_checks(pending[:1])[pending[0]]
            if failure is not None:
                break
            print(f"{pending[0].lesson.code} {pending[0].name}  done", flush=True)
            pending.pop(0)
        if not pending:
            print("every exercise here is done")
            return 0
        _show(pending[0], failure)
        if runs is not None and rerun >= runs:
            return 1
    return 1


def _show(exercise: Exercise, failure: str | None) -> None:
    print(f"{exercise.lesson.code} {exercise.name}  {verdict(failure)}")
    print(f"  edit {exercise.starter.relative_to(ROOT)} and save; Ctrl-C stops", flush=True)


def _saves() -> Iterator[set[tuple[Change, str]]]:
    from watchfiles import PythonFilter
    from watchfiles import watch as watch_files

    # Only .py files count: editors' swap files and the checks' own bytecode are not saves.
    return watch_files(EXERCISES_DIR, watch_filter=PythonFilter(), raise_interrupt=True)
