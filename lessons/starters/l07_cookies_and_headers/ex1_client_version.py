"""Exercise 07.1 — The client's version from a header

The chat's apps send their version in a header, `X-Client-Version: 2.4.1`, and `GET /client`
should answer it as `client_version`. Today `x_client_version` is a plain parameter, so FastAPI
reads it from the query string, and the header is ignored: `client_version` is always `null`.

Your task: read `x_client_version` from the request's headers instead.

Check: uv run python -m lessons check 07
"""

from typing import Annotated

from fastapi import FastAPI, Header

app = FastAPI(title="Exercise 07.1 — The client's version from a header")


@app.get("/client")
def read_client(
    user_agent: Annotated[str | None, Header()] = None,
    # TODO(exercise): read this one from the `X-Client-Version` header too.
    x_client_version: str | None = None,
) -> dict[str, str | None]:
    return {"user_agent": user_agent, "client_version": x_client_version}
