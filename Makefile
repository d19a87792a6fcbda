# Every target sets itself up from nothing: it installs uv when it is missing, then `uv run`
# brings .venv in line with uv.lock before it does its job.
# - The chat and the lessons (run, cluster, lessons, lesson) ask only for what they run: the
#   dependencies and the Redis and PostgreSQL drivers; no test, docs or notebook tooling.
# - The rest (test, test-lesson, docs, lint, bench) ask for every extra, dev included.
# `uv run` adds what is missing and removes nothing, so the two kinds never undo each other.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
LESSONS_PORT ?= 8100
LESSON_PORT ?= 8200
DOCS_PORT ?= 8001
CLUSTER_PORT ?= 8080
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
APP := $(UV) run --locked --extra redis --extra postgres
DEV := $(UV) run --locked --all-extras

.DEFAULT_GOAL := help
.PHONY: help uv run cluster lessons lesson notebooks test test-lesson check docs docs-build lint bench \
	clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}' \
		| sed -e 's/$$(HOST)/$(HOST)/g' -e 's/$$(PORT)/$(PORT)/g' \
			-e 's/$$(LESSONS_PORT)/$(LESSONS_PORT)/g' -e 's/$$(LESSON_PORT)/$(LESSON_PORT)/g' \
			-e 's/$$(DOCS_PORT)/$(DOCS_PORT)/g' -e 's/$$(CLUSTER_PORT)/$(CLUSTER_PORT)/g'

# uv itself, once, quietly. Debian's own Python refuses a plain `pip install` ("externally
# managed"); there uv goes to the user's site (~/.local), beside nothing of Debian's.
uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1 || \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check --user \
			--break-system-packages uv

# Every extra in .venv at once, for an editor or a shell.
.venv/.synced: pyproject.toml uv.lock | uv
	$(UV) sync --locked --all-extras
	@touch $@

run: uv ## start the chat on http://$(HOST):$(PORT) (SQLite under var/, one process)
	$(APP) python -m capstone --host $(HOST) --port $(PORT)

cluster: uv ## the chat on 3 workers behind nginx, on PostgreSQL and Redis
	$(APP) python -m capstone.cluster --port $(CLUSTER_PORT)

lessons: uv ## the course home on http://$(HOST):$(LESSONS_PORT), every lesson under /lessons/NN/
	$(APP) python -m lessons serve --port $(LESSONS_PORT)

lesson: uv ## one lesson with reload on http://$(HOST):$(LESSON_PORT): make lesson N=02
	@test -n "$(N)" || { echo "usage: make lesson N=02"; exit 2; }
	$(APP) python -m lessons run $(N) --port $(LESSON_PORT)

test: uv ## every test, the notebooks, the strict docs build, and ruff
	$(DEV) python -m tools.testsum

# JupyterLab refuses to start as root unless told; as root (a container, a VM) it is told.
notebooks: uv ## open the lesson notebooks in JupyterLab
	$(DEV) jupyter lab --notebook-dir notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

test-lesson: uv ## one lesson's tests and notebook: make test-lesson N=02
	@test -n "$(N)" || { echo "usage: make test-lesson N=02"; exit 2; }
	$(DEV) python -m lessons test $(N)

# The checks are pytest tests, so this one asks for the dev tooling too.
check: uv ## check your answers to one lesson's exercises: make check N=05
	@test -n "$(N)" || { echo "usage: make check N=05"; exit 2; }
	$(DEV) python -m lessons check $(N)

# Material for MkDocs prints an end-of-life notice on every start; this is its own switch for it.
docs docs-build: export NO_MKDOCS_2_WARNING = 1

docs: uv ## the docs site with live reload on http://$(HOST):$(DOCS_PORT)
	$(DEV) mkdocs serve -a $(HOST):$(DOCS_PORT)

docs-build: uv ## build the site strictly into site/
	$(DEV) mkdocs build --strict

bench: uv ## the WebSocket fan-out benchmark: capstone vs lesson 17, as ratios
	$(DEV) python -m benchmarks.fanout

lint: uv ## ruff (lint and format) and mypy over everything; make test runs them too
	$(DEV) ruff check .
	$(DEV) ruff format --check .
	$(DEV) mypy

clean: ## remove the virtual environment and build output
	rm -rf .venv site .pytest_cache .mypy_cache .ruff_cache
