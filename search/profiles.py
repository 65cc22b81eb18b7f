"""What the accounts index beside the tweets (`indexer.accounts`) answers for a search: the screen names of a
list of accounts, and one account's profile.

A list of top accounts used to carry each account's screen name from a `top_hits` under every bucket: the
server then sorted all of each account's tweets by time to find the newest, which at 10M tweets costs more
than the counting itself. The accounts index holds the newest profile already, so the names are one small
request after the aggregation. An index loaded before the accounts index existed has no such alias; callers
then ask the tweets for the names as before (`available` says which).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from common.mapping import accounts_alias

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


def available(es: Elasticsearch, alias: str) -> bool:
    """Whether the tweets behind `alias` have their accounts index."""
    return bool(es.indices.exists_alias(name=accounts_alias(alias)))


def screen_names(es: Elasticsearch, alias: str, userids: Iterable[str]) -> dict[str, str]:
    """userid → the screen name of its newest tweet, over every release it is in (accounts without one are
    left out)."""
    wanted = sorted(set(userids))
    if not wanted:
        return {}
    answer = es.search(
        index=accounts_alias(alias),
        size=len(wanted),
        query={"terms": {"userid": wanted}},
        sort=[{"last_tweet": {"order": "desc", "missing": "_last"}}],
        collapse={"field": "userid"},  # one hit per account: its release with the latest tweet
        source=["userid", "user_screen_name"],
    ).body
    sources = [hit["_source"] for hit in answer["hits"]["hits"]]
    return {source["userid"]: source["user_screen_name"] for source in sources if source.get("user_screen_name")}


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
