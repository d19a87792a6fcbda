"""Write a lesson notebook from a short list of cells.

    python tools/make_notebook.py notebooks/l01_first_steps.ipynb < cells.txt

The input holds cells separated by lines of ``%%md`` or ``%%py``. Notebooks are kept without
outputs; the test run executes them (``pytest --nbmake``).
"""

from __future__ import annotations

import sys

import nbformat


def build(text: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    kind: str | None = None
    lines: list[str] = []

    def flush() -> None:
        body = "\n".join(lines).strip("\n")
        if kind == "md" and body:
            notebook.cells.append(nbformat.v4.new_markdown_cell(body))
        elif kind == "py" and body:
            notebook.cells.append(nbformat.v4.new_code_cell(body))

    for line in text.splitlines():
        if line.strip() in {"%%md", "%%py"}:
            flush()
            kind, lines = line.strip()[2:], []
        else:
            lines.append(line)
    flush()
    return notebook


if __name__ == "__main__":
    nbformat.write(build(sys.stdin.read()), sys.argv[1])
