"""Exercise 30.1 — Ready or not

`/readyz` tells a load balancer whether to send this server requests. To stop a server without
cutting anyone off, the operator first creates a file `maintenance` in the data folder; the
server should then say it is not ready, until the file is removed. But `/readyz` always says yes.

Your task: when the file `DATA_DIR / "maintenance"` exists, answer 503 with
`{"status": "draining"}` (set `response.status_code` on a `response: Response` parameter; import
`Response` from `fastapi`). `/healthz` keeps answering 200: the process is alive.

Check: uv run python -m lessons check 30
"""

import tempfile
from pathlib import Path

from fastapi import FastAPI

app = FastAPI(title="Exercise 30.1 — Ready or not")
DATA_DIR = Path(tempfile.mkdtemp(prefix="chat-data-"))


@app.get("/healthz")
def liveness() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/readyz")
def readiness() -> dict[str, str]:
    # TODO(exercise): 503 and {"status": "draining"} while DATA_DIR / "maintenance" exists.
    return {"status": "ok"}
