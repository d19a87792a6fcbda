"""Lesson 30: health checks, settings from the environment, and the commands that run the app:
`fastapi run`, the Dockerfile's CMD and HEALTHCHECK, and the systemd unit's ExecStart (with two
workers), each started for real on a free port."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from capstone.cluster import UVICORN_READY, Child, free_port
from lessons.l30_deployment import main as lesson
from tests.conftest import ROOT

HERE = ROOT / "lessons" / "l30_deployment"
FASTAPI = str(Path(sys.executable).parent / "fastapi")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CHAT_DATA_DIR", str(tmp_path / "data"))
    lesson.get_settings.cache_clear()
    yield tmp_path / "data"
    lesson.get_settings.cache_clear()


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    with TestClient(lesson.app) as client:
        yield client


def started(command: list[str], data_dir: Path, ready: str = UVICORN_READY) -> Child:
    child = Child("lesson 30", command, ready, cwd=ROOT, env={"CHAT_DATA_DIR": str(data_dir)})
    child.start()
    return child


# ---- health checks ----


def test_liveness(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["environment"] == "development"
    assert health["pid"] == os.getpid() and health["uptime_s"] >= 0


def test_readiness_when_ready(client: TestClient, data_dir: Path) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert data_dir.is_dir()  # made by the lifespan


def test_readiness_while_draining(client: TestClient, data_dir: Path) -> None:
    (data_dir / "maintenance").touch()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "draining"
    assert client.get("/healthz").status_code == 200  # alive, just not taking new work
    (data_dir / "maintenance").unlink()
    assert client.get("/readyz").status_code == 200


def test_readiness_when_the_data_folder_is_gone(client: TestClient, data_dir: Path) -> None:
    data_dir.rmdir()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "failing"


def test_the_health_answers_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "503" in paths["/readyz"]["get"]["responses"]
    assert paths["/healthz"]["get"]["tags"] == ["operations"]


# ---- settings ----


def test_the_environment_comes_from_the_environment(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_ENVIRONMENT", "production")
    with TestClient(lesson.app) as client:
        assert client.get("/healthz").json()["environment"] == "production"


def test_a_misspelt_environment_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAT_ENVIRONMENT", "prod")
    with pytest.raises(ValidationError):
        lesson.Settings()


# ---- the commands, run for real ----


def test_fastapi_run(data_dir: Path) -> None:
    port = free_port()
    command = [FASTAPI, "run", "lessons/l30_deployment/main.py", "--host", "127.0.0.1"]
    server = started([*command, "--port", str(port)], data_dir)
    try:
        health = httpx2.get(f"http://127.0.0.1:{port}/readyz").json()
        assert health["status"] == "ok" and health["pid"] != os.getpid()
        # Production mode: no reloader watching the files.
        assert "production mode" in server.output and "reload" not in server.output.lower()
    finally:
        server.stop()


def docker_instruction(name: str) -> str:
    lines = (HERE / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    found = [line for line in lines if line.startswith(f"{name} ")]
    assert len(found) == 1, f"the Dockerfile has {len(found)} {name} lines"
    return found[0].removeprefix(f"{name} ").strip()


def test_the_dockerfile_cmd_serves_the_app_and_its_healthcheck_passes(data_dir: Path) -> None:
    cmd = json.loads(docker_instruction("CMD"))
    assert cmd[0] == "/app/.venv/bin/fastapi"  # the exec form, the venv's own command
    port = free_port()
    command = [FASTAPI, *cmd[1:], "--host", "127.0.0.1"]
    command[command.index("--port") + 1] = str(port)
    server = started(command, data_dir)
    try:
        check = json.loads(docker_instruction("HEALTHCHECK").split(" CMD ", 1)[1])
        check = [sys.executable if part == "python" else part for part in check]
        check[-1] = check[-1].replace(":8000/", f":{port}/")
        assert subprocess.run(check, capture_output=True, timeout=20).returncode == 0
        server.stop()
        assert subprocess.run(check, capture_output=True, timeout=20).returncode != 0
    finally:
        server.stop()


def test_the_dockerfile_runs_as_a_user_of_its_own() -> None:
    assert docker_instruction("USER") == "chat"


def test_the_systemd_unit_runs_two_workers(data_dir: Path) -> None:
    unit = (HERE / "chat.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    command = shlex.split(exec_start.removeprefix("ExecStart="))
    assert command[0] == "/srv/chat/.venv/bin/fastapi"
    port = free_port()
    command = [FASTAPI, *command[1:]]
    command[command.index("--port") + 1] = str(port)
    # With workers, uvicorn's own process says it is running before a worker can answer.
    server = started(command, data_dir, ready="Application startup complete")
    try:
        assert httpx2.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
        assert server.process is not None
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        assert len(children.read_text().split()) >= 2, server.output
    finally:
        server.stop()


# ---- the frontend beside the API ----


def test_the_frontend_is_served_beside_the_api(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/assets/chat.js"' in page.text
    script = client.get("/assets/chat.js")
    assert script.status_code == 200 and "fetch(" in script.text


def test_a_page_the_frontend_routes_itself_gets_index_html(client: TestClient) -> None:
    page = client.get("/rooms/general", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.text == client.get("/").text


@pytest.mark.parametrize(
    ("path", "accept"), [("/rooms/general", "application/json"), ("/missing.js", "*/*")]
)
def test_what_is_neither_a_route_nor_a_page_is_404(
    client: TestClient, path: str, accept: str
) -> None:
    assert client.get(path, headers={"Accept": accept}).status_code == 404


def test_the_api_routes_come_first(client: TestClient) -> None:
    assert client.get("/rooms/general/messages", headers={"Accept": "text/html"}).json() == [
        {"author": "alice", "text": "Deployed!"}
    ]
    assert sorted(client.get("/openapi.json").json()["paths"]) == [
        "/healthz",
        "/readyz",
        "/rooms/general/messages",
    ]
