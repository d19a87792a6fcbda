"""Exercise 27.2 — Docs with no internet

The built-in /docs page loads Swagger UI's JavaScript and CSS from a CDN, so with no internet it
stays blank. The files are already served by this app under /docs-assets (they come with the
fastapi-offline package), and the built-in page is turned off (`docs_url=None`).

Your task: add a `GET /docs` endpoint, left out of the schema (`include_in_schema=False`), that
returns `get_swagger_ui_html(...)` (from `fastapi.openapi.docs`) with `openapi_url="/openapi.json"`,
a title, and `swagger_js_url`, `swagger_css_url` and `swagger_favicon_url` pointing at
`/docs-assets/swagger-ui-bundle.js`, `/docs-assets/swagger-ui.css` and `/docs-assets/favicon.png`.

Check: uv run python -m lessons check 27
"""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

app = FastAPI(title="Exercise 27.2 — Docs with no internet", docs_url=None, redoc_url=None)
app.mount("/docs-assets", StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")


@app.get("/rooms")
def list_rooms() -> list[str]:
    return ["general"]


# TODO(exercise): GET /docs, include_in_schema=False, returning get_swagger_ui_html(...).
