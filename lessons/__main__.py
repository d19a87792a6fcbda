"""``python -m lessons list [--json] | run NN | test NN | serve | readme [--check]``.

The exercises: ``check NN [--solution] | progress | watch [NN] | reset NN``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from lessons import ROOT, discover, find, render_readme


def _list(as_json: bool) -> int:
    lessons = discover()
    if as_json:
        keys = ("number", "slug", "title", "module", "test", "page", "notebook")
        rows = [
            {**{k: lesson.as_json()[k] for k in keys}, "exercises": lesson.exercises}
            for lesson in lessons
        ]
        print(json.dumps(rows, indent=2))
        return 0
    for lesson in lessons:
        missing = lesson.missing()
        note = f"  (missing: {', '.join(missing)})" if missing else ""
        print(f"{lesson.code}  {lesson.slug:<28} {lesson.title}{note}")
    return 0


def _run(code: str, port: int) -> int:
    import uvicorn

    from lessons.serving import LESSON_ENV

    # A factory, so that /docs works offline; reload starts a fresh process, which reads $LESSON.
    os.environ[LESSON_ENV] = find(code).code
    uvicorn.run(
        "lessons.serving:one_lesson", factory=True, host="127.0.0.1", port=port, reload=True
    )
    return 0


def _test(code: str) -> int:
    lesson = find(code)
    args = [sys.executable, "-m", "pytest", lesson.test, lesson.notebook]
    return subprocess.call(args, cwd=ROOT)


def _serve(port: int) -> int:
    import uvicorn

    uvicorn.run("lessons.home:app", host="127.0.0.1", port=port)
    return 0


def _readme(check: bool) -> int:
    """Rewrite (or, with `check`, only compare) the lesson table of README.md and of its
    translations, README.zh.md and README.ru.md."""
    from lessons.i18n import LANGUAGES, translation_of

    stale = []
    for language in LANGUAGES:
        path = translation_of(ROOT / "README.md", language)
        text = path.read_text(encoding="utf-8")
        new = render_readme(text, discover(), language)
        if new == text:
            continue
        if check:
            stale.append(path.name)
        else:
            path.write_text(new, encoding="utf-8")
    if stale:
        tables = ", ".join(stale)
        print(f"the lesson table of {tables} is out of date: run `python -m lessons readme`")
        return 1
    return 0


def _exercises(args: argparse.Namespace) -> int:
    # Imported here: the other commands need neither pytest nor watchfiles.
    from lessons import exercises

    # A wrong lesson number is named first: it is the quicker thing to fix.
    lesson = find(args.number) if getattr(args, "number", None) else None
    if args.command != "reset" and (why := exercises.missing_tools()):
        print(f"python -m lessons {args.command}: {why}", file=sys.stderr)
        return 2
    if args.command == "progress":
        return exercises.progress()
    if args.command == "watch":
        return exercises.watch(lesson, args.runs)
    assert lesson is not None  # check and reset require a number
    if args.command == "check":
        return exercises.check(lesson, args.solution)
    return exercises.reset(lesson)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="list the lessons and their parts")
    listing.add_argument("--json", action="store_true", help="print JSON")
    run = sub.add_parser("run", help="serve one lesson with reload")
    run.add_argument("number")
    run.add_argument("--port", type=int, default=8200)
    test = sub.add_parser("test", help="run one lesson's tests and notebook")
    test.add_argument("number")
    serve = sub.add_parser("serve", help="serve the course home with every lesson mounted")
    serve.add_argument("--port", type=int, default=8100)
    readme = sub.add_parser("readme", help="rewrite the lesson table in README.md")
    readme.add_argument("--check", action="store_true", help="only report whether it is current")
    check = sub.add_parser("check", help="check your answers to one lesson's exercises")
    check.add_argument("number")
    check.add_argument(
        "--solution", action="store_true", help="check the reference solutions instead"
    )
    sub.add_parser("progress", help="every lesson's exercises, done or not yet")
    watch = sub.add_parser("watch", help="check the first unfinished exercise on every save")
    watch.add_argument("number", nargs="?", help="only this lesson's exercises")
    watch.add_argument("--runs", type=int, help="stop after this many re-runs")
    reset = sub.add_parser("reset", help="put one lesson's exercise files back as shipped")
    reset.add_argument("number")
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except LookupError as error:  # a lesson number that names no lesson
        print(f"{parser.prog}: {error} (python -m lessons list)", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "list":
        return _list(args.json)
    if args.command == "run":
        return _run(args.number, args.port)
    if args.command == "test":
        return _test(args.number)
    if args.command == "serve":
        return _serve(args.port)
    if args.command in {"check", "progress", "watch", "reset"}:
        return _exercises(args)
    return _readme(args.check)


if __name__ == "__main__":
    raise SystemExit(main())
