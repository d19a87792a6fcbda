"""Exercise 02.1 — Whose page is /members/me?

`GET /members/me` should answer `{"member": "me"}`, and `GET /members/7` should answer
`{"member_id": 7}`. Today `/members/me` answers 422: FastAPI tries routes in the order they were
declared, and `/members/{member_id}` matches first, then fails to read "me" as a number.

Your task: make `/members/me` reach `read_current_member`, without breaking `/members/7`.

Check: uv run python -m lessons check 02
"""

from fastapi import FastAPI

app = FastAPI(title="Exercise 02.1 — Whose page is /members/me?")


# TODO(exercise): the order of these two routes decides which one answers /members/me.
@app.get("/members/{member_id}")
def read_member(member_id: int) -> dict[str, int]:
    return {"member_id": member_id}


@app.get("/members/me")
def read_current_member() -> dict[str, str]:
    return {"member": "me"}
