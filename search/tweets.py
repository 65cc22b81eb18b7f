"""Running a user's query: matching tweets with highlights, or an exact count.

The query text is parsed by `search.query` into Elasticsearch query DSL built from typed nodes; user
text never reaches the server as query-string syntax. A search that comes back partial (failed shards,
timed out) is flagged, never silently short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from common.errors import PartialResults
from indexer.normalise import parse_urls
from search.query import describe, highlight_body, parse_query
from search.query_context import query_for

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

Sort = Literal["newest", "oldest", "relevance"]
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
# What a listed tweet carries (`Hit`): enough to cite it, no profile text and no `raw` row but its URLs, so a
# request for a thousand hits stays light.
DISPLAY_FIELDS = [
    "tweetid",
    "tweet_time",
    "user_screen_name",
    "userid",
    "tweet_language",
    "campaign",
    "source_file",
    "tweet_text",
    "tweet_client_name",
    "retweet_count",
    "like_count",
    "reply_count",
    "quote_count",
    "is_retweet",
    "retweeted_screen_name",
    "in_reply_to_tweetid",
    "quoted_tweet_tweetid",
    "retweet_tweetid",
    "user_mentions",
    "mention_names",
    "hashtags",
    "urls",
    "raw.urls",
]
# 64 hex digits (the 2018 releases) or the base64 of a SHA-256 digest (later ones): what the archives put in place
# of a small account's id and screen name. A screen name has at most 15 letters, digits and underscores, so
# neither shape can be one.
_HASHED_ID = re.compile(r"[0-9a-f]{64}|[A-Za-z0-9+/]{43}=")
_MARKERS = re.compile(f"([{HIGHLIGHT_START}{HIGHLIGHT_END}])")
SORTS: dict[str, list[dict[str, Any]]] = {
    "newest": [{"tweet_time": {"order": "desc", "missing": "_last"}}, {"tweetid": "asc"}],
    "oldest": [{"tweet_time": {"order": "asc", "missing": "_last"}}, {"tweetid": "asc"}],
    "relevance": [{"_score": "desc"}, {"tweet_time": {"order": "asc", "missing": "_last"}}, {"tweetid": "asc"}],
}


@dataclass(frozen=True)
class Hit:
    """One matching tweet: what a listing shows and what a citation needs, as `--json` and `--format csv` give it.

    Fields are in the order of the CSV columns. `text` is exactly as archived. Counts are None when the release
    does not give them (never 0 for unknown). `user_mentions` are the mentioned accounts' ids as archived,
    `mention_names` the lower-cased @names read from the text; `hashtags` are lower-cased without `#`, as
    indexed; `urls` are the URLs as published (the index searches them normalised). `highlights` are the
    `(start, end)` spans of `text` the query matched, for the terminal only: they are not part of the output
    (metadata `output: False`), so no marker ever reaches a file.
    """

    tweetid: str
    time: datetime | None
    userid: str | None
    screen_name: str | None
    campaign: str
    language: str | None
    text: str
    retweet_count: int | None = None
    like_count: int | None = None
    reply_count: int | None = None
    quote_count: int | None = None
    is_retweet: bool = False
    retweeted_screen_name: str | None = None
    in_reply_to_tweetid: str | None = None
    quoted_tweet_tweetid: str | None = None
    retweet_tweetid: str | None = None
    user_mentions: list[str] = field(default_factory=list)
    mention_names: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    client: str | None = None
    source_file: str | None = None
    highlights: tuple[tuple[int, int], ...] = field(default=(), metadata={"output": False})


@dataclass(frozen=True)
class SearchResult:
    total: int
    total_is_exact: bool
    took_ms: int
    hits: list[Hit]
    partial_reason: str | None = None
    next_after: list[Any] | None = None
    """Where the next page starts (`search_tweets(after=...)`): the last hit's sort values, None when this page
    was not full (nothing comes after it)."""


def search_tweets(
    es: Elasticsearch,
    alias: str,
    query_text: str,
    *,
    limit: int = 20,
    sort: Sort = "newest",
    after: list[Any] | None = None,
) -> SearchResult:
    """The first `limit` matching tweets in the order asked, with the exact total; with `after` (a page's
    `next_after`), the `limit` that follow it. Pages are read with `search_after`, so paging goes on past the
    10,000 hits `from`/`size` could reach: every sort ends with the tweetid, which makes each position unique."""
    query = query_for(es, alias, query_text)
    paging = {"search_after": after} if after is not None else {}
    answer = es.search(
        index=alias,
        query=query,
        size=limit,
        sort=SORTS[sort],
        **paging,
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
        next_after=answer["hits"]["hits"][-1]["sort"] if len(answer["hits"]["hits"]) == limit else None,
    )


def explain(es: Elasticsearch, alias: str, query_text: str) -> tuple[str, dict[str, Any]]:
    """The query as it was understood (OR groups parenthesised) and the Elasticsearch query built from it for
    the index behind `alias`, as `search_tweets` sends it."""
    normalised = describe(parse_query(query_text)) if query_text.strip() else "(every tweet)"
    return normalised, query_for(es, alias, query_text)


def count_tweets(es: Elasticsearch, alias: str, query_text: str) -> int:
    """The exact number of matching tweets (the count API is exact, unlike a capped hit total)."""
    return whole_answer(es.count(index=alias, query=query_for(es, alias, query_text)).body)["count"]


def whole_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """`answer`, when it is whole; else `PartialResults` saying why (`partial_reason`)."""
    reason = partial_reason(answer)
    if reason:
        raise PartialResults(reason)
    return answer


def partial_reason(answer: dict[str, Any]) -> str | None:
    """Why an answer is incomplete (timed out, failed shards), or None when it is whole."""
    shards = answer.get("_shards", {})
    if answer.get("timed_out"):
        return "the search timed out; the results are incomplete"
    if shards.get("failed"):
        failures = shards.get("failures") or []
        reasons = {(failure.get("reason") or {}).get("type") for failure in failures if isinstance(failure, dict)}
        if reasons == {"no_shard_available_action_exception"}:
            return (
                f"{shards['failed']} of {shards.get('total', '?')} shards have no copy on a running node (a node is "
                "down and no replica covers it); the results are incomplete"
            )
        return f"{shards['failed']} of {shards.get('total', '?')} shards failed; the results are incomplete"
    return None


def text_pieces(hit: Hit) -> list[tuple[str, bool]]:
    """The tweet's text cut at its highlight spans: (piece, matched) in order, together exactly the text. Each
    front end marks the matched pieces its own way (bold in a terminal, `<mark>` in a page)."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in hit.highlights:
        pieces += [(hit.text[position:start], False), (hit.text[start:end], True)]
        position = end
    pieces.append((hit.text[position:], False))
    return [(piece, matched) for piece, matched in pieces if piece]


