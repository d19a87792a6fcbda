"""docs/coverage.md: every row's links lead to a lesson page and a section that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown.extensions.toc import slugify

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "coverage.md"
ROW = re.compile(r"^\| \[(?P<title>[^\]]+)\]\((?P<url>https://fastapi\.tiangolo\.com/[^)]+)\) \|")
LESSON_LINK = re.compile(r"\]\((?P<page>lessons/[0-9]{2}-[a-z0-9-]+\.md)#(?P<anchor>[a-z0-9_-]+)\)")
HEADING = re.compile(r"^#{2,3} (.+)$", re.MULTILINE)


def rows() -> list[str]:
    return [line for line in PAGE.read_text().splitlines() if ROW.match(line)]


def anchors(page: Path) -> set[str]:
    # The anchors MkDocs gives a page's headings (the `toc` extension's own slugify).
    return {slugify(text.replace("`", ""), "-") for text in HEADING.findall(page.read_text())}


def test_the_page_lists_both_guides_whole() -> None:
    urls = [ROW.match(line)["url"] for line in rows()]  # type: ignore[index]
    assert len(urls) == len(set(urls)), "a FastAPI page is listed twice"
    assert sum("/tutorial/" in url for url in urls) == 50
    assert sum("/advanced/" in url for url in urls) == 33


@pytest.mark.parametrize("row", rows(), ids=lambda row: ROW.match(row)["title"])  # type: ignore[index]
def test_each_row_names_sections_that_exist(row: str) -> None:
    links = LESSON_LINK.findall(row)
    status = row.rsplit("|", 2)[1].strip()
    if status.startswith("not yet"):
        assert links == [], f"a page not taught yet links to a lesson: {row}"
        return
    assert links, f"a taught page names no lesson: {row}"
    for page, anchor in links:
        path = ROOT / "docs" / page
        assert path.is_file(), f"{page} does not exist"
        assert anchor in anchors(path), f"{page} has no section #{anchor}"


def test_the_counts_above_each_table_match_its_rows() -> None:
    text = PAGE.read_text()
    for section in text.split("\n## ")[1:]:
        statuses = [
            line.rsplit("|", 2)[1].strip() for line in section.splitlines() if ROW.match(line)
        ]
        stated = re.search(r"(\d+) pages: (\d+) taught, (\d+) partly, (\d+) not yet", section)
        assert stated, section[:80]
        total, taught, partly, missing = (int(n) for n in stated.groups())
        assert total == len(statuses)
        assert taught == sum(s == "taught" for s in statuses)
        assert partly == sum(s.startswith("partly") for s in statuses)
        assert missing == sum(s.startswith("not yet") for s in statuses)
