"""Exercise 07.1 — The client's version from a header: a reference solution."""

from typing import Annotated

from fastapi import FastAPI, Header

app = FastAPI(title="Exercise 07.1 — The client's version from a header")


@app.get("/client")
def read_client(
    user_agent: Annotated[str | None, Header()] = None,
    # `Header()` reads `X-Client-Version`: underscores become hyphens, and case does not matter.
    x_client_version: Annotated[str | None, Header()] = None,
) -> dict[str, str | None]:
    return {"user_agent": user_agent, "client_version": x_client_version}
