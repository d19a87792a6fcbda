"""A bounded slice of the hostile-input run (`python -m tools.hostile`) against a real uvicorn.

A thousand seeded inputs across every class the tool knows (bodies, query strings, path
parameters, headers and forged tokens, uploads, raw HTTP, raw socket frames) must each get a 4xx,
a redirect, a success or a close: no 5xx, and nothing logged as a traceback or an ERROR.
"""

from __future__ import annotations

import pytest

from tools import hostile

pytestmark = pytest.mark.server

INPUTS = 1000  # with the server start, about 30 s on a busy 2-core machine
SEED = 14


@pytest.fixture(scope="module")
def report() -> hostile.Report:
    return hostile.run(INPUTS, SEED)


def test_every_class_of_input_was_tried(report: hostile.Report) -> None:
    tried = {outcome.kind for outcome in report.outcomes}
    assert len(report.outcomes) == INPUTS
    assert tried == set(hostile.CLASSES)


def test_no_input_gets_a_5xx(report: hostile.Report) -> None:
    errors = [f"{o.status} <- [{o.kind}] {o.label}" for o in report.server_errors()]
    assert not errors, "\n".join(errors[:20])


def test_no_input_leaves_a_traceback_in_the_log(report: hostile.Report) -> None:
    logged = [
        f"{line}\n    <- " + "; ".join(f"[{o.kind}] {o.label}" for o in suspects[:3])
        for line, suspects in report.log_errors()
    ]
    assert not logged, "\n".join(logged[:20])
