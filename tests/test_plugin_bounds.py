"""esplugin's `tweetsearch_near_repeats` against a hostile archive: what a request may ask is bounded as it is read
(a 400 naming the bound), and what an answer takes grows with the archive, so it is counted against the request
circuit breaker: too much is refused with the breaker's exception, never an OutOfMemoryError, and the node goes on
answering. The caller (search/coordination.py) says so in one line, and sends a `same_item` past the bounds to the
composite aggregation instead."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from common.errors import UsageError
from search.coordination import (
    MAX_SAME_ITEM_BYTES,
    MAX_SAME_ITEM_KEYS,
    MAX_WINDOW_SECONDS,
    NEAR_REPEATS,
    LinkPages,
    _stretches_from_buckets,
    _stretches_on_server,
    bucket_width,
    check_kind,
)
from search.tweets import whole_answer

VARIANTS = 5_000
"""Addresses of one video, each posted twice in one minute: 10,000 tweets, 80 KB of sorted values."""
PADDING = 1_000
"""Characters each address carries (as a tracking parameter): the answer names 5,000 items of 1 KB each."""
SMALL_BREAKER = "1mb"
"""A request breaker the values fit in (80 KB) and the answer's names (5 MB) do not."""
T0 = 1_500_000_000_000
WIDTH = 120_000
URL = check_kind("url")


def variant(n: int) -> str:
    return f"youtube.com/watch?v=dQw4w9WgXcQ&t={n}&utm_content={'x' * PADDING}"


@pytest.fixture(scope="module")
def hostile(es, alias) -> dict[int, str]:
    """The hostile tweets in an index of one shard and one of two: every address twice, three minutes after the
    address before it."""
    indices = {}
    for shards in (1, 2):
        index = indices[shards] = f"{alias}-hostile{shards}"
        es.indices.create(
            index=index,
            settings={"number_of_shards": shards, "number_of_replicas": 0},
            mappings={
                "dynamic": "strict",
                "properties": {
                    "urls": {"type": "keyword", "fields": {"key": {"type": "keyword"}}},
                    "tweet_time": {"type": "date", "format": "epoch_millis"},
                },
            },
        )
        for first in range(0, VARIANTS, 1_000):
            operations: list[dict] = []
            for n in range(first, min(first + 1_000, VARIANTS)):
                for second in (0, 20_000):
                    operations += [{"index": {}}, {"urls": variant(n), "tweet_time": T0 + 180_000 * n + second}]
            assert not es.bulk(index=index, operations=operations).body["errors"]
        es.indices.refresh(index=index)
    return indices


def near(index: str, es, **spec) -> dict:
    """The aggregation's whole answer (else `PartialResults`), asked once: a refusal is not sent again (a client
    sends a 429 again by default)."""
    aggs = {"near": {NEAR_REPEATS: {"field": URL.field, "width": WIDTH, **spec}}}
    once = es.options(max_retries=0)
    return whole_answer(once.search(index=index, size=0, aggs=aggs, request_cache=False).body)["aggregations"]["near"]


@contextmanager
def request_breaker(es, limit: str) -> Iterator[None]:
    """The node's request circuit breaker at `limit` inside the block, as it was afterwards."""
    key = "indices.breaker.request.limit"
    before = es.cluster.get_settings(flat_settings=True).body["transient"].get(key)
    es.cluster.put_settings(transient={key: limit})
    try:
        yield
    finally:
        es.cluster.put_settings(transient={key: before})


def request_breaker_used(es) -> int:
    stats = es.nodes.stats(metric="breaker").body["nodes"]
    return sum(node["breakers"]["request"]["estimated_size_in_bytes"] for node in stats.values())


def released(es, before: int) -> bool:
    """Whether the request breaker comes back to what it held before (give or take 1 MB of other requests) within
    half a minute: a structure charged and never given back would stay."""
    deadline = time.monotonic() + 30
    while request_breaker_used(es) > before + 2**20:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def covered(selections) -> list[tuple[int, int]]:
    """The stretches of time the selections read, made one where they overlap or touch."""
    spans: list[tuple[int, int]] = []
    for selection in sorted(selections, key=lambda selection: selection.start):
        if spans and selection.start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], selection.end))
        else:
            spans.append((selection.start, selection.end))
    return spans


def refusal(error) -> str:
    return str(error.body)


# --------------------------------------------------------------------------------------------------------------
# What a request may ask.


