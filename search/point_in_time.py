"""Walking every hit of a query, however many: a point in time (a frozen view of the index) and `search_after`;
and every bucket of a composite aggregation, page after page.

A search page stops at 10,000 hits. Walking a frozen view is also what makes the books exact: the total counted
on the first page is the number of hits the walk must give. Used by exports (every matching tweet) and by the
coordination analysis (the posts of the items more than one tweet carries).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from common.errors import PointInTimeExpired
from search.tweets import whole_answer

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


class PointInTime:
    """The current point-in-time id (each answer may hand back a new one) and whether closing it worked."""

    def __init__(self, pit_id: str) -> None:
        self.id = pit_id
        self.closed = False


@contextmanager
def point_in_time(es: Elasticsearch, alias: str, keep_alive: str) -> Iterator[PointInTime]:
    """Opens a point in time on `alias` and closes it on the way out, whatever happened in between.

    A failure to close is recorded (`closed` stays False), never raised over the walk's own outcome: the
    server frees the point in time by itself once keep_alive has passed.
    """
    pit = PointInTime(es.open_point_in_time(index=alias, keep_alive=keep_alive)["id"])
    try:
        yield pit
    finally:
        try:
            pit.closed = bool(es.close_point_in_time(id=pit.id).body.get("succeeded"))
        except Exception:
            pit.closed = False


def pages(
    es: Elasticsearch,
    pit: PointInTime,
    query: dict[str, Any],
    *,
    source: list[str] | bool,
    page_size: int,
    keep_alive: str,
    sort: list[Any],
    fields: list[Any] | None = None,
) -> Iterator[tuple[list[dict[str, Any]], int]]:
    """Pages of hits in `sort` order, each with the exact total counted on the first page (the same frozen view
    as every page). `fields` are read from doc values (`docvalue_fields`), and then nothing else is read: not
    the source, not even `_id`, whose stored field costs a compressed block's read per hit (7x the time).

    The first page is yielded even when empty, so a query matching nothing still reports its total of 0.
    Raises `PartialResults` for a page the server could not answer whole.
    """
    from elasticsearch import NotFoundError

    search_after: list[Any] | None = None
    first = True
    total = 0
    while True:
        try:
            answer = es.search(
                pit={"id": pit.id, "keep_alive": keep_alive},
                query=query,
                size=page_size,
                sort=sort,
                search_after=search_after,
                track_total_hits=first,
                source=source,
                docvalue_fields=fields,
                stored_fields="_none_" if fields and source is False else None,
            ).body
        except NotFoundError as exc:
            if first or "search context" not in str(exc).lower():
                raise
            raise PointInTimeExpired(
                f"the server dropped the point in time: more than {keep_alive} passed between two pages "
                "(was the output blocked?); run it again (an export: with a longer --keep-alive)"
            ) from None
        whole_answer(answer)
        pit.id = answer.get("pit_id", pit.id)
        if first:
            total = answer["hits"]["total"]["value"]
            first = False
        hits = answer["hits"]["hits"]
        yield hits, total
        if len(hits) < page_size:
            return
        search_after = hits[-1]["sort"]


def composite_buckets(
    es: Elasticsearch, alias: str, query: dict[str, Any], sources: list[dict[str, Any]], size: int
) -> Iterator[tuple[dict[str, Any], int]]:
    """Every bucket of a composite aggregation, page by page: (key, tweets). The next page is asked for while
    this one is read (a thread of its own), so the server's work and ours overlap. Raises `PartialResults` for
    a page the server could not answer whole."""
    with ThreadPoolExecutor(1) as pool:
        ahead = pool.submit(_composite_page, es, alias, query, sources, size, None)
        while True:
            buckets, after = ahead.result()
            if after is not None and len(buckets) == size:
                ahead = pool.submit(_composite_page, es, alias, query, sources, size, after)
            else:
                after = None
            yield from ((bucket["key"], bucket["doc_count"]) for bucket in buckets)
            if after is None:
                return


def _composite_page(
    es: Elasticsearch,
    alias: str,
    query: dict[str, Any],
    sources: list[dict[str, Any]],
    size: int,
    after: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    composite: dict[str, Any] = {"size": size, "sources": sources}
    if after is not None:
        composite["after"] = after
    answer = whole_answer(es.search(index=alias, query=query, size=0, aggs={"c": {"composite": composite}}).body)
    agg = answer["aggregations"]["c"]
    return agg["buckets"], agg.get("after_key")
