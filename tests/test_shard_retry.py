"""A search whose shards failed only because a node left is sent again while copies remain, and says it was.

The cluster tests kill a real node mid-search (tests/cluster/test_cluster.py); here the same path is driven on the
suite's one node by a thin wrapper that makes the server's first answer look like one from a node that has just
left (as elasticsearch-py's own tests inject faults), so each rule is checked without a cluster: what counts as a
node's loss, the bound on attempts, a red index answered at once, and `--json` listing the retries.
"""

from __future__ import annotations

import copy
import io
import sys

import orjson
import pytest
from elastic_transport import ObjectApiResponse

from common.connection import Settings, connect
from common.shard_retry import (
    MAX_RETRIES,
    node_left_answer,
    recorded_retries,
    retries_during,
    send_whole,
)


def failure(kind: str, *, caused_by: str | None = None) -> dict:
    reason: dict = {"type": kind, "reason": "..."}
    if caused_by:
        reason["caused_by"] = {"type": caused_by, "reason": "..."}
    return {"shard": 0, "index": "tweets-v1", "node": "n2", "reason": reason}


def short(failures: list[dict], *, total: int = 3, timed_out: bool = False) -> dict:
    return {
        "timed_out": timed_out,
        "_shards": {"total": total, "successful": total - len(failures), "failed": len(failures), "failures": failures},
        "hits": {"total": {"value": 1, "relation": "eq"}, "hits": []},
    }


@pytest.mark.parametrize(
    "answer",
    [
        short([failure("node_disconnected_exception")]),
        short([failure("transport_exception", caused_by="node_closed_exception")]),
        short([failure("search_phase_execution_exception", caused_by="node_not_connected_exception")]),
        short([failure("node_disconnected_exception"), failure("task_cancelled_exception")]),
    ],
)
def test_failures_from_a_node_that_left_are_worth_another_try(answer):
    assert node_left_answer(answer)


@pytest.mark.parametrize(
    "answer",
    [
        short([]),
        short([failure("query_shard_exception")]),
        short([failure("circuit_breaking_exception")]),
        short([failure("node_disconnected_exception"), failure("query_shard_exception")]),
        short([failure("node_disconnected_exception")], timed_out=True),
    ],
)
def test_a_bad_query_a_breaker_or_a_timeout_is_not_sent_again(answer):
    assert not node_left_answer(answer)


class NodeLeavesOnce:
    """Sends the real search, but the first `times` answers come back as if a node had left mid-search."""

    def __init__(self, es, times: int = 1) -> None:
        self.es, self.times, self.sent = es, times, 0

    def search(self, **kwargs):
        answer = self.es.search(**kwargs)
        self.sent += 1
        if self.sent > self.times:
            return answer
        body = copy.deepcopy(answer.body)
        body["_shards"].update(failed=1, successful=body["_shards"]["total"] - 1)
        body["_shards"]["failures"] = [failure("node_disconnected_exception")]
        return ObjectApiResponse(body=body, meta=answer.meta)


@pytest.fixture(scope="module")
def client(es_url):
    return connect(Settings(url=es_url))


@pytest.fixture(scope="module")
def whole_index(es, alias) -> str:
    name = f"{alias}-whole"
    es.indices.create(index=name, settings={"number_of_replicas": 0})
    for n in range(3):
        es.index(index=name, id=str(n), document={"n": n})
    es.indices.refresh(index=name)
    es.cluster.health(index=name, wait_for_status="green", timeout="30s")
    return name


def test_a_search_a_node_left_is_sent_again_and_answers_whole(client, es, whole_index):
    wrapper = NodeLeavesOnce(es)
    with retries_during() as retried:
        answer = send_whole(client, "search", wrapper.search, {"index": whole_index})

    assert wrapper.sent == 2
    assert answer.body["_shards"]["failed"] == 0 and answer.body["hits"]["total"]["value"] == 3
    assert len(retried) == 1
    assert retried[0].request == "search" and retried[0].attempt == 1
    assert "node_disconnected_exception" in retried[0].reasons
    assert recorded_retries() == []  # outside the block nothing is kept


def test_the_retries_are_bounded_and_the_last_answer_stays_partial(client, es, whole_index):
    wrapper = NodeLeavesOnce(es, times=100)
    with retries_during() as retried:
        answer = send_whole(client, "search", wrapper.search, {"index": whole_index})

    assert wrapper.sent == MAX_RETRIES + 1
    assert len(retried) == MAX_RETRIES
    assert answer.body["_shards"]["failed"] == 1  # still short: the caller reports it as partial


def test_a_red_index_is_not_sent_again(client, es, alias):
    """Nothing covers a shard of a red index: the answer is partial at once, not after every retry's pause."""
    name = f"{alias}-red"
    # two shards, at most one on a node, and one node: the second shard has nowhere to live
    settings = {"number_of_shards": 2, "number_of_replicas": 0, "index.routing.allocation.total_shards_per_node": 1}
    es.indices.create(index=name, settings=settings, wait_for_active_shards="1")
    es.cluster.health(index=name, wait_for_active_shards="1", timeout="30s")
    assert es.cluster.health(index=name).body["status"] == "red"

    with retries_during() as retried:
        answer = client.search(index=name)

    assert retried == []
    assert answer.body["_shards"]["failed"] == 1
    assert node_left_answer(answer.body)  # a lost copy's failure, and still not sent again


def test_json_output_lists_the_retries(client, es, whole_index, monkeypatch):
    from search_cli.render.data import count_text, print_json

    written = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(written))
    with retries_during():
        print_json({"total": 1})
        before = written.getvalue()
        send_whole(client, "search", NodeLeavesOnce(es).search, {"index": whole_index})
        sys.stdout.flush()
        mark = len(written.getvalue())
        print_json({"total": 3})
        counted = count_text(3, "json")

    assert "retried" not in orjson.loads(before)
    shown = orjson.loads(written.getvalue()[mark:])
    assert shown["total"] == 3
    assert shown["retried"][0]["request"] == "search" and shown["retried"][0]["failed_shards"] == 1
    assert orjson.loads(counted)["retried"][0]["attempt"] == 1