def test_a_width_past_the_longest_window_is_refused_with_a_400_naming_the_bound(es, hostile) -> None:
    from elasticsearch import BadRequestError

    widest = bucket_width(MAX_WINDOW_SECONDS * 1000)  # a week, the longest window the CLI takes, and its minute
    assert near(hostile[1], es, width=widest)["tweets"] == 2 * VARIANTS
    for width in (widest + 1, 2**62):
        with pytest.raises(BadRequestError) as refused:
            near(hostile[1], es, width=width)
        assert refused.value.meta.status == 400
        assert f"{widest} ms (a week and a minute) or less, not {width}" in refusal(refused.value)


def test_too_many_same_item_keys_are_refused_with_a_400_naming_the_bound(es, hostile) -> None:
    from elasticsearch import BadRequestError

    keys = [f"{n:016x}" for n in range(MAX_SAME_ITEM_KEYS)]
    groups = [keys[at : at + 2] for at in range(0, len(keys), 2)]
    assert near(hostile[1], es, same_item=groups)["tweets"] == 2 * VARIANTS, "the most keys it takes"
    with pytest.raises(BadRequestError) as refused:
        near(hostile[1], es, same_item=[*groups, ["one more"]])
    assert refused.value.meta.status == 400
    assert f"at most {MAX_SAME_ITEM_KEYS} keys in [same_item]" in refusal(refused.value)


