"""`make test`'s last line sums every part it ran, and its exit code says whether all passed."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from tools.testsum import PARTS, Part, main, pytest_counts


def fake(label: str, output: str, code: int = 0) -> Part:
    program = f"import sys; print({output!r}); sys.exit({code})"
    return Part(label, (sys.executable, "-c", program))


def test_pytest_counts_keep_what_ran_and_drop_the_other_runs_deselected() -> None:
    line = "======= 1411 passed, 2 xfailed, 14 deselected in 93.21s (0:01:33) ======="
    assert pytest_counts(line) == "1411 passed, 2 xfailed"
    assert pytest_counts("\x1b[32m===== 14 passed, 805 deselected in 3.0s =====\x1b[0m") == (
        "14 passed"
    )
    assert pytest_counts("3 passed, 1 skipped in 0.52s") == "3 passed, 1 skipped"  # under -q
    assert pytest_counts("tests/test_home.py ....  [100%]") is None


def test_all_green(capsys: pytest.CaptureFixture[str]) -> None:
    parts = [
        fake("ruff", "All checks passed!"),
        fake("", "==== 1411 passed, 2 xfailed, 14 deselected in 9.0s ===="),
        fake("browser", "==== 14 passed, 1413 deselected in 3.0s ===="),
    ]
    assert main(parts) == 0
    out = capsys.readouterr().out
    assert "All checks passed!" in out  # each part's own output is shown
    last = out.splitlines()[-1]
    assert last == "make test: ruff ok · 1411 passed, 2 xfailed · browser 14 passed · all green"


def test_a_failed_part_fails_the_run_and_the_rest_still_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parts = [
        fake("ruff", "E501 line too long", code=1),
        fake("", "==== 1 failed, 1410 passed in 9.0s ====", code=1),
        fake("browser", "==== 14 passed in 3.0s ===="),
    ]
    assert main(parts) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == (
        "make test: ruff failed (exit 1) · 1 failed, 1410 passed (exit 1) · browser 14 passed"
        " · FAILED: ruff, pytest"
    )


def test_a_real_pytest_runs_summary_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n"
        "def test_ok(): pass\n"
        "@pytest.mark.xfail(strict=True)\n"
        "def test_known(): assert False\n"
        "@pytest.mark.slow\n"
        "def test_other(): pass\n"
    )
    command = (sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "not slow")
    part = Part(
        "sample", (*command, "-W", "ignore::pytest.PytestUnknownMarkWarning", str(tmp_path))
    )
    assert main([part]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "make test: sample 1 passed, 1 xfailed · all green"


def test_make_test_lints_and_type_checks_everything_before_the_tests() -> None:
    assert [(part.label, part.command[1:]) for part in PARTS] == [
        ("ruff", ("-m", "ruff", "check", ".")),
        ("format", ("-m", "ruff", "format", "--check", ".")),
        ("mypy", ("-m", "mypy")),
        ("", ("-m", "pytest", "-m", "not browser")),
        ("browser", ("-m", "pytest", "-m", "browser")),
    ]
    # A bare `mypy` checks what the configuration names: the tests, benchmarks, tools and
    # exercises too.
    config = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert config["tool"]["mypy"]["files"] == [
        "lessons",
        "capstone",
        "tests",
        "benchmarks",
        "tools",
        "exercises",
    ]
