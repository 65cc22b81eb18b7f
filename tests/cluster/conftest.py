"""Fixtures for the tests that take a three-node cluster apart (cluster_nodes.py says which cluster)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from cluster_nodes import HOW_TO_START, NODES, Cluster, cluster_url


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    from elasticsearch import Elasticsearch

    from common.local_credentials import find_local_credentials

    found = Cluster(url=cluster_url())
    try:
        auth = find_local_credentials(found.url.split(","))
        options = {"basic_auth": (auth.username, auth.password)} if auth else {}
        health = Elasticsearch(found.url.split(","), request_timeout=10, **options).cluster.health(
            wait_for_nodes=str(NODES), wait_for_status="yellow", timeout="20s"
        )
    except Exception as exc:
        pytest.fail(f"no test cluster answers at {found.url} ({type(exc).__name__}); {HOW_TO_START}", pytrace=False)
    if health.body["number_of_nodes"] != NODES or len(found.pids()) != NODES:
        pytest.fail(f"the test cluster at {found.url} does not have its {NODES} nodes running; {HOW_TO_START}")
    return found


@pytest.fixture
def whole_cluster(cluster: Cluster) -> Iterator[Cluster]:
    """The cluster with all its nodes, before and after the test (a test that kills one starts it again; if it
    failed before it could, this does)."""
    if len(cluster.pids()) < NODES:
        cluster.restart()
    yield cluster
    if len(cluster.pids()) < NODES:
        cluster.restart()


@pytest.fixture(scope="session")
def es_cluster(cluster: Cluster):
    """A client on every node, as tweetsearch makes one (`common.connection.connect`)."""
    from common.connection import Settings, connect

    return connect(Settings(url=cluster.url, request_timeout=60))


@pytest.fixture
def cluster_alias(es_cluster) -> Iterator[str]:
    """A fresh alias per test; its indices and template are deleted afterwards."""
    name = f"c-{uuid.uuid4().hex[:8]}"
    yield name
    created = list(es_cluster.indices.get(index=f"{name}*", allow_no_indices=True, expand_wildcards="all").body)
    if created:
        es_cluster.indices.delete(index=",".join(created))
    es_cluster.options(ignore_status=404).indices.delete_index_template(name=f"{name}-template")