def hit_from(raw: dict[str, Any]) -> Hit:
    """A search hit as the CLI shows it (shared by every command that lists tweets)."""
    source = raw["_source"]
    time = source.get("tweet_time")
    fragments = raw.get("highlight", {}).get("tweet_text")
    text = source.get("tweet_text") or ""
    published = (source.get("raw") or {}).get("urls")
    return Hit(
        tweetid=source.get("tweetid", raw["_id"]),
        time=datetime.fromisoformat(time) if time else None,
        userid=source.get("userid"),
        screen_name=source.get("user_screen_name"),
        campaign=source.get("campaign", "?"),
        language=source.get("tweet_language"),
        text=text,
        retweet_count=source.get("retweet_count"),
        like_count=source.get("like_count"),
        reply_count=source.get("reply_count"),
        quote_count=source.get("quote_count"),
        is_retweet=source.get("is_retweet") is True,
        retweeted_screen_name=source.get("retweeted_screen_name"),
        in_reply_to_tweetid=source.get("in_reply_to_tweetid"),
        quoted_tweet_tweetid=source.get("quoted_tweet_tweetid"),
        retweet_tweetid=source.get("retweet_tweetid"),
        user_mentions=source.get("user_mentions") or [],
        mention_names=source.get("mention_names") or [],
        hashtags=source.get("hashtags") or [],
        # A document indexed without its raw row (none the indexer writes) falls back to the normalised URLs.
        urls=parse_urls(published)[0] if published is not None else source.get("urls") or [],
        client=source.get("tweet_client_name"),
        source_file=source.get("source_file"),
        highlights=highlight_spans(fragments[0], text) if fragments else (),
    )


def highlight_spans(fragment: str, text: str) -> tuple[tuple[int, int], ...]:
    """The `(start, end)` spans of `text` the highlighter marked in `fragment` (the whole text, marked).

    Empty when the markers cannot be told from the text: a tweet that holds the marker characters itself, or a
    fragment that is not the text once unmarked. No highlight is better than one in the wrong place.
    """
    if HIGHLIGHT_START in text or HIGHLIGHT_END in text:
        return ()
    spans: list[tuple[int, int]] = []
    position, start = 0, None
    plain: list[str] = []
    for part in _MARKERS.split(fragment):
        if part == HIGHLIGHT_START:
            start = position if start is None else start
        elif part == HIGHLIGHT_END:
            if start is not None and position > start:
                spans.append((start, position))
            start = None
        else:
            plain.append(part)
            position += len(part)
    if "".join(plain) != text:
        return ()
    return tuple(spans)


def is_hashed_id(value: str | None) -> bool:
    """Whether `value` is one of the hashes the archives put in place of a small account's id and screen name."""
    return value is not None and _HASHED_ID.fullmatch(value) is not None


def account_name(screen_name: str | None, userid: str | None) -> str:
    """How an account is named wherever it is listed: `@name` for a real handle; a hashed or missing name is no
    handle, so the hash or the id stands as it is (front ends shorten or escape it their own way)."""
    if screen_name and not is_hashed_id(screen_name):
        return "@" + screen_name
    return screen_name or userid or "?"
