"""Checks for exercise 06.2: tips are exact Decimals in cents."""

from fastapi.testclient import TestClient

TIPS = [{"sender": "alice", "amount": "0.10"}, {"sender": "bob", "amount": "0.20"}]


def test_two_tips_add_up_exactly(client: TestClient) -> None:
    response = client.post("/rooms/1/tips", json=TIPS)
    total = response.json().get("total") if response.status_code == 200 else None
    assert total == "0.30", (
        'POST /rooms/1/tips with amounts "0.10" and "0.20" answered '
        f'{response.status_code} {response.text}; expected "total": "0.30", exactly'
    )


def test_a_fraction_of_a_cent_is_refused(client: TestClient) -> None:
    response = client.post("/rooms/1/tips", json=[{"sender": "alice", "amount": "0.105"}])
    assert response.status_code == 422, (
        'POST /rooms/1/tips with the amount "0.105" answered '
        f"{response.status_code} {response.text}; expected 422 (2 digits after the point at most)"
    )


def test_a_tip_of_a_billion_is_refused(client: TestClient) -> None:
    response = client.post("/rooms/1/tips", json=[{"sender": "alice", "amount": "1000000.00"}])
    assert response.status_code == 422, (
        'POST /rooms/1/tips with the amount "1000000.00" answered '
        f"{response.status_code} {response.text}; expected 422 (8 digits at most)"
    )


def test_a_tip_of_nothing_is_refused(client: TestClient) -> None:
    response = client.post("/rooms/1/tips", json=[{"sender": "alice", "amount": "0"}])
    assert response.status_code == 422, (
        'POST /rooms/1/tips with the amount "0" answered '
        f"{response.status_code} {response.text}; expected 422 (greater than 0)"
    )