def test_too_many_same_item_bytes_are_refused_with_a_400_naming_the_bound(es, hostile) -> None:
    from elasticsearch import BadRequestError

    key = "k" * 2**20
    groups = [[f"{n}{key[1:]}" for n in range(at, at + 2)] for at in range(0, MAX_SAME_ITEM_BYTES // 2**20, 2)]
    assert near(hostile[1], es, same_item=groups)["tweets"] == 2 * VARIANTS, "the most bytes it takes"
    with pytest.raises(BadRequestError) as refused:
        near(hostile[1], es, same_item=[*groups, ["k"]])
    assert refused.value.meta.status == 400
    assert f"at most {MAX_SAME_ITEM_BYTES} bytes of keys in [same_item]" in refusal(refused.value)


@pytest.mark.parametrize(
    "same_item, message",
    [([[]], "no empty group"), ([["a", 1]], "keys as strings"), (["a"], "as arrays of keys")],
)
def test_a_malformed_same_item_is_refused_with_a_400_saying_what_is_wrong(es, hostile, same_item, message) -> None:
    from elasticsearch import BadRequestError

    with pytest.raises(BadRequestError) as refused:
        near(hostile[1], es, same_item=same_item)
    assert message in refusal(refused.value)


def test_thousands_of_addresses_of_one_video_within_the_bounds_are_one_item(es, hostile) -> None:
    """The keys of `same_item` are looked up once per shard and kept in the breaker-counted hash: every address of
    the video is one item, named by the group's first key, on one shard or merged from two, and its stretches
    are those the composite pages give."""
    links = LinkPages(hashed=False)
    links.page_of = {variant(n): "YouTube video dQw4w9WgXcQ" for n in range(VARIANTS)}
    group = links.same_items()[0]
    one = near(hostile[1], es, same_item=[group])
    assert {key for key, _, _ in one["stretches"]} == {group[0]}
    assert near(hostile[2], es, same_item=[group], across_shards=True) == one
    from_pages = _stretches_from_buckets(es, hostile[1], {"match_all": {}}, URL, WIDTH, links)
    assert sorted((start, end) for _, start, end in one["stretches"]) == covered(from_pages)


# --------------------------------------------------------------------------------------------------------------
# What an answer takes.


def test_a_hostile_archive_trips_the_breaker_on_the_shard_and_the_node_answers_afterwards(es, hostile) -> None:
    """One shard: the answer's names are charged as they are made, so the shard's own aggregation (`<agg [near]>`)
    refuses, before the reduce would see an answer too big for the node."""
    from elasticsearch import ApiError

    before = request_breaker_used(es)
    with request_breaker(es, SMALL_BREAKER), pytest.raises(ApiError) as refused:
        near(hostile[1], es)
    assert refused.value.meta.status == 429
    assert "circuit_breaking_exception" in refusal(refused.value)
    assert "<agg [near]>" in refusal(refused.value)
    assert released(es, before), "what the refused aggregation charged is given back"

    assert es.count(index=hostile[1])["count"] == 2 * VARIANTS, "the node answers a normal search"
    answer = near(hostile[1], es)
    assert len(answer["stretches"]) == VARIANTS, "and the same aggregation under its normal breaker"
    assert released(es, before), "what the aggregation that answered charged is given back"


def test_a_hostile_archive_on_two_shards_trips_the_breaker_and_the_node_answers_afterwards(es, hostile) -> None:
    from elasticsearch import ApiError

    before = request_breaker_used(es)
    with request_breaker(es, SMALL_BREAKER), pytest.raises(ApiError) as refused:
        near(hostile[2], es, across_shards=True)
    assert refused.value.meta.status == 429
    assert "circuit_breaking_exception" in refusal(refused.value)
    assert released(es, before)

    assert near(hostile[2], es, across_shards=True) == near(hostile[1], es), "merged whole under the normal breaker"
    assert released(es, before), "what the shards and the reduce charged is given back"


@pytest.fixture(scope="module")
def on_both_shards(es, alias) -> str:
    """An index of two shards where every bucket of every item holds a tweet on each shard: the shards send the
    same buckets, and the reduce merges twice as many into stretches (each bucket is one, three buckets from the
    next), so it holds more than either shard."""
    index = f"{alias}-both"
    es.indices.create(
        index=index,
        settings={"number_of_shards": 2, "number_of_replicas": 0},
        mappings={"properties": {"urls": {"type": "keyword", "fields": {"key": {"type": "keyword"}}},
                                 "tweet_time": {"type": "date", "format": "epoch_millis"}}},
    )  # fmt: skip
    shard_of = {str(r): es.search_shards(index=index, routing=str(r)).body["shards"][0][0]["shard"] for r in range(9)}
    routings = [next(r for r, shard in shard_of.items() if shard == wanted) for wanted in (0, 1)]
    for item in range(REPEATED_ITEMS):
        operations: list[dict] = []
        for bucket in range(REPEATED_BUCKETS):
            for routing in routings:
                tweet = {"urls": f"example.com/{item}", "tweet_time": T0 + 3 * WIDTH * bucket}
                operations += [{"index": {"routing": routing}}, tweet]
        assert not es.bulk(index=index, operations=operations).body["errors"]
    es.indices.refresh(index=index)
    return index


REPEATED_ITEMS = 20
REPEATED_BUCKETS = 2_000
"""40,000 buckets a shard: 8 bytes each in the shards' answers, and a stretch each once merged."""


def test_the_reduce_charges_what_it_merges(es, on_both_shards) -> None:
    """The reduce's own structures (`<reduce [near]>`) are charged too: lowering the breaker step by step, the
    reduce, which holds the most, is stopped before the shards are."""
    from elasticsearch import ApiError

    before = request_breaker_used(es)
    answer = near(on_both_shards, es, across_shards=True)
    assert len(answer["stretches"]) == REPEATED_ITEMS * REPEATED_BUCKETS
    assert released(es, before), "what the reduce charged (some 3 MB) is given back when it closes"
    labels: list[str] = []
    limit = 16 * 2**20
    with request_breaker(es, f"{limit}b"):
        while limit > 2**18 and not labels:
            es.cluster.put_settings(transient={"indices.breaker.request.limit": f"{limit}b"})
            try:
                near(on_both_shards, es, across_shards=True)
            except ApiError as error:
                assert "circuit_breaking_exception" in refusal(error)
                labels = [label for label in ("<agg [near]>", "<reduce [near]>") if label in refusal(error)]
            limit = limit * 4 // 5
    assert labels == ["<reduce [near]>"], f"refused at {limit * 5 // 4} bytes"


# --------------------------------------------------------------------------------------------------------------
# The caller.


def test_the_caller_says_in_one_line_that_the_servers_memory_refused(es, hostile) -> None:
    for shards in (1, 2):
        with request_breaker(es, SMALL_BREAKER), pytest.raises(UsageError) as refused:
            _stretches_on_server(es, hostile[shards], {"match_all": {}}, URL, WIDTH, None, across_shards=shards > 1)
        message = str(refused.value)
        assert "memory" in message and "narrow the query" in message and "\n" not in message


def test_a_same_item_past_the_servers_bounds_is_read_from_the_composite_pages_instead(es, hostile) -> None:
    """Every address of the video is one item, and so are MAX_SAME_ITEM_KEYS more the tweets do not hold: more
    keys than the server takes, so the caller finds the stretches from the composite aggregation's pages."""
    links = LinkPages(hashed=False)
    links.page_of = {variant(n): "YouTube video dQw4w9WgXcQ" for n in range(VARIANTS)}
    links.page_of |= {f"youtu.be/dQw4w9WgXcQ?n={n}": "YouTube video dQw4w9WgXcQ" for n in range(MAX_SAME_ITEM_KEYS)}
    query = {"match_all": {}}
    found = _stretches_on_server(es, hostile[1], query, URL, WIDTH, links, across_shards=False)
    assert found and found == _stretches_from_buckets(es, hostile[1], query, URL, WIDTH, links)
