"""Running a user's query: matching tweets with highlights, or an exact count.

The query text is parsed by `search_cli.query` into Elasticsearch query DSL built from typed nodes; user
text never reaches the server as query-string syntax. A search that comes back partial (failed shards,
timed out) is flagged, never silently short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from indexer.errors import TweetsearchError
from search_cli.query import build_query_from_text, describe, highlight_body, parse_query

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

Sort = Literal["newest", "oldest", "relevance"]
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
DISPLAY_FIELDS = [
    "tweetid",
    "tweet_time",
    "user_screen_name",
    "userid",
    "tweet_language",
    "campaign",
    "tweet_text",
    "is_retweet",
    "retweeted_screen_name",
    "urls",
    "hashtags",
]
SORTS: dict[str, list[dict[str, Any]]] = {
    "newest": [{"tweet_time": {"order": "desc", "missing": "_last"}}, {"tweetid": "asc"}],
    "oldest": [{"tweet_time": {"order": "asc", "missing": "_last"}}, {"tweetid": "asc"}],
    "relevance": [{"_score": "desc"}, {"tweet_time": {"order": "asc", "missing": "_last"}}],
}


@dataclass(frozen=True)
class Hit:
    """One matching tweet as the CLI shows it. `highlighted` marks matches with \\x02...\\x03."""

    tweetid: str
    time: datetime | None
    screen_name: str | None
    userid: str | None
    language: str | None
    campaign: str
    text: str
    highlighted: str | None = None
    is_retweet: bool = False
    retweeted_screen_name: str | None = None
    urls: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    total: int
    total_is_exact: bool
    took_ms: int
    hits: list[Hit]
    partial_reason: str | None = None


class PartialResults(TweetsearchError):
    """Raised when the server's answer is incomplete (failed shards, timed out): never silently short."""

    exit_code = 4


def search_tweets(
    es: Elasticsearch, alias: str, query_text: str, *, limit: int = 20, sort: Sort = "newest"
) -> SearchResult:
    """The first `limit` matching tweets in the order asked, with the exact total."""
    query = build_query_from_text(query_text)
    answer = es.search(
        index=alias,
        query=query,
        size=limit,
        sort=SORTS[sort],
        track_total_hits=True,
        source_includes=DISPLAY_FIELDS,
        highlight={
            **highlight_body(),
            "require_field_match": False,
            "pre_tags": [HIGHLIGHT_START],
            "post_tags": [HIGHLIGHT_END],
        },
    ).body
    total = answer["hits"]["total"]
    return SearchResult(
        total=total["value"],
        total_is_exact=total["relation"] == "eq",
        took_ms=answer.get("took", 0),
        hits=[hit_from(raw) for raw in answer["hits"]["hits"]],
        partial_reason=partial_reason(answer),
    )


def explain(query_text: str) -> tuple[str, dict[str, Any]]:
    """The query as it was understood (OR groups parenthesised) and the Elasticsearch query built from it."""
    normalised = describe(parse_query(query_text)) if query_text.strip() else "(every tweet)"
    return normalised, build_query_from_text(query_text)


def count_tweets(es: Elasticsearch, alias: str, query_text: str) -> int:
    """The exact number of matching tweets (the count API is exact, unlike a capped hit total)."""
    answer = es.count(index=alias, query=build_query_from_text(query_text)).body
    reason = partial_reason(answer)
    if reason:
        raise PartialResults(reason)
    return answer["count"]


def partial_reason(answer: dict[str, Any]) -> str | None:
    """Why an answer is incomplete (timed out, failed shards), or None when it is whole."""
    shards = answer.get("_shards", {})
    if answer.get("timed_out"):
        return "the search timed out; the results are incomplete"
    if shards.get("failed"):
        return f"{shards['failed']} of {shards.get('total', '?')} shards failed; the results are incomplete"
    return None


def hit_from(raw: dict[str, Any]) -> Hit:
    """A search hit as the CLI shows it (shared by every command that lists tweets)."""
    source = raw["_source"]
    time = source.get("tweet_time")
    fragments = raw.get("highlight", {}).get("tweet_text")
    return Hit(
        tweetid=source.get("tweetid", raw["_id"]),
        time=datetime.fromisoformat(time) if time else None,
        screen_name=source.get("user_screen_name"),
        userid=source.get("userid"),
        language=source.get("tweet_language"),
        campaign=source.get("campaign", "?"),
        text=source.get("tweet_text") or "",
        highlighted=fragments[0] if fragments else None,
        is_retweet=bool(source.get("is_retweet")),
        retweeted_screen_name=source.get("retweeted_screen_name"),
        urls=source.get("urls") or [],
        hashtags=source.get("hashtags") or [],
    )
