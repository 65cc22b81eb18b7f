"""What the accounts index beside the tweets (`indexer.accounts`) answers for a search: the screen names of a
list of accounts, and one account's profile.

A list of top accounts used to carry each account's screen name from a `top_hits` under every bucket: the
server then sorted all of each account's tweets by time to find the newest, which at 10M tweets costs more
than the counting itself. The accounts index holds the newest profile already, so the names are one small
request after the aggregation. An index loaded before the accounts index existed has no such alias; callers
then ask the tweets for the names as before (`available` says which).

The accounts index also counts each account's tweets, so the top accounts of the whole archive are read from
it (`account_totals`) rather than counted again over every tweet; `search.aggregate` uses them only when they
add up to the tweets the index holds, and counts over the tweets otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from common.mapping import MAX_RESULT_WINDOW, accounts_alias

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


def available(es: Elasticsearch, alias: str) -> bool:
    """Whether the tweets behind `alias` have their accounts index (through its alias, or the index itself when
    `alias` names an index loaded with `--index-name`)."""
    return bool(es.indices.exists(index=accounts_alias(alias)))


def screen_names(es: Elasticsearch, alias: str, userids: Iterable[str]) -> dict[str, str]:
    """userid → the screen name of its newest tweet, over every release it is in (accounts without one are
    left out). Raises `PartialResults` when a shard of the accounts index did not answer."""
    from search.tweets import whole_answer  # here: search.tweets imports this module (through query_context)

    wanted = sorted(set(userids))
    names: dict[str, str] = {}
    for at in range(0, len(wanted), MAX_RESULT_WINDOW):  # a network may name more accounts than a page holds
        chunk = wanted[at : at + MAX_RESULT_WINDOW]
        answer = whole_answer(  # a shard that did not answer would leave accounts nameless, silently
            es.search(
                index=accounts_alias(alias),
                size=len(chunk),
                query={"terms": {"userid": chunk}},
                sort=[{"last_tweet": {"order": "desc", "missing": "_last"}}],
                collapse={"field": "userid"},  # one hit per account: its release with the latest tweet
                source=["userid", "user_screen_name"],
            ).body
        )
        sources = [hit["_source"] for hit in answer["hits"]["hits"]]
        names.update((s["userid"], s["user_screen_name"]) for s in sources if s.get("user_screen_name"))
    return names


def newest_profile(es: Elasticsearch, alias: str, userid: str) -> dict[str, Any] | None:
    """The accounts document of `userid` in the release where it tweeted last, or None without one."""
    answer = es.search(
        index=accounts_alias(alias),
        size=1,
        query={"term": {"userid": userid}},
        sort=[{"last_tweet": {"order": "desc", "missing": "_last"}}],
    ).body
    hits = answer["hits"]["hits"]
    return hits[0]["_source"] if hits else None


def derived_from(es: Elasticsearch, alias: str) -> int | None:
    """How many tweets the accounts behind `alias` were written from (each accounts index's `_meta.tweets`,
    summed), or None when one does not record it (an index written before it did): what tells accounts that
    match the tweets from accounts a stopped load left behind."""
    mappings = es.indices.get_mapping(index=accounts_alias(alias)).body.values()
    derived = [mapping["mappings"].get("_meta", {}).get("tweets") for mapping in mappings]
    return None if None in derived else sum(derived)


@dataclass(frozen=True)
class AccountTotals:
    """Tweets per account over the whole archive, as the accounts index counts them.

    `counts` are (userid, tweets), most tweets first and then by userid, as a terms aggregation over the tweets
    orders them; `tweets` is the tweets the accounts hold in all, `derived_from` the number of tweets the
    accounts index was written from (its `_meta.tweets`, None for an index that does not record it), and
    `partial_reason` why the answer is incomplete, if it is.
    """

    counts: list[tuple[str, int]]
    distinct: int
    tweets: int
    derived_from: int | None
    took_ms: int
    partial_reason: str | None = None


def account_totals(es: Elasticsearch, alias: str, limit: int, precision: int) -> AccountTotals:
    """The `limit` accounts with the most tweets in the whole archive, from the accounts index: a few thousand
    documents, where the same count over the tweets visits every one of them (~0.5 s at 10M tweets). An account
    in several releases has one document in each, summed here. `precision` is the distinct count's
    `precision_threshold`, as the count over the tweets uses it."""
    from search.tweets import partial_reason  # here: search.tweets imports this module (through query_context)

    accounts = accounts_alias(alias)
    answer = es.search(
        index=accounts,
        size=0,
        aggs={
            "top": {
                "terms": {"field": "userid", "size": limit, "order": [{"tweets": "desc"}, {"_key": "asc"}]},
                "aggs": {"tweets": {"sum": {"field": "tweets"}}},
            },
            "distinct": {"cardinality": {"field": "userid", "precision_threshold": precision}},
            "tweets": {"sum": {"field": "tweets"}},
        },
    ).body
    aggs = answer["aggregations"]
    return AccountTotals(
        counts=[(str(bucket["key"]), int(bucket["tweets"]["value"])) for bucket in aggs["top"]["buckets"]],
        distinct=aggs["distinct"]["value"],
        tweets=int(aggs["tweets"]["value"]),
        derived_from=derived_from(es, alias),
        took_ms=answer.get("took", 0),
        partial_reason=partial_reason(answer),
    )
