"""Exercise 02.1 — Whose page is /members/me?: a reference solution."""

from fastapi import FastAPI

app = FastAPI(title="Exercise 02.1 — Whose page is /members/me?")


# The fixed path first: routes are tried in order, and "/members/{member_id}" matches "me" too.
@app.get("/members/me")
def read_current_member() -> dict[str, str]:
    return {"member": "me"}


@app.get("/members/{member_id}")
def read_member(member_id: int) -> dict[str, int]:
    return {"member_id": member_id}
