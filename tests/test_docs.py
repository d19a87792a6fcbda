"""The site builds with `mkdocs build --strict`: every snippet resolves, every link holds, and
every page comes in English, 简体中文 and Русский with a switcher that stays on the page."""

from __future__ import annotations

import re
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest

from lessons.i18n import DEFAULT, LANGUAGES, translation_of
from tests.conftest import ROOT
from tools.translations import headings, pages


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=170,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return folder


@pytest.mark.timeout(180)
def test_site_builds_strictly(site: Path) -> None:
    assert (site / "index.html").is_file()


def built(site: Path, page: Path, language: str) -> Path:
    """Where the site puts `page` (an English page under docs/) in `language`."""
    path = page.relative_to(ROOT / "docs").with_suffix("")
    folder = path.parent if path.name == "index" else path
    return site / ("" if language == DEFAULT else language) / folder / "index.html"


SWITCH = re.compile(r'<a href="([^"]*)" hreflang="([a-z]+)" class="md-select__link">')


def test_every_page_is_built_in_three_languages_and_switches_to_itself(site: Path) -> None:
    for page in pages():
        for language in LANGUAGES:
            html = built(site, page, language)
            text = html.read_text(encoding="utf-8")
            assert f'<html lang="{language}"' in text, html
            # The page's title is its own language's, not English fallen back.
            source = translation_of(page, language).read_text(encoding="utf-8")
            (_, _, title), *_ = headings(source)
            assert f">{escape(title, quote=False)}<" in text.replace("&#39;", "'"), html
            # The switcher offers every language, each leading to this same page.
            switch = {lang: href for href, lang in SWITCH.findall(text)}
            assert set(switch) == set(LANGUAGES), html
            for other, href in switch.items():
                base = site if href.startswith("/") else html.parent
                target = (base / href.lstrip("/") / "index.html").resolve()
                assert target == built(site, page, other).resolve(), (html, other, href)
