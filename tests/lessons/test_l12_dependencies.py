"""Lesson 12: function and class dependencies, sub-dependencies, caching, where to attach them."""

import pytest
from fastapi.testclient import TestClient

from lessons.l12_dependencies import app

client = TestClient(app)


@pytest.fixture(autouse=True)
def _no_leftover_cookies() -> None:
    client.cookies.clear()


def parameters(path: str) -> list[tuple[str, str, bool]]:
    operation = client.get("/openapi.json").json()["paths"][path]["get"]
    return [(p["name"], p["in"], p["required"]) for p in operation["parameters"]]


# --- a function dependency, reused by two endpoints ---


def test_pagination_defaults() -> None:
    response = client.get("/rooms")
    assert response.status_code == 200
    assert response.json() == ["general", "random", "python", "fastapi", "off-topic"]


def test_the_same_pagination_serves_two_endpoints() -> None:
    assert client.get("/rooms", params={"offset": 1, "limit": 2}).json() == ["random", "python"]
    assert client.get("/members", params={"offset": 1, "limit": 2}).json() == ["bob", "carol"]


def test_pagination_validates_its_own_parameters() -> None:
    response = client.get("/members", params={"limit": 0})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be greater than or equal to 1",
                "input": "0",
                "ctx": {"ge": 1},
            }
        ]
    }


def test_openapi_shows_the_dependency_parameters_on_each_endpoint() -> None:
    expected = [
        ("offset", "query", False),
        ("limit", "query", False),
        ("x-client-version", "header", False),
    ]
    assert parameters("/rooms") == expected
    assert parameters("/members") == expected


# --- a class dependency, three spellings ---


def test_class_dependency_annotated_with_bare_depends() -> None:
    response = client.get("/rooms/general/messages", params={"q": "hello"})
    assert response.status_code == 200
    assert response.json() == [{"room": "general", "author": "carol", "text": "Hello from Carol"}]


def test_class_dependency_annotated_with_the_class_named() -> None:
    response = client.get("/messages/search", params={"q": "ANNOTATED", "limit": 1})
    assert response.json() == [
        {"room": "python", "author": "carol", "text": "Who uses Annotated yet?"}
    ]


def test_class_dependency_as_a_default_value() -> None:
    response = client.get("/members/bob/messages", params={"offset": 1})
    assert response.json() == [{"room": "python", "author": "bob", "text": "Annotated everywhere"}]


def test_the_three_spellings_document_the_same_query_parameters() -> None:
    search = [("q", "query", False), ("offset", "query", False), ("limit", "query", False)]
    assert parameters("/rooms/{room}/messages")[1:4] == search
    assert parameters("/messages/search")[0:3] == search
    assert parameters("/members/{member}/messages")[1:4] == search


def test_class_dependency_rejects_a_bad_limit() -> None:
    response = client.get("/messages/search", params={"limit": "many"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["query", "limit"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "many",
            }
        ]
    }


# --- a sub-dependency: the query, else the cookie, else a default ---


def test_reopen_prefers_the_query() -> None:
    client.cookies.set("last_room", "random")
    assert client.get("/me/reopen", params={"room": "python"}).json() == {"room": "python"}


def test_reopen_falls_back_to_the_cookie() -> None:
    client.cookies.set("last_room", "random")
    assert client.get("/me/reopen").json() == {"room": "random"}


def test_reopen_defaults_to_general() -> None:
    assert client.get("/me/reopen").json() == {"room": "general"}


def test_sub_dependency_parameters_reach_the_openapi_document() -> None:
    assert parameters("/me/reopen") == [
        ("room", "query", False),
        ("x-client-version", "header", False),
        ("last_room", "cookie", False),
    ]


# --- caching within one request, and use_cache=False ---


def test_a_dependency_needed_twice_runs_once_per_request() -> None:
    response = client.get("/rooms/general/can-post", headers={"X-Member": "dave"})
    assert response.status_code == 200
    assert response.json() == {"member": "dave", "room": "general", "can_post": False, "lookups": 1}
    # A new request starts a new cache: the count does not carry over.
    again = client.get("/rooms/general/can-post", headers={"X-Member": "bob"})
    assert again.json() == {"member": "bob", "room": "general", "can_post": True, "lookups": 1}


