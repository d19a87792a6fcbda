"""Exercise 12.1 — Paging as a dependency

Two endpoints list things, rooms and members, and both should take the same `skip` and `limit`
query parameters, with the same bounds. The class `Paging` declares them once, but neither
endpoint uses it: both return everything.

Your task: give both endpoints a parameter `paging: Annotated[Paging, Depends()]` (import
`Depends` from `fastapi`) and return `items[paging.skip : paging.skip + paging.limit]`. FastAPI
reads the class's own parameters from the query string, and checks their bounds.

Check: uv run python -m lessons check 12
"""

from typing import Annotated

from fastapi import FastAPI, Query

app = FastAPI(title="Exercise 12.1 — Paging as a dependency")

ROOMS = ["general", "python", "random", "rust"]
MEMBERS = ["ada", "bob", "carol"]


class Paging:
    def __init__(
        self,
        skip: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> None:
        self.skip = skip
        self.limit = limit


# TODO(exercise): both endpoints take `paging` and return one page.
@app.get("/rooms")
def list_rooms() -> list[str]:
    return ROOMS


@app.get("/members")
def list_members() -> list[str]:
    return MEMBERS
