"""Checks for exercise 28.1: the admin app answers under /admin, with its own document."""

from fastapi.testclient import TestClient


def test_the_admin_stats_answer(client: TestClient) -> None:
    response = client.get("/admin/stats")
    assert response.status_code == 200, (
        f"GET /admin/stats answered {response.status_code} {response.text}; expected 200"
    )
    assert response.json() == {"rooms": 2, "messages": 2}


def test_the_admin_app_has_its_own_document_and_docs(client: TestClient) -> None:
    document = client.get("/admin/openapi.json")
    assert document.status_code == 200, (
        f"GET /admin/openapi.json answered {document.status_code}; expected the admin app's own"
    )
    title = document.json()["info"]["title"]
    assert title == "Chat admin", f"/admin/openapi.json is titled {title!r}; expected 'Chat admin'"
    docs = client.get("/admin/docs")
    assert docs.status_code == 200, f"GET /admin/docs answered {docs.status_code}; expected 200"


def test_the_main_document_lists_only_its_own_paths(client: TestClient) -> None:
    paths = sorted(client.get("/openapi.json").json()["paths"])
    assert paths == ["/rooms"], (
        f"the main app's document lists {paths}; expected only ['/rooms']: mount the admin app, "
        "do not include its routes"
    )
