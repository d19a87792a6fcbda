"""The Makefile as a newcomer meets it: `make help`, the ports, what `make run` installs."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

MAKE = shutil.which("make")
UV = shutil.which("uv")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")
DEV_TOOLS = (
    "pytest",
    "mkdocs",
    "mkdocs-material",
    "nbmake",
    "ipykernel",
    "jupyterlab",
    "playwright",
    "ruff",
)


def make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MAKE), "--no-print-directory", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def dry_run(*args: str) -> str:
    out = make("-n", *args)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_help_prints_real_addresses() -> None:
    out = make("help")
    assert out.returncode == 0
    assert "$(" not in out.stdout
    assert "http://127.0.0.1:8000" in out.stdout  # make run
    assert "http://127.0.0.1:8100" in out.stdout  # make lessons


@pytest.mark.parametrize("target", [["run"], ["cluster"], ["lessons"], ["lesson", "N=05"]])
def test_the_chat_and_the_lessons_ask_for_no_dev_tooling(target: list[str]) -> None:
    commands = [line for line in dry_run(*target).splitlines() if " run --locked" in line]
    assert commands, "no `uv run` in the dry run"
    for command in commands:
        assert "--all-extras" not in command and "--extra dev" not in command, command
        assert "--extra redis" in command and "--extra postgres" in command


@pytest.mark.parametrize("target", ["test", "docs-build", "lint", "check N=05"])
def test_the_tests_docs_and_lint_ask_for_everything(target: str) -> None:
    assert "run --locked --all-extras" in dry_run(*target.split())


def test_check_runs_one_lessons_exercise_checks() -> None:
    assert dry_run("check", "N=05").splitlines()[-1].endswith(" python -m lessons check 05")
    out = make("check")
    assert out.returncode == 2
    assert out.stdout.strip() == "usage: make check N=05"
    assert "make check" in make("help").stdout


def test_run_lessons_and_a_lesson_each_have_their_own_port() -> None:
    def port(*target: str) -> str:
        found = re.search(r"--port (\d+)", dry_run(*target))
        assert found is not None, target
        return found[1]

    ports = [port("run"), port("lessons"), port("lesson", "N=05")]
    assert ports == ["8000", "8100", "8200"]


@pytest.mark.skipif(UV is None, reason="uv is not installed")
def test_the_runtime_set_has_no_test_docs_or_notebook_tooling() -> None:
    def packages(*extras: str) -> set[str]:
        out = subprocess.run(
            [str(UV), "export", "--frozen", "--no-hashes", "--no-emit-project", *extras],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=True,
        )
        return {m[1].lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", out.stdout, re.M)}

    runtime = packages("--extra", "redis", "--extra", "postgres")
    assert {"fastapi", "uvicorn", "redis", "asyncpg", "fastapi-offline"} <= runtime
    assert runtime.isdisjoint(DEV_TOOLS)
    assert set(DEV_TOOLS) <= packages("--all-extras")


def fake_debian_python(folder: Path) -> Path:
    """A `python3` whose pip refuses a plain install the way Debian's does (PEP 668)."""
    log = folder / "pip.log"
    script = folder / "python3"
    script.write_text(
        f"""#!/bin/sh
echo "$*" >> {log}
case "$*" in
  "-m uv --version") exit 1 ;;
  *--break-system-packages*) exit 0 ;;
  "-m pip install"*)
    echo "error: externally-managed-environment" >&2
    echo "× This environment is externally managed" >&2
    exit 1 ;;
esac
exit 1
"""
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_installing_uv_on_debian_shows_no_pip_error(tmp_path: Path) -> None:
    python = fake_debian_python(tmp_path)
    env = {**os.environ, "PATH": "/usr/bin:/bin"}  # no uv on it
    if shutil.which("uv", path=env["PATH"]):
        pytest.skip("uv is installed system-wide: make never installs it")
    out = make("uv", f"PYTHON={python}", env=env)
    assert out.returncode == 0, out.stderr
    assert "externally" not in out.stdout + out.stderr
    attempts = (tmp_path / "pip.log").read_text().splitlines()
    assert attempts[-1].endswith("--user --break-system-packages uv")


def test_make_notebooks_opens_jupyterlab_even_as_root() -> None:
    command = dry_run("notebooks").splitlines()[-1]
    assert "--all-extras jupyter lab --notebook-dir notebooks" in command
    # JupyterLab exits at once as root without --allow-root; as anyone else it needs none.
    assert ("--allow-root" in command) == (os.geteuid() == 0)


@pytest.mark.parametrize("target", ["docs", "docs-build"])
def test_the_docs_targets_switch_off_the_themes_end_of_life_notice(target: str) -> None:
    # Material for MkDocs prints its notice unless NO_MKDOCS_2_WARNING is set: the recipe's
    # command is swapped for one that shows what the docs tool would see.
    out = make(target, "UV=printenv NO_MKDOCS_2_WARNING #")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "1"
