"""Checks for exercise 02.1: `/members/me` and `/members/{member_id}` both answer."""

from fastapi.testclient import TestClient


def test_members_me_is_the_current_member(client: TestClient) -> None:
    response = client.get("/members/me")
    assert response.status_code == 200 and response.json() == {"member": "me"}, (
        f"GET /members/me answered {response.status_code} {response.text}; "
        'expected 200 {"member": "me"}'
    )


def test_a_member_id_still_works(client: TestClient) -> None:
    response = client.get("/members/7")
    assert response.json() == {"member_id": 7}, (
        f"GET /members/7 answered {response.status_code} {response.text}; "
        'expected {"member_id": 7}'
    )
