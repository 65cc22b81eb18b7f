# tweetsearch — `make demo` and `make test` are all a fresh clone needs (see README.md).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo
DEMO_TWEETS ?= 5000
BENCH_TWEETS ?= 1000000
BENCH_CPUS ?= both
BENCH_ROUNDS ?= 1
FIELDS_TWEETS ?= 200000
PYTEST_ARGS ?=
ES_NODES ?= 1
# The cluster tests' own three nodes (instance, ports, heap), beside the suite's server: tests/cluster/cluster.env.
CLUSTER_ENV = env $$(cat tests/cluster/cluster.env)
SERVE_PORT ?= 8000

# Where the suite and the demo find Elasticsearch: ELASTICSEARCH_URL when set, else the local server
# that `es-start` starts (scripts/elasticsearch, or Docker Compose where a Docker engine answers).
ES_URL = $(or $(ELASTICSEARCH_URL),$(shell scripts/elasticsearch url --nodes $(ES_NODES)))

.PHONY: help install lock es-start es-stop es-status demo serve test test-cluster lint bench bench-fields clean

help:
	@echo "make demo      install, start Elasticsearch, generate a sample archive, index it, search it"
	@echo "make test      install, start Elasticsearch, run the whole suite against it, then the cluster tests"
	@echo "make test-cluster   the tests that take a three-node cluster apart (starts and stops its own nodes)"
	@echo "make serve     the web interface on http://127.0.0.1:8000/ (SERVE_PORT=N)"
	@echo "make es-start / es-stop / es-status   the local Elasticsearch (ES_NODES=3: a three-node cluster)"
	@echo "make lint      ruff"
	@echo "make lock      pin every Python package anew, with hashes (requirements/dev.lock)"
	@echo "make bench     benchmarks (BENCH_TWEETS=$(BENCH_TWEETS), BENCH_CPUS=shared|split|both, BENCH_ROUNDS=N)"
	@echo "make bench-fields   what each group of indexed fields costs (FIELDS_TWEETS=$(FIELDS_TWEETS), BENCH_ROUNDS=N)"
	@echo "make bench-cluster  one node against three on this machine: load, size, heap, shards, searches (BENCH_TWEETS=$(BENCH_TWEETS))"
	@echo "make bench-coordination  tweetsearch coordination against the coordination-network-toolkit (BENCH_TWEETS=$(BENCH_TWEETS))"

install: $(VENV)/.installed

