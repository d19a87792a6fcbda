"""Lesson 30 — Deployment

Taking an app from `--reload` on a laptop to a server: `fastapi dev` and `fastapi run`, workers,
settings from the environment, health checks a process manager or a load balancer can ask, a
`Dockerfile` whose every line is explained, a systemd unit, where HTTPS fits, and running the
app under a debugger with `uvicorn.run`. The files sit beside the app in this package.

Run:  fastapi dev lessons/l30_deployment/main.py        (development: reload, 127.0.0.1)
      fastapi run lessons/l30_deployment/main.py        (production: 0.0.0.0, no reload)
      python -m lessons.l30_deployment.main             (under a debugger)
Test: pytest tests/lessons/test_l30_deployment.py
"""

from .main import app

__all__ = ["app"]
