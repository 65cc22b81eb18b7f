"""Fixtures: one real Elasticsearch per run, a fresh alias per test module, the CLI as a user runs it.

Where the server comes from, in order: ELASTICSEARCH_URL when set (what `make test` does with the local
server from scripts/elasticsearch); else a container from the official image via testcontainers when a
Docker engine answers; else the run fails with a message saying how to start one. Tests never skip
because Elasticsearch is missing.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import docker_answers, pinned_version
from typer.testing import CliRunner

HOW_TO_START = (
    "Elasticsearch is needed for this test. Run the suite with `make test` (it starts a local server), "
    "or start one with `make es-start` and set ELASTICSEARCH_URL=http://localhost:9200"
)


def server_auth(url: str) -> dict:
    """The client options that authenticate to the server at `url`: the local server's own credentials (it runs
    with security on: common/local_credentials.py), or none for a server that needs none."""
    from common.local_credentials import find_local_credentials

    found = find_local_credentials(url.split(","))
    return {"basic_auth": (found.username, found.password)} if found else {}


def _reachable(url: str) -> str | None:
    """None when the server answers, else the reason."""
    from elasticsearch import Elasticsearch

    try:
        client = Elasticsearch(url.split(","), request_timeout=5, max_retries=0, **server_auth(url))
        client.cluster.health(wait_for_status="yellow", timeout="10s")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def es_url() -> Iterator[str]:
    url = os.environ.get("ELASTICSEARCH_URL")
    if url:
        problem = _reachable(url)
        if problem:
            pytest.fail(f"ELASTICSEARCH_URL={url} does not answer ({problem}). {HOW_TO_START}", pytrace=False)
        yield url
        return
    if docker_answers():
        from testcontainers.elasticsearch import ElasticSearchContainer

        image = f"docker.elastic.co/elasticsearch/elasticsearch:{pinned_version()}"
        with ElasticSearchContainer(image, mem_limit="2g") as container:
            yield container.get_url()
        return
    pytest.fail(f"ELASTICSEARCH_URL is not set and no Docker engine answers. {HOW_TO_START}", pytrace=False)


@pytest.fixture(scope="session")
def es(es_url: str):
    from elasticsearch import Elasticsearch

    return Elasticsearch(es_url.split(","), request_timeout=60, **server_auth(es_url))


@pytest.fixture(scope="module")
def alias(request: pytest.FixtureRequest, es) -> Iterator[str]:
    """A fresh alias (and so fresh indices and template) per test module, removed afterwards.

    A test that needs a second alias names it `<alias>-<suffix>`; it is removed with the first.
    """
    module = re.sub(r"[^a-z0-9]+", "-", request.module.__name__.lower()).strip("-")
    name = f"t-{module}-{uuid.uuid4().hex[:6]}"
    yield name
    created = list(es.indices.get(index=f"{name}*", allow_no_indices=True, expand_wildcards="all").body)
    if created:
        es.indices.delete(index=",".join(created))
    templates = es.options(ignore_status=404).indices.get_index_template(name=f"{name}*").body
    for template in templates.get("index_templates", []):
        es.indices.delete_index_template(name=template["name"])


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def cli(es_url: str, alias: str):
    """Runs `tweetsearch ARGS...` in-process against the test server and the module's alias."""
    from search_cli.app import app

    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> CliResult:
        environment = {"ELASTICSEARCH_URL": es_url, "TWEETSEARCH_ALIAS": alias, "COLUMNS": "200"}
        environment.update(env or {})
        result = runner.invoke(app, list(args), env=environment, input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture(scope="module")
def generated_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A small synthetic release (3 campaigns, 3000 tweets, one malformed row of each kind) and its ground truth."""
    from archive_samples import generated_release as generate

    return generate(tmp_path_factory.mktemp("release"), tweets=3000, seed=11, malformed=1)


@pytest.fixture(scope="module")
def indexed_release(cli, generated_release, tmp_path_factory) -> dict:
    """The release loaded with `tweetsearch index` into the module's alias: summary, rejects path, ground truth."""
    import orjson

    folder, truth = generated_release
    rejects = tmp_path_factory.mktemp("load") / "rejects.jsonl"
    result = cli("index", str(folder), "--rejects", str(rejects), "--json")
    assert result.exit_code == 0, result.stderr
    return {"summary": orjson.loads(result.stdout), "rejects": rejects, "truth": truth, "folder": folder}
