"""What every exercise check needs: the app under test, loaded from a file given by path.

The same checks serve the learner's files and the reference solutions. $LESSONS_EXERCISES_FROM
names the folder that holds the `lNN_slug/` folders to check (`exercises/` when unset, so a plain
`pytest exercises/l05_request_body/checks` checks the learner's own files).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

FROM_ENV = "LESSONS_EXERCISES_FROM"


def load_exercise(check_file: Path) -> ModuleType:
    lesson = check_file.parent.parent.name
    name = check_file.stem.removeprefix("test_")
    base = Path(os.environ.get(FROM_ENV) or check_file.parent.parent.parent)
    path = base / lesson / f"{name}.py"
    shown = f"{lesson}/{name}.py"
    if not path.is_file():
        pytest.fail(
            f"{shown} is missing: `python -m lessons reset {lesson[1:3]}` puts it back", False
        )
    module_name = f"exercise_{lesson}_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs, as an import would, so Pydantic can resolve the module's names.
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        pytest.fail(f"{shown} does not load: {type(error).__name__}: {error}", pytrace=False)
    if not hasattr(module, "app"):
        pytest.fail(f"{shown} has no `app` any more: keep `app = FastAPI(...)`", pytrace=False)
    return module


@pytest.fixture
def exercise(request: pytest.FixtureRequest) -> ModuleType:
    return load_exercise(Path(request.path))


@pytest.fixture
def client(exercise: ModuleType) -> Iterator[TestClient]:
    with TestClient(exercise.app) as client:
        yield client
