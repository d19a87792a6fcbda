# Every target sets itself up from nothing: it installs uv with pip when it is missing, creates
# .venv and syncs it from uv.lock, then does its job.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
CLUSTER_PORT ?= 8080
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
# Every extra: the tests need redis and asyncpg too, and `uv run --extra dev` alone would
# uninstall them again.
RUN := $(UV) run --locked --all-extras

.DEFAULT_GOAL := help
.PHONY: help run cluster lessons lesson test test-lesson docs docs-build lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
		$(PYTHON) -m pip install --quiet uv || \
		$(PYTHON) -m pip install --quiet --user --break-system-packages uv
	$(UV) sync --locked --all-extras
	@touch $@

run: .venv/.synced ## start the chat on http://$(HOST):$(PORT) (SQLite under var/, one process)
	$(RUN) python -m capstone --host $(HOST) --port $(PORT)

cluster: .venv/.synced ## the chat on 3 workers behind nginx, on PostgreSQL and Redis
	$(RUN) python -m capstone.cluster --port $(CLUSTER_PORT)

lessons: .venv/.synced ## the course home: every lesson mounted under /lessons/NN/
	$(RUN) python -m lessons serve --port $(PORT)

lesson: .venv/.synced ## serve one lesson with reload: make lesson N=02
	@test -n "$(N)" || { echo "usage: make lesson N=02"; exit 2; }
	$(RUN) python -m lessons run $(N) --port $(PORT)

test: .venv/.synced ## every test, the notebooks, the strict docs build, and ruff
	$(RUN) ruff check .
	$(RUN) pytest -m "not browser"
	$(RUN) pytest -m browser

test-lesson: .venv/.synced ## one lesson's tests and notebook: make test-lesson N=02
	@test -n "$(N)" || { echo "usage: make test-lesson N=02"; exit 2; }
	$(RUN) python -m lessons test $(N)

docs: .venv/.synced ## serve the docs site with live reload
	$(RUN) mkdocs serve -a $(HOST):8001

docs-build: .venv/.synced ## build the site strictly into site/
	$(RUN) mkdocs build --strict

bench: .venv/.synced ## the WebSocket fan-out benchmark: capstone vs lesson 17, as ratios
	$(RUN) python -m benchmarks.fanout

lint: .venv/.synced ## ruff and mypy
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy lessons capstone

clean: ## remove the virtual environment and build output
	rm -rf .venv site .pytest_cache .mypy_cache .ruff_cache
