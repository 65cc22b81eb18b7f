"""Counting over matching tweets: the top values of a field (`top`) and tweets over time (`timeline`).

Both answer from aggregations in one search request, so the numbers cover every matching tweet, not a page of
hits. The server's own accuracy figures are passed on, never guessed: a terms aggregation reports
`doc_count_error_upper_bound` (how far any count may be under; 0 on a one-shard index, where counts are exact)
and `sum_other_doc_count` (occurrences of the values not listed).

The helpers for account buckets and value counts are shared with `search.lookup` (`url`, `account`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from common.errors import UnknownField, UsageError
from search import profiles
from search.query import And, Operator, date_bound, operator_text, parse_query
from search.query_context import query_for
from search.quote import ACCOUNTS_PRECISION
from search.tweets import SORTS, partial_reason

if TYPE_CHECKING:
    from collections.abc import Mapping

    from elasticsearch import Elasticsearch
    from elasticsearch.dsl.aggs import Agg

FIELDS: dict[str, str] = {
    "hashtags": "hashtags",
    "domains": "url_domains",
    "hosts": "url_hosts",
    "urls": "urls",
    "accounts": "userid",
    "clients": "tweet_client_name",
    "languages": "tweet_language",
    "campaigns": "campaign",
    "mentions": "mention_names",
}
"""What `top` can count, by the name a user types, and the index field counted. Accounts are counted by
`userid`: screen names change, are missing or hashed, and the same name can belong to two accounts; the
newest screen name is shown beside each id."""

INTERVALS: tuple[str, ...] = ("day", "week", "month", "year")
INTERVAL_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}
"""The average length of each interval, for estimating bucket counts and drawing bar widths."""
MAX_BUCKETS = 20_000
"""A timeline longer than this is refused before asking (the server's own limit is 65,536 buckets)."""
MAX_TERMS = 10_000
SPLITS: dict[str, str] = {"campaign": "campaign"}
"""What `timeline --by` can split the series by, and the index field split on."""
MAX_CAMPAIGNS = 10_000
"""More campaigns than this among the matching tweets is refused rather than drawn with some left out (the
published archives hold a few hundred at most)."""
NO_CAMPAIGN = "(none)"
"""The campaign of matching tweets that have none (a file name that named no campaign)."""
_LABELS = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


@dataclass(frozen=True)
class Count:
    """One value and how many tweets carry it; `percent` is of the tweets counted over (matching tweets).

    `error` is the server's upper bound on how far `count` may be under (0: exact). For accounts `value` is
    the userid and `screen_name` the newest screen name seen for it.
    """

    value: str
    count: int
    percent: float
    error: int = 0
    screen_name: str | None = None


@dataclass(frozen=True)
class TopResult:
    """The most frequent values of `field` among the tweets matching `query`.

    `tweets` is the number of matching tweets, `without_value` how many of them have no value for the field.
    A tweet with several values counts once for each, so percents need not add up to 100. `other` is the
    occurrences of values not listed; `error_bound` the server's `doc_count_error_upper_bound`, so
    `counts_exact` is the server's word, not a guess. `distinct` is the number of different values,
    an estimate when `distinct_exact` is False.
    """

    field: str
    index_field: str
    query: str
    tweets: int
    without_value: int
    distinct: int
    distinct_exact: bool
    counts: list[Count]
    other: int
    error_bound: int
    counts_exact: bool
    took_ms: int = 0
    partial_reason: str | None = None


@dataclass(frozen=True)
class Bucket:
    """Tweets in one interval starting at `start` (UTC); `label` is the start as the interval reads it.

    In a series split by campaign, `campaigns` holds the interval's tweets per campaign, every campaign of the
    series named (zeros included) so that each interval reads the same and the counts add up to `count`.
    """

    start: datetime
    label: str
    count: int
    campaigns: dict[str, int] | None = None


def last_day_label(bucket: Bucket, interval: str) -> str:
    """The interval's last day, as its label reads: a week labelled by its Monday ends on the Sunday after.

    A month, a year or a day names itself whole, so its label is its own end."""
    if interval == "week":
        return (bucket.start + timedelta(days=6)).strftime(_LABELS["week"])
    return bucket.label


@dataclass(frozen=True)
class Timeline:
    """Matching tweets per interval, gaps included as zeros, from the first to the last bucket with tweets.

    A `since:` or `until:` in the query extends the buckets to that bound. `without_time` counts matching
    tweets that have no time and so are in no bucket. `indices` are the indices that answered behind
    `alias` and `campaigns` the matching tweets per campaign (most first), both from the same request as the
    counts, so a picture's source line names what was counted even if the alias moved meanwhile. `by` is
    what each bucket is split by (`campaign`), or None.
    """

    query: str
    interval: str
    tweets: int
    without_time: int
    first: datetime | None
    last: datetime | None
    buckets: list[Bucket]
    took_ms: int = 0
    partial_reason: str | None = None
    alias: str = ""
    indices: list[str] = field(default_factory=list)
    campaigns: dict[str, int] = field(default_factory=dict)
    by: str | None = None


# --------------------------------------------------------------------------------------------------------------
# Shared pieces (also used by search.lookup).


def field_for(name: str) -> str:
    """The index field behind a `top` field name (case-insensitive, singular accepted), or `UnknownField`."""
    key = name.strip().lower()
    for candidate in (key, key + "s", key + "es"):
        if candidate in FIELDS:
            return FIELDS[candidate]
    raise UnknownField(f'unknown field "{name}"; choose one of: {", ".join(FIELDS)}')


def request_aggs(named: Mapping[str, Agg]) -> dict[str, Any]:
    """A request's `aggs`: aggregations built with the client's DSL (`elasticsearch.dsl.aggs`, imported where
    a request is built, as `search.query` does), sent as their `to_dict()`."""
    return {name: agg.to_dict() for name, agg in named.items()}


def terms_agg(field: str, size: int, *, include: str | None = None, names_from_tweets: bool = True) -> Agg:
    """A terms aggregation that also reports each bucket's error bound; accounts carry their screen name from
    their newest tweet unless `names_from_tweets` is False (the caller then asks `search.profiles`, far cheaper,
    and hands the names to `counts_from`).

    `include` is a Lucene regular expression the values must match.
    """
    from elasticsearch.dsl import aggs

    terms = aggs.Terms(field=field, size=size, show_term_doc_count_error=True)
    if include is not None:
        terms.include = include
    if field == "userid" and names_from_tweets:
        terms.bucket("name", "top_hits", size=1, sort=SORTS["newest"], _source=["user_screen_name"])
    return terms


def counts_from(agg: dict[str, Any], total: int, names: Mapping[str, str] | None = None) -> list[Count]:
    """The buckets of a `terms_agg` as counts, `percent` of `total`; accounts named from `names` when given."""
    counts = []
    for bucket in agg["buckets"]:
        if names is not None:
            screen_name = names.get(str(bucket["key"]))
        else:
            named = bucket.get("name", {}).get("hits", {}).get("hits", [])
            screen_name = named[0]["_source"].get("user_screen_name") if named else None
        counts.append(
            Count(
                value=str(bucket["key"]),
                count=bucket["doc_count"],
                percent=round(100 * bucket["doc_count"] / total, 2) if total else 0.0,
                error=bucket.get("doc_count_error_upper_bound", 0),
                screen_name=screen_name,
            )
        )
    return counts


def parse_time(value: str | None) -> datetime | None:
    """A time as the server writes it in aggregations (ISO 8601 with offset), or None."""
    return datetime.fromisoformat(value) if value else None


# --------------------------------------------------------------------------------------------------------------
# top


def account_names(es: Elasticsearch, alias: str, agg: dict[str, Any]) -> dict[str, str]:
    """The screen names of a userid terms aggregation's accounts, from the accounts index."""
    return profiles.screen_names(es, alias, (str(bucket["key"]) for bucket in agg["buckets"]))


def top_values(es: Elasticsearch, alias: str, field: str, query_text: str = "", *, limit: int = 10) -> TopResult:
    """The `limit` most frequent values of `field` (a name in `FIELDS`) among tweets matching `query_text`.

    The top accounts of the whole archive (no query) are read from the accounts index when its counts add up
    to the tweets (`_archive_accounts`). Otherwise two searches: the terms aggregation with the distinct count,
    and the count of tweets without a value (a `must_not exists` count, which the server answers from its index
    structures in a few milliseconds where a `missing` aggregation visits every tweet: ~200 ms at 10M). Raises
    `UnknownField` for a field not in `FIELDS`, `QuerySyntaxError` for a malformed query.
    """
    index_field = field_for(field)
    if not 1 <= limit <= MAX_TERMS:
        raise UsageError(f"the limit must be between 1 and {MAX_TERMS:,}, not {limit}")
    from elasticsearch.dsl import A

    name = next(key for key, value in FIELDS.items() if value == index_field)
    with_profiles = index_field == "userid" and profiles.available(es, alias)
    if with_profiles and not query_text.strip():
        whole = _archive_accounts(es, alias, name, limit)
        if whole is not None:
            return whole
    query = query_for(es, alias, query_text)
    aggs_body = {
        "top": terms_agg(index_field, limit, names_from_tweets=not with_profiles),
        "distinct": A("cardinality", field=index_field, precision_threshold=ACCOUNTS_PRECISION),
    }
    without = {"bool": {"filter": [query], "must_not": [{"exists": {"field": index_field}}]}}
    answer = es.search(index=alias, query=query, size=0, track_total_hits=True, aggs=request_aggs(aggs_body)).body
    missing = es.search(index=alias, query=without, size=0, track_total_hits=True).body
    tweets = answer["hits"]["total"]["value"]
    aggs = answer["aggregations"]
    error_bound = aggs["top"].get("doc_count_error_upper_bound", 0)
    return TopResult(
        field=name,
        index_field=index_field,
        query=query_text,
        tweets=tweets,
        without_value=missing["hits"]["total"]["value"],
        distinct=aggs["distinct"]["value"],
        distinct_exact=aggs["distinct"]["value"] <= ACCOUNTS_PRECISION,
        counts=counts_from(aggs["top"], tweets, account_names(es, alias, aggs["top"]) if with_profiles else None),
        other=aggs["top"].get("sum_other_doc_count", 0),
        error_bound=error_bound,
        counts_exact=error_bound == 0,
        took_ms=answer.get("took", 0) + missing.get("took", 0),
        partial_reason=partial_reason(answer) or partial_reason(missing),
    )


def _archive_accounts(es: Elasticsearch, alias: str, name: str, limit: int) -> TopResult | None:
    """The top accounts of the whole archive from the accounts index (`profiles.account_totals`), or None when
    its counts do not add up to the tweets index's: it was written from another number of tweets (a load
    stopped before it), or some tweets have a userid but no campaign and so no account. The caller then
    counts over the tweets, which always answers."""
    without = {"bool": {"must_not": [{"exists": {"field": "userid"}}]}}
    everything = es.search(index=alias, size=0, track_total_hits=True).body
    missing = es.search(index=alias, query=without, size=0, track_total_hits=True).body
    tweets, without_value = everything["hits"]["total"]["value"], missing["hits"]["total"]["value"]
    totals = profiles.account_totals(es, alias, limit, ACCOUNTS_PRECISION)
    if totals.derived_from != tweets or totals.tweets != tweets - without_value:
        return None
    names = profiles.screen_names(es, alias, (userid for userid, _ in totals.counts))
    listed = sum(count for _, count in totals.counts)
    return TopResult(
        field=name,
        index_field="userid",
        query="",
        tweets=tweets,
        without_value=without_value,
        distinct=totals.distinct,
        distinct_exact=totals.distinct <= ACCOUNTS_PRECISION,
        counts=[
            Count(
                value=userid,
                count=count,
                percent=round(100 * count / tweets, 2) if tweets else 0.0,
                screen_name=names.get(userid),
            )
            for userid, count in totals.counts
        ],
        other=totals.tweets - listed,
        error_bound=0,
        counts_exact=True,
        took_ms=everything.get("took", 0) + missing.get("took", 0) + totals.took_ms,
        partial_reason=partial_reason(everything) or partial_reason(missing) or totals.partial_reason,
    )


# --------------------------------------------------------------------------------------------------------------
# facets


FACETS: dict[str, str] = {
    "campaigns": "campaign",
    "languages": "lang",
    "clients": "client",
    "hashtags": "hashtag",
    "domains": "url",
    "mentions": "mention",
    "accounts": "userid",
}
"""The counts shown beside a search (a `FIELDS` name → the operator that selects one of its values)."""


@dataclass(frozen=True)
class Facet:
    """One field's most frequent values among the matching tweets, each with the query text that selects it
    (`refinements[i]` for `counts[i]`; None when the value cannot be written as an operator)."""

    field: str
    counts: list[Count]
    refinements: list[str | None]
    other: int


@dataclass(frozen=True)
class Facets:
    """The facets of the tweets matching `query`, from one request."""

    query: str
    tweets: int
    facets: list[Facet]
    took_ms: int = 0
    partial_reason: str | None = None


def facet_counts(es: Elasticsearch, alias: str, query_text: str = "", *, limit: int = 5) -> Facets:
    """The `limit` most frequent values of every field in `FACETS` among the tweets matching `query_text`, in one
    search: only the counts (no distinct count, no tweets without a value, which `top` gives), so a page can
    show them all beside its results. Accounts carry their screen names from the accounts index; the whole
    archive's come from it too (`top_values` says why)."""
    if not 1 <= limit <= MAX_TERMS:
        raise UsageError(f"the limit must be between 1 and {MAX_TERMS:,}, not {limit}")
    with_profiles = profiles.available(es, alias)
    whole_accounts = (
        _archive_accounts(es, alias, "accounts", limit) if with_profiles and not query_text.strip() else None
    )
    fields = {name: FIELDS[name] for name in FACETS if not (name == "accounts" and whole_accounts is not None)}
    named = {name: terms_agg(field, limit, names_from_tweets=not with_profiles) for name, field in fields.items()}
    answer = es.search(
        index=alias, query=query_for(es, alias, query_text), size=0, track_total_hits=True, aggs=request_aggs(named)
    ).body
    tweets = answer["hits"]["total"]["value"]
    found: dict[str, tuple[list[Count], int]] = {}
    for name in fields:
        agg = answer["aggregations"][name]
        names = account_names(es, alias, agg) if name == "accounts" and with_profiles else None
        found[name] = (counts_from(agg, tweets, names), agg.get("sum_other_doc_count", 0))
    if whole_accounts is not None:
        found["accounts"] = (whole_accounts.counts, whole_accounts.other)
    facets = [
        Facet(
            field=name,
            counts=found[name][0],
            refinements=[operator_text(FACETS[name], count.value) for count in found[name][0]],
            other=found[name][1],
        )
        for name in FACETS
    ]
    took = answer.get("took", 0) + (whole_accounts.took_ms if whole_accounts is not None else 0)
    return Facets(query=query_text, tweets=tweets, facets=facets, took_ms=took, partial_reason=partial_reason(answer))


# --------------------------------------------------------------------------------------------------------------
# timeline


def timeline(
    es: Elasticsearch, alias: str, query_text: str = "", *, interval: str = "month", by: str | None = None
) -> Timeline:
    """Matching tweets per `interval` (day, week, month or year; weeks start on Monday), in UTC.

    Empty intervals are zeros (`min_doc_count: 0`); a `since:`/`until:` in the query extends the buckets to
    its bounds. With `by="campaign"` each bucket also holds its tweets per campaign (a terms aggregation under
    the histogram, sized to hold every campaign, so the counts are exact and add up to the bucket's).

    The tweets without a time, and those without a campaign, are what the buckets leave over: a tweet has at
    most one time and one campaign, every bucket is returned and the total is exact, so the differences are
    exact too, and cost nothing, where a `missing` aggregation for each would visit every matching tweet again
    (~40 and ~80 ms at 10M tweets).
    Raises `UsageError` for an unknown interval or split, a range that would need more than `MAX_BUCKETS`, or
    more than `MAX_CAMPAIGNS` campaigns.
    """
    if interval not in INTERVALS:
        raise UsageError(f'unknown interval "{interval}"; choose one of: {", ".join(INTERVALS)}')
    if by is not None and by not in SPLITS:
        raise UsageError(f'cannot split by "{by}"; choose one of: {", ".join(SPLITS)}')
    from elasticsearch.dsl import A

    over_time = A("date_histogram", field="tweet_time", calendar_interval=interval, time_zone="UTC", min_doc_count=0)
    low, high = query_bounds(query_text)
    if low is not None and high is not None and low > high:
        low = high = None  # nothing can match; let the server say so with no buckets
    if low is not None and ((high or datetime.now(UTC)) - low).days / INTERVAL_DAYS[interval] > MAX_BUCKETS:
        raise UsageError(f"since: is too far back to draw by {interval}; use a longer interval")
    bounds = {key: _millis(moment) for key, moment in (("min", low), ("max", high)) if moment is not None}
    if bounds:
        over_time.extended_bounds = bounds
    if by is not None:
        over_time.bucket("split", "terms", field=SPLITS[by], size=MAX_CAMPAIGNS)
    answer = es.search(
        index=alias,
        query=query_for(es, alias, query_text),
        size=0,
        track_total_hits=True,
        aggs=request_aggs(
            {
                "timeline": over_time,
                "first": A("min", field="tweet_time"),
                "last": A("max", field="tweet_time"),
                "campaigns": A("terms", field="campaign", size=MAX_CAMPAIGNS),
                "indices": A("terms", field="_index", size=100),
            }
        ),
    ).body
    aggs = answer["aggregations"]
    tweets = answer["hits"]["total"]["value"]
    if aggs["campaigns"].get("sum_other_doc_count", 0):
        raise UsageError(f"more than {MAX_CAMPAIGNS:,} campaigns match; narrow the query with campaign:")
    campaigns = {str(raw["key"]): raw["doc_count"] for raw in aggs["campaigns"]["buckets"]}
    if without_campaign := tweets - sum(campaigns.values()):
        campaigns[NO_CAMPAIGN] = without_campaign
    buckets = [
        Bucket(
            start=start,
            label=start.strftime(_LABELS[interval]),
            count=raw["doc_count"],
            campaigns=_split(raw, campaigns) if by is not None else None,
        )
        for raw in aggs["timeline"]["buckets"]
        for start in [datetime.fromtimestamp(raw["key"] / 1000, tz=UTC)]
    ]
    return Timeline(
        query=query_text,
        interval=interval,
        tweets=tweets,
        without_time=tweets - sum(bucket.count for bucket in buckets),
        first=parse_time(aggs["first"].get("value_as_string")),
        last=parse_time(aggs["last"].get("value_as_string")),
        buckets=buckets,
        took_ms=answer.get("took", 0),
        partial_reason=partial_reason(answer),
        alias=alias,
        indices=sorted(str(raw["key"]) for raw in aggs["indices"]["buckets"]),
        campaigns=campaigns,
        by=by,
    )


def _split(raw: dict[str, Any], campaigns: dict[str, int]) -> dict[str, int]:
    """One histogram bucket's tweets per campaign, in the series' campaign order; tweets with no campaign are
    what the terms leave over (the terms hold every campaign, which is checked, so nothing else can be)."""
    split = raw["split"]
    if split.get("sum_other_doc_count", 0):
        raise UsageError(f"more than {MAX_CAMPAIGNS:,} campaigns match; narrow the query with campaign:")
    counts = dict.fromkeys(campaigns, 0)
    for term in split["buckets"]:
        counts[str(term["key"])] = term["doc_count"]
    rest = raw["doc_count"] - sum(counts.values())
    if rest or NO_CAMPAIGN in counts:
        counts[NO_CAMPAIGN] = rest
    return counts


def timeline_columns(series: Timeline) -> tuple[list[str], list[dict[str, Any]]]:
    """The series as flat rows for CSV: `start, label, count` per interval and, split by campaign, one more
    column per campaign named `campaign:NAME` (as the query would select it, and never clashing with the
    first three), its counts adding up to `count`."""
    names = list(series.campaigns) if series.by is not None else []
    columns = ["start", "label", "count", *(f"{series.by}:{name}" for name in names)]
    rows = []
    for bucket in series.buckets:
        row: dict[str, Any] = {"start": bucket.start.isoformat(), "label": bucket.label, "count": bucket.count}
        for name in names:
            row[f"{series.by}:{name}"] = (bucket.campaigns or {}).get(name, 0)
        rows.append(row)
    return columns, rows


def query_bounds(query_text: str) -> tuple[datetime | None, datetime | None]:
    """The `since:` and `until:` the whole query is held to (top-level, not under OR or -), as UTC times.

    `until:` is exclusive, so its bound is a millisecond before it; a bound not given is None.
    """
    if not query_text.strip():
        return None, None
    node = parse_query(query_text)
    parts = node.children if isinstance(node, And) else (node,)
    found = {part.name: part.value for part in parts if isinstance(part, Operator) and part.name in ("since", "until")}
    low = datetime.fromisoformat(date_bound(found["since"])) if "since" in found else None
    high = datetime.fromisoformat(date_bound(found["until"])) - timedelta(milliseconds=1) if "until" in found else None
    return low, high


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
