"""Admin endpoints: imagine this module is shared with another team and not ours to edit."""

from typing import Annotated

from fastapi import APIRouter, Body

# --8<-- [start:router]
router = APIRouter()


@router.post("/announce")
def announce(text: Annotated[str, Body(embed=True, min_length=1)]) -> dict[str, str]:
    return {"announcement": text}


# --8<-- [end:router]
