"""Checks for exercise 25.2: the 404 is in the OpenAPI document, with its model."""

from fastapi.testclient import TestClient


def test_the_404_is_documented_with_the_problem_model(client: TestClient) -> None:
    answers = client.get("/openapi.json").json()["paths"]["/rooms/{name}"]["get"]["responses"]
    assert "404" in answers, (
        f"the OpenAPI document lists {sorted(answers)} for GET /rooms/{{name}}; expected a 404 too"
    )
    assert answers["404"].get("description") == "There is no room by that name.", (
        f"the 404's description is {answers['404'].get('description')!r}; "
        "expected 'There is no room by that name.'"
    )
    schema = answers["404"].get("content", {}).get("application/json", {}).get("schema")
    assert schema == {"$ref": "#/components/schemas/Problem"}, (
        f"the 404's body schema is {schema}; expected the Problem model"
    )


def test_the_endpoint_still_answers(client: TestClient) -> None:
    found = client.get("/rooms/general")
    assert found.status_code == 200, f"GET /rooms/general answered {found.status_code}"
    missing = client.get("/rooms/nowhere")
    assert missing.status_code == 404, f"GET /rooms/nowhere answered {missing.status_code}"
