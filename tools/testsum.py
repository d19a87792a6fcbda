"""Run every part of `make test` and end with one line that sums them all.

    python -m tools.testsum

The parts run one after another, each to its end even when an earlier one failed, with their
output shown as it comes. The last line names each part's result, e.g.

    make test: ruff ok · format ok · mypy ok · 1411 passed · browser 14 passed · all green

and the exit code is 0 only when every part passed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

# pytest's closing line: "===== 1411 passed, 2 xfailed, 805 deselected in 93.21s =====", or
# without the rules under -q.
PYTEST_SUMMARY = re.compile(
    r"^(?:=+ )?(?P<counts>\d+ [a-z]+(?:, \d+ [a-z]+)*) in [\d.]+s(?: \([^)]*\))?(?: =+)?$"
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Part:
    label: str  # how the final line names it: "" for the main pytest run
    command: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    part: Part
    returncode: int
    summary: str  # pytest's counts, or "" for a tool that prints none

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        if self.summary:
            text = self.summary if self.ok else f"{self.summary} (exit {self.returncode})"
        else:
            text = "ok" if self.ok else f"failed (exit {self.returncode})"
        return f"{self.part.label} {text}".strip()


def pytest_counts(line: str) -> str | None:
    """The counts of a pytest closing line, without the other run's deselected tests."""
    match = PYTEST_SUMMARY.match(ANSI.sub("", line).strip())
    if match is None:
        return None
    counts = [c for c in match["counts"].split(", ") if not c.endswith(" deselected")]
    return ", ".join(counts) or "no tests ran"


def run(part: Part) -> Result:
    summary = ""
    with subprocess.Popen(
        part.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            summary = pytest_counts(line) or summary
    return Result(part, process.wait(), summary)


def final_line(results: Sequence[Result]) -> str:
    failed = [r.part.label or "pytest" for r in results if not r.ok]
    verdict = "all green" if not failed else f"FAILED: {', '.join(failed)}"
    return "make test: " + " · ".join([*(r.describe() for r in results), verdict])


PYTHON = sys.executable
PARTS = (
    Part("ruff", (PYTHON, "-m", "ruff", "check", ".")),
    Part("format", (PYTHON, "-m", "ruff", "format", "--check", ".")),
    Part("mypy", (PYTHON, "-m", "mypy")),
    Part("", (PYTHON, "-m", "pytest", "-m", "not browser")),
    Part("browser", (PYTHON, "-m", "pytest", "-m", "browser")),
)


def main(parts: Sequence[Part] = PARTS) -> int:
    results = []
    for part in parts:
        print(f"--- {' '.join(part.command[1:])}", flush=True)
        results.append(run(part))
    print(final_line(results), flush=True)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
