"""Checks for exercise 06.3: a second named example, shown in /docs and accepted by the app."""

from typing import Any

from fastapi.testclient import TestClient


def body_examples(client: TestClient) -> dict[str, Any]:
    operation = client.get("/openapi.json").json()["paths"]["/schedules/{schedule_id}"]["put"]
    examples: dict[str, Any] = operation["requestBody"]["content"]["application/json"].get(
        "examples", {}
    )
    return examples


def test_the_docs_offer_in_a_minute(client: TestClient) -> None:
    examples = body_examples(client)
    example = examples.get("in_a_minute", {})
    assert example.get("value", {}).get("delay") == "PT1M" and example.get("summary"), (
        "/openapi.json lists the request body examples "
        f"{sorted(examples)} for PUT /schedules/{{schedule_id}}; expected one named "
        '"in_a_minute" with a "summary" and a "value" whose "delay" is "PT1M"'
    )


def test_every_example_is_accepted(client: TestClient) -> None:
    url = "/schedules/3f2b8c1e-6a4d-4e8f-9b7a-2c5d1e0f4a9b"
    for name, example in body_examples(client).items():
        response = client.put(url, json=example.get("value"))
        assert response.status_code == 200, (
            f'PUT {url} with the value of the example "{name}" answered '
            f"{response.status_code} {response.text}; expected 200: an example must work"
        )