# The indexer's native fast path (native/, Rust) is built when cargo is there; without it loads are slower, and
# tests/test_native.py says how to get it.
# Every Python package, pip and the build backends included, comes from requirements/dev.lock at the version and
# with the hashes it pins (`make lock` writes it anew from pyproject.toml and requirements/build.in); tweetsearch and
# its native part are then built with those backends, without fetching anything else.
$(VENV)/.installed: pyproject.toml requirements/dev.lock native/Cargo.toml native/Cargo.lock $(wildcard native/src/*.rs)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	@if command -v cargo >/dev/null; then \
	  PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pip install -q --no-deps --no-build-isolation ./native; \
	else \
	  echo "cargo not found: tweetsearch runs without its native fast path (loads are slower)." \
	       "Install Rust (https://rustup.rs), then run make install again"; \
	fi
	@touch $@

# Writes requirements/dev.lock anew: the newest versions pyproject.toml and requirements/build.in allow, each with
# the hashes of its files on PyPI, for the Python that runs it (CPython 3.11 here). Review the diff, then commit it.
lock:
	@test -x .venv-lock/bin/pip-compile || { $(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install -q 'pip-tools>=7.4,<8'; }
	.venv-lock/bin/pip-compile -q --upgrade --generate-hashes --allow-unsafe --strip-extras --no-emit-find-links \
	  --extra dev --output-file requirements/dev.lock pyproject.toml requirements/build.in

es-start:
	@if [ -n "$${ELASTICSEARCH_URL:-}" ]; then \
	  echo "using ELASTICSEARCH_URL (not starting a local server)"; \
	elif command -v docker >/dev/null && docker info >/dev/null 2>&1 && [ "$(ES_NODES)" = 1 ]; then \
	  docker compose up -d --wait; \
	elif command -v docker >/dev/null && docker info >/dev/null 2>&1 && [ "$(ES_NODES)" = 3 ]; then \
	  docker compose stop elasticsearch; docker compose --profile cluster up -d --wait es01 es02 es03; \
	else \
	  scripts/elasticsearch start --nodes $(ES_NODES); \
	fi

es-stop:
	@if command -v docker >/dev/null && docker info >/dev/null 2>&1; then docker compose --profile cluster stop; fi
	scripts/elasticsearch stop

es-status:
	scripts/elasticsearch status

demo: install es-start
	$(BIN)/tweetsearch generate --tweets $(DEMO_TWEETS) --seed 2016 --out $(DEMO_DIR)/archive
	ELASTICSEARCH_URL=$(ES_URL) $(BIN)/tweetsearch index $(DEMO_DIR)/archive --rejects $(DEMO_DIR)/rejects.jsonl
	ELASTICSEARCH_URL=$(ES_URL) $(BIN)/tweetsearch status
	ELASTICSEARCH_URL=$(ES_URL) scripts/demo-searches $(DEMO_DIR)/archive/ground_truth.json
	@echo "The same archive in a browser: make serve, then open http://127.0.0.1:$(SERVE_PORT)/"

serve: install es-start
	ELASTICSEARCH_URL=$(ES_URL) $(BIN)/tweetsearch serve --port $(SERVE_PORT)

test: install
	@scripts/chromium
	@if command -v cargo >/dev/null; then cargo test -q --manifest-path native/Cargo.toml; fi
	@if [ -z "$${ELASTICSEARCH_URL:-}" ] && command -v docker >/dev/null && docker info >/dev/null 2>&1; then \
	  echo "Docker answers: the suite starts Elasticsearch with testcontainers"; \
	  $(BIN)/pytest --ignore=tests/cluster $(PYTEST_ARGS); \
	else \
	  $(MAKE) --no-print-directory es-start; \
	  ELASTICSEARCH_URL=$(ES_URL) $(BIN)/pytest --ignore=tests/cluster $(PYTEST_ARGS); \
	fi
	@$(MAKE) --no-print-directory test-cluster

# Starts the cluster tests' three nodes, runs tests/cluster against them and stops them, passed or failed.
test-cluster: install
	$(CLUSTER_ENV) scripts/elasticsearch start --nodes 3
	@status=0; $(BIN)/pytest tests/cluster $(PYTEST_ARGS) || status=$$?; \
	  $(CLUSTER_ENV) scripts/elasticsearch stop; exit $$status

lint: install
	$(BIN)/ruff check .

bench: install es-start
	ELASTICSEARCH_URL=$(ES_URL) $(BIN)/python bench/bench_index.py --tweets $(BENCH_TWEETS) --cpus $(BENCH_CPUS) --rounds $(BENCH_ROUNDS) --keep
	ELASTICSEARCH_URL=$(ES_URL) $(BIN)/python bench/bench_search.py --tweets $(BENCH_TWEETS) --prefix bench
	ELASTICSEARCH_URL=$(ES_URL) $(BIN)/python bench/bench_cli.py --alias bench-e2e
	ELASTICSEARCH_URL=$(ES_URL) $(BIN)/python bench/bench_web.py --alias bench-e2e --tweets $(BENCH_TWEETS)
	$(BIN)/python bench/bench_generate.py --tweets $(BENCH_TWEETS)

bench-fields: install es-start
	ELASTICSEARCH_URL=$(ES_URL) $(BIN)/python bench/bench_fields.py --tweets $(FIELDS_TWEETS) --rounds $(BENCH_ROUNDS)

# One node against three on this machine, same documents (bench/bench_cluster.py). It starts and stops its own
# servers (scripts/elasticsearch instances bench-one on 9230, bench-three on 9240-9242), one layout at a time.
.PHONY: bench-cluster
bench-cluster: install
	$(BIN)/python bench/bench_cluster.py --tweets $(BENCH_TWEETS)

# `tweetsearch coordination` against the coordination-network-toolkit on the same generated release
# (bench/bench_coordination.py): the toolkit is the optional `bench` extra, installed here from PyPI.
.PHONY: bench-coordination
bench-coordination: install es-start
	ELASTICSEARCH_URL=$(ES_URL) $(BIN)/python bench/bench_coordination.py --tweets $(BENCH_TWEETS)

clean:
	rm -rf $(DEMO_DIR) .pytest_cache .ruff_cache
