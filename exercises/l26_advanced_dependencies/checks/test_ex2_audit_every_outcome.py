"""Checks for exercise 26.2: the audit records successes and refusals, and the 404 gets through."""

from fastapi.testclient import TestClient


def test_a_success_is_recorded_as_done(client: TestClient) -> None:
    response = client.delete("/rooms/general/messages/2")
    assert response.status_code == 204, f"DELETE message 2 answered {response.status_code}"
    audit = client.get("/audit").json()
    assert audit == [{"action": "delete message 2", "outcome": "done"}], (
        f"after one delete GET /audit answered {audit}; "
        'expected [{"action": "delete message 2", "outcome": "done"}]'
    )


def test_a_refusal_is_recorded_and_the_404_reaches_the_client(client: TestClient) -> None:
    response = client.delete("/rooms/general/messages/99")
    assert response.status_code == 404, (
        f"DELETE message 99 (it does not exist) answered {response.status_code} "
        f"{response.text}; expected 404: re-raise the exception after recording it"
    )
    audit = client.get("/audit").json()
    expected = [{"action": "delete message 99", "outcome": "refused: No message 99"}]
    assert audit == expected, (
        f"after a refused delete GET /audit answered {audit}; expected {expected}"
    )