def test_use_cache_false_runs_it_again() -> None:
    response = client.get("/rooms/general/can-post/uncached", headers={"X-Member": "alice"})
    assert response.status_code == 200
    assert response.json() == {"member": "alice", "room": "general", "lookups": 2}


def test_a_dependency_raising_stops_the_request() -> None:
    response = client.get("/rooms/general/can-post", headers={"X-Member": "zed"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No member called 'zed'"}


def test_a_failing_dependency_is_not_cached_so_its_error_shows_twice() -> None:
    response = client.get("/rooms/general/can-post")
    assert response.status_code == 422
    missing = {
        "type": "missing",
        "loc": ["header", "x-member"],
        "msg": "Field required",
        "input": None,
    }
    assert response.json() == {"detail": [missing, missing]}


# --- a dependency in the path decorator ---


def test_decorator_dependency_lets_a_moderator_in() -> None:
    response = client.get("/rooms/general/reports", headers={"X-Member": "alice"})
    assert response.status_code == 200
    assert response.json() == [{"room": "general", "about": "dave", "reason": "spam"}]


def test_decorator_dependency_refuses_a_member() -> None:
    response = client.get("/rooms/general/reports", headers={"X-Member": "bob"})
    assert response.status_code == 403
    assert response.json() == {"detail": "bob is not a moderator"}


def test_decorator_dependency_is_documented_on_its_operation_only() -> None:
    assert ("x-member", "header", True) in parameters("/rooms/{room}/reports")
    assert ("x-member", "header", True) not in parameters("/rooms/{room}/messages")


# --- a dependency on an APIRouter: every route under /admin ---


@pytest.mark.parametrize("path", ["/admin/stats", "/admin/muted"])
def test_router_dependency_refuses_a_wrong_key(path: str) -> None:
    response = client.get(path, headers={"X-Admin-Key": "guess"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Wrong admin key"}


def test_router_dependency_requires_the_header() -> None:
    response = client.get("/admin/muted")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["header", "x-admin-key"],
                "msg": "Field required",
                "input": None,
            }
        ]
    }


def test_router_routes_answer_with_the_key() -> None:
    key = {"X-Admin-Key": "let-me-in"}
    assert client.get("/admin/stats", headers=key).json() == {
        "rooms": 5,
        "members": 4,
        "messages": 5,
    }
    assert client.get("/admin/muted", headers=key).json() == ["dave"]


def test_router_dependency_stays_on_the_router() -> None:
    assert ("x-admin-key", "header", True) in parameters("/admin/stats")
    assert ("x-admin-key", "header", True) in parameters("/admin/muted")
    assert client.get("/rooms").status_code == 200


# --- a global dependency: the whole app ---


@pytest.mark.parametrize(
    "path", ["/rooms", "/me/reopen", "/rooms/general/messages", "/admin/stats"]
)
def test_global_dependency_refuses_an_old_client_everywhere(path: str) -> None:
    response = client.get(path, headers={"X-Client-Version": "1", "X-Admin-Key": "let-me-in"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Client version 1 is too old: update to 2+"}


def test_global_dependency_lets_a_current_client_through() -> None:
    response = client.get("/rooms", headers={"X-Client-Version": "2"})
    assert response.status_code == 200


def test_global_dependency_validates_its_header() -> None:
    response = client.get("/rooms", headers={"X-Client-Version": "latest"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["header", "x-client-version"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "latest",
            }
        ]
    }


def test_global_dependency_is_documented_on_every_operation() -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Lesson 12 — Dependencies"
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert len(operations) == 11
    for operation in operations:
        names = [p["name"] for p in operation["parameters"]]
        assert "x-client-version" in names


def test_app_dependencies_run_before_router_dependencies() -> None:
    # No admin key at all, yet the answer is the global dependency's 400, not the router's 422.
    response = client.get("/admin/stats", headers={"X-Client-Version": "1"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Client version 1 is too old: update to 2+"}
