"""Lesson 26: a parameterised dependency, yield and plain dependencies together, and scopes."""

import copy
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lessons import l26_advanced_dependencies as lesson
from lessons.l26_advanced_dependencies import RequireRole, app

client = TestClient(app)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    saved = copy.deepcopy((lesson.MESSAGES, lesson.ROLES))
    yield
    lesson.MESSAGES.clear()
    lesson.MESSAGES.update(saved[0])
    lesson.ROLES.clear()
    lesson.ROLES.update(saved[1])
    lesson.AUDIT.clear()


def as_user(name: str) -> dict[str, str]:
    return {"X-User": name}


@pytest.mark.parametrize("user", ["alice", "bob", "carol"])
def test_every_member_reads(user: str) -> None:
    response = client.get("/rooms/general/messages", headers=as_user(user))
    assert response.status_code == 200
    assert len(response.json()) == 3


def test_someone_outside_the_room_is_403_by_name() -> None:
    response = client.get("/rooms/general/messages", headers=as_user("dave"))
    assert response.status_code == 403
    assert response.json() == {"detail": "dave is not in general"}


@pytest.mark.parametrize("headers", [{}, {"X-User": ""}, {"X-User": "x" * 31}])
def test_no_or_a_bad_caller_name_is_422(headers: dict[str, str]) -> None:
    assert client.get("/rooms/general/messages", headers=headers).status_code == 422


def test_an_unknown_room_is_404_before_any_role_is_looked_at() -> None:
    response = client.get("/rooms/nowhere/messages", headers=as_user("alice"))
    assert response.status_code == 404
    assert response.json() == {"detail": "No room named 'nowhere'"}


@pytest.mark.parametrize(("user", "status"), [("carol", 403), ("bob", 204), ("alice", 204)])
def test_deleting_needs_moderator_or_above(user: str, status: int) -> None:
    response = client.delete("/rooms/general/messages/2", headers=as_user(user))
    assert response.status_code == status
    assert (2 in lesson.MESSAGES["general"]) is (status == 403)


def test_changing_roles_needs_the_owner() -> None:
    refused = client.put("/rooms/general/roles/carol?role=moderator", headers=as_user("bob"))
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Needs the role owner"}
    done = client.put("/rooms/general/roles/carol?role=moderator", headers=as_user("alice"))
    assert done.status_code == 200
    assert done.json() == {"username": "carol", "room": "general", "role": "moderator"}
    # The new role counts at once: carol may now delete.
    deleted = client.delete("/rooms/general/messages/2", headers=as_user("carol"))
    assert deleted.status_code == 204


def test_a_role_that_does_not_exist_is_422() -> None:
    response = client.put("/rooms/general/roles/carol?role=king", headers=as_user("alice"))
    assert response.status_code == 422
    assert lesson.ROLES["general"]["carol"] == "member"


def test_one_class_many_dependencies() -> None:
    assert RequireRole("moderator")(room="general", username="alice").role == "owner"
    # Each instance keeps its own parameter; FastAPI shows none of them as a request parameter.
    operation = client.get("/openapi.json").json()["paths"]["/rooms/{room}/messages"]["get"]
    assert sorted(p["name"] for p in operation["parameters"]) == ["room", "x-user"]


def test_the_audit_entry_is_written_after_the_endpoint_with_its_outcome() -> None:
    client.delete("/rooms/general/messages/2", headers=as_user("bob"))
    client.delete("/rooms/general/messages/2", headers=as_user("bob"))
    assert client.get("/audit").json() == [
        {"room": "general", "by": "bob", "action": "delete message 2", "outcome": "done"},
        {
            "room": "general",
            "by": "bob",
            "action": "delete message 2",
            "outcome": "refused: No message 2",
        },
    ]


def test_a_refusal_by_the_plain_dependency_never_reaches_the_audit() -> None:
    response = client.delete("/rooms/general/messages/2", headers=as_user("carol"))
    assert response.status_code == 403
    assert client.get("/audit").json() == []


def test_the_404_raised_inside_still_reaches_the_client() -> None:
    response = client.delete("/rooms/general/messages/99", headers=as_user("alice"))
    assert response.status_code == 404
    assert response.json() == {"detail": "No message 99"}


def test_scope_function_hands_the_connection_back_before_streaming() -> None:
    response = client.get("/rooms/general/export", headers=as_user("carol"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert len(lines) == 3
    assert all(line.endswith("(connections in use: 0)") for line in lines)
    assert lesson.POOL.in_use == 0


def test_scope_request_holds_the_connection_until_the_stream_ends() -> None:
    response = client.get("/rooms/general/export-holding", headers=as_user("carol"))
    assert response.status_code == 200
    assert all(line.endswith("(connections in use: 1)") for line in response.text.splitlines())
    assert lesson.POOL.in_use == 0  # and handed back once it is sent


def test_a_refused_export_takes_no_connection() -> None:
    response = client.get("/rooms/general/export", headers=as_user("dave"))
    assert response.status_code == 403
    assert lesson.POOL.in_use == 0
