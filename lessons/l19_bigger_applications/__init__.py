"""Lesson 19 — Bigger applications: routers and a package layout

One app split over a package: each group of chat endpoints lives in its own module with an
`APIRouter`, and `include_router` adds them under a prefix with tags, shared dependencies (a member
token, an admin key) and extra documented responses, all visible in the OpenAPI document.

Run:  uvicorn lessons.l19_bigger_applications:app --reload   (then open http://127.0.0.1:8000/docs)
Test: pytest tests/lessons/test_l19_bigger_applications.py
"""

from .main import app

__all__ = ["app"]
