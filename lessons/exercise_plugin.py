"""A pytest plugin for `python -m lessons check`: each exercise's first failing expectation.

Loaded with `-p lessons.exercise_plugin`. When the session ends it writes a JSON object to the
file named by $LESSONS_CHECK_REPORT: for every check file that ran, keyed `lNN_slug/exN_name`,
`null` when all its checks passed, or the message of the first one that failed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from lessons.exercises import REPORT_ENV

_first_failure: dict[str, str | None] = {}


def exercise_key(check_file: Path) -> str:
    """`exercises/l05_request_body/checks/test_ex1_post_message.py` -> `l05_request_body/ex1_…`."""
    return f"{check_file.parent.parent.name}/{check_file.stem.removeprefix('test_')}"


def learner_message(error: BaseException) -> str:
    """What a learner reads: the check's own message, without pytest's explanation under it."""
    if isinstance(error, AssertionError):
        # pytest's assertion rewriting appends "\nassert <the expression>" to the message.
        text = str(error).split("\nassert ")[0].strip()
        return text or "an expectation failed"
    text = str(error).strip()
    if isinstance(error, pytest.fail.Exception):
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    key = exercise_key(Path(item.path))
    _first_failure.setdefault(key, None)
    if report.failed and _first_failure[key] is None:
        error = call.excinfo.value if call.excinfo is not None else None
        message = learner_message(error) if error is not None else str(report.longrepr)
        _first_failure[key] = _one_line(message)
    return report


def pytest_collectreport(report: pytest.CollectReport) -> None:
    # A check file that cannot even be collected counts as one failure of its exercise.
    if report.failed and report.nodeid.endswith(".py"):
        key = exercise_key(Path(report.nodeid))
        _first_failure[key] = _one_line(str(report.longrepr).splitlines()[-1])


def pytest_sessionfinish(session: pytest.Session, exitstatus: Any) -> None:
    target = os.environ.get(REPORT_ENV)
    if target:
        Path(target).write_text(json.dumps(_first_failure, indent=2), encoding="utf-8")
