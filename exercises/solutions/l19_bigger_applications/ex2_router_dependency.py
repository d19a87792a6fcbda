"""Exercise 19.2 — One key for every admin endpoint

The admin router's endpoints should need the header `X-Admin-Key: letmein`, and
`require_admin_key` checks it, but no endpoint uses it: anyone can ban anyone.

Your task: give the whole router the dependency, once, rather than to each endpoint: pass
`dependencies=[Depends(require_admin_key)]` to `app.include_router(...)` (or to the
`APIRouter(...)` itself). Every admin endpoint then answers 403 without the key.

Check: uv run python -m lessons check 19
"""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException

app = FastAPI(title="Exercise 19.2 — One key for every admin endpoint")
admin = APIRouter()
BANNED: set[str] = set()


def require_admin_key(x_admin_key: Annotated[str | None, Header()] = None) -> None:
    if x_admin_key != "letmein":
        raise HTTPException(status_code=403, detail="Admins only")


@admin.post("/bans/{username}", status_code=201)
def ban(username: str) -> dict[str, str]:
    BANNED.add(username)
    return {"banned": username}


@admin.get("/bans")
def list_bans() -> list[str]:
    return sorted(BANNED)


app.include_router(
    admin, prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin_key)]
)
