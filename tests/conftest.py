"""Fixtures and helpers shared by every test.

- `require(condition, reason)`: skip on a developer's machine when a service is missing; under
  `CI=true` fail instead, so CI never passes by skipping.
- `browser_type_launch_args`: pytest-playwright drives Debian's `chromium` (Playwright cannot
  download its own browser here).
- `live_server(...)` (in `tests/live.py`): a real uvicorn process on a free port.
- `postgres`, `redis_server` (one private server each per session) and `database_url` (a new
  empty PostgreSQL database per test), made by `capstone.cluster`'s helpers (`tests/services.py`
  re-exports them under the tests' names).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from capstone.cluster import Postgres, Redis
from tests import services

ROOT = Path(__file__).resolve().parent.parent
# Hypothesis keeps its example database in ./.hypothesis unless told otherwise; tests write
# nothing into the working tree.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "fastapi-course-hypothesis")
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, and this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(condition: bool, reason: str) -> None:
    """Skip when a service is missing on a developer's machine; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    require(
        os.access(CHROMIUM, os.X_OK),
        "Debian's chromium is not installed (apt-get install chromium)",
    )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def require_service(missing: str | None) -> None:
    """`require` for a service: `missing` is why it cannot run here, or None."""
    require(missing is None, missing or "")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    require_service(services.postgres_missing())
    with services.running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    require_service(services.redis_missing())
    with services.running_redis() as server:
        yield server


@pytest.fixture
def database_url(postgres: Postgres) -> str:
    """A new, empty PostgreSQL database for this test alone."""
    return services.fresh_database(postgres)


PLAYWRIGHT_FIXTURES = {"playwright", "browser_type", "browser", "context", "new_context", "page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright's sync API keeps its own event loop running in the main thread for the whole
    # session, and pytest-asyncio cannot start one beside it; `make test` therefore runs the
    # browser tests in a second pytest run (`-m browser`). Any test that uses a Playwright
    # fixture counts as one, marked or not.
    for item in items:
        if PLAYWRIGHT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
