"""The app: it owns no endpoint logic, only how the routers are assembled."""

from fastapi import Depends, FastAPI

from .dependencies import require_admin
from .internal import admin
from .routers import rooms, users

# --8<-- [start:app]
app = FastAPI(
    title="Lesson 19 — Bigger applications",
    description="One chat API assembled from several routers in a package.",
)

app.include_router(rooms.router)
app.include_router(users.router, prefix="/users", tags=["users"])
# The admin module knows nothing of its prefix, tag, guard or extra response: they are added here.
app.include_router(
    admin.router,
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses={403: {"description": "Admins only"}},
)


@app.get("/")
def root() -> dict[str, list[str]]:
    return {"routers": ["/rooms", "/users", "/admin"]}


# --8<-- [end:app]
