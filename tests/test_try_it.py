"""Every lesson page's console commands, run against a live server of that lesson.

For each page `docs/lessons/NN-*.md` the lesson is started with uvicorn on a free port (the way
`make lesson N=NN` starts it, minus the reload), and each ```` ```console ```` block's `$ command`s
run in one bash shell, in order (so a variable set by one command is there for the next), in a
temporary folder holding the files the pages use (`docs/lessons/files/`, at the same path as in
the project's folder, where a reader runs them). The server and the commands get a `TMPDIR` of
their own, and `/tmp/` in a command means it, so nothing is written outside the test's folder.
`127.0.0.1:8200` in a command becomes the server's address. What each command prints (stdout
and stderr) must be what the page shows under it, except for what legitimately changes from run
to run; `MASKS` lists those. A page whose output has drifted fails, naming the page, the
command, and both outputs.

A command that starts the lesson itself with settings of its own (`VAR=… uv run uvicorn
lessons.lNN_x:app`, lesson 20) is not run as written: the test starts the server that way, on its
free port, and its log (a process id) is not compared.

Commands that are not run (the only kinds skipped):
- `make …` (starts a server or runs the test suite: the blocks under "Run it" and "Test it");
- `export …` lines in a block with `make`, which prepare the server `make` would start;
- the "## Exercises" section's commands, which check the learner's answers, not the lesson;
- a block preceded by `<!-- not run: REASON -->` on the page; the pages use it for interactive
  clients (`python -m websockets`), commands that need a second terminal open at the same time,
  and Docker with PostgreSQL.
Lines starting with `#` in a block are comments for the reader, not output.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from capstone.cluster import Uvicorn, free_port
from lessons.i18n import is_translation

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(
    p for p in (ROOT / "docs" / "lessons").glob("[0-9][0-9]-*.md") if not is_translation(p)
)
FILES = ROOT / "docs" / "lessons" / "files"
BLOCK = re.compile(r"(?P<before>(?:<!--[^\n]*-->\n)?)```console\n(?P<body>.*?)\n```", re.S)
# The exercises' own commands (`make check`) talk to the learner's answers, not to the lesson.
EXERCISES = re.compile(r"(?ms)^## Exercises\n.*?(?=^## |\Z)")
NOT_RUN = re.compile(r"<!--\s*not run:")
# What changes between runs, each replaced by a fixed word in both outputs.
MASKS = [
    (re.compile(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT"), "<http-date>"),
    (re.compile(r"eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*"), "<jwt>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<hex-id>"),
    (re.compile(r"(?im)^(x-process-time: )[\d.]+$"), r"\1<seconds>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"), "<time>"),
]
# The address the pages name.
ADDRESS = "127.0.0.1:8200"
# A page's command that starts the lesson's server with settings of its own.
SERVER = re.compile(
    r"(?P<env>(?:\w+=\S+\s+(?:\\\n\s*)?)*)(?:uv run )?uvicorn (?P<app>lessons\.\w+:app)\b"
)


@dataclass
class Command:
    text: str
    expected: str


def commands(page: Path) -> list[Command]:
    found: list[Command] = []
    text = EXERCISES.sub("", page.read_text())
    for block in BLOCK.finditer(text):
        if NOT_RUN.search(block["before"]):
            continue
        lines = block["body"].split("\n")
        if any(line.startswith("$ make ") for line in lines):
            continue
        current: list[str] | None = None
        output: list[str] = []
        continued = False
        for line in lines:
            # A command goes on after a line ending in `\`, and while a quote is open.
            if continued or (current is not None and not output and quote_open(current)):
                assert current is not None
                current.append(line)
                continued = line.endswith("\\")
                continue
            if line.startswith("$ "):
                if current is not None:
                    found.append(Command("\n".join(current), "\n".join(output).strip("\n")))
                current, output = [line[2:]], []
                continued = line.endswith("\\")
            elif not line.startswith("#"):
                output.append(line)
        if current is not None:
            found.append(Command("\n".join(current), "\n".join(output).strip("\n")))
    return found


def quote_open(lines: list[str]) -> bool:
    try:
        shlex.split("\n".join(lines))
    except ValueError:
        return True
    return False


def normal(text: str) -> str:
    text = text.replace("\r\n", "\n").strip("\n")
    for pattern, word in MASKS:
        text = pattern.sub(word, text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def lesson_number(page: Path) -> str:
    return page.name[:2]


def run(
    to_run: list[Command], indexes: list[int], port: int, tmp: Path, work: Path, env: dict[str, str]
) -> dict[int, str]:
    """What each command of `indexes` prints, run in one bash shell in `work`."""
    # `uv run X` on a page runs X in the project's environment: here, this interpreter's.
    script = ['uv() { if [ "$1" = run ]; then shift; "$@"; else command uv "$@"; fi; }']
    for index in indexes:
        text = to_run[index].text.replace(ADDRESS, f"127.0.0.1:{port}")
        text = text.replace("/tmp/", f"{tmp}/")
        script.append(f"echo '@@@ {index}'")
        script.append(f"{text} 2>&1")
        script.append("echo")
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    parts = re.split(r"(?m)^@@@ (\d+)\n", done.stdout)
    outputs = {int(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    for index in indexes:
        outputs.setdefault(index, f"<not reached; stderr: {done.stderr}>")
    return outputs


@pytest.mark.timeout(120)
@pytest.mark.server
@pytest.mark.parametrize("doc", PAGES, ids=[f"l{lesson_number(p)}" for p in PAGES])
def test_try_it(doc: Path, tmp_path: Path) -> None:
    page = doc  # not `page`: that name is a Playwright fixture here
    assert shutil.which("curl"), "curl is not installed (apt-get install curl)"
    to_run = commands(page)
    if not to_run:
        pytest.skip(f"{page.name} has no console command that talks to the lesson")
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    tmp.mkdir()
    shutil.copytree(FILES, work / FILES.relative_to(ROOT))
    number = lesson_number(page)
    env = {
        "LESSON": number,
        # The lessons keep their files (uploads, logs, databases) in the temporary folder.
        "TMPDIR": str(tmp),
        "CHAT_SECRET_KEY": "a-secret-key-for-the-page-test-only-0123456789",
        "PYTHONPATH": str(ROOT),
    }
    # Each stretch of commands runs in one shell, against the lesson's server; a page command
    # that starts the server itself (`VAR=... uv run uvicorn lessons.X:app`) ends a stretch, and
    # the next stretch talks to a server started the same way.
    stretches: list[tuple[Command | None, list[int]]] = [(None, [])]
    for index, command in enumerate(to_run):
        if SERVER.match(command.text):
            stretches.append((command, []))
        else:
            stretches[-1][1].append(index)
    outputs: dict[int, str] = {}
    run_env = {
        **os.environ,
        **env,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    for starter, indexes in stretches:
        if starter is None:
            server = Uvicorn("lessons.serving:one_lesson", free_port(), env, ["--factory"])
        else:
            match = SERVER.match(starter.text)
            assert match is not None
            settings = dict(re.findall(r"(\w+)=(\S+)", match["env"].replace("/tmp/", f"{tmp}/")))
            server = Uvicorn(match["app"], free_port(), {**env, **settings})
            outputs[to_run.index(starter)] = starter.expected  # uvicorn's own log: not compared
        server.cwd = work
        server.start(30.0)
        try:
            outputs.update(run(to_run, indexes, server.port, tmp, work, run_env))
        finally:
            server.stop()
    drifted = []
    for index, command in enumerate(to_run):
        actual = normal(outputs[index])
        actual = re.sub(r"127\.0\.0\.1:\d+", ADDRESS, actual)
        actual = actual.replace(f"{tmp}/", "/tmp/")
        expected = normal(command.expected)
        if actual != expected:
            drifted.append(
                f"`$ {command.text}`\n--- the page shows:\n{expected}\n"
                f"--- the lesson answers:\n{actual}"
            )
    assert not drifted, f"{page.relative_to(ROOT)} has drifted:\n\n" + "\n\n".join(drifted)
