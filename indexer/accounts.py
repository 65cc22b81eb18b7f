"""The accounts index: one document per account and release, derived from the tweets after every load.

The archives repeat an account's profile (display name, description, location, profile URL, counts) on every
one of its tweets. Analysed there, it cost the server the same work millions of times over for a few thousand
accounts; the tweets index now keeps it in `_source` only, and this module indexes it once per account, in
the accounts index that belongs to the tweets index (`common.mapping.accounts_index_for`). The profile
operators (`bio:`, `name:`, `location:`) search it.

It is derived from the tweets index rather than written during the load, so a resumed, appended or rebuilt
load gives the same accounts as a single clean one: every account in the index is written again (same `_id`,
campaign/userid), from a composite aggregation over all its tweets. An account's profile is the one its newest
tweet carries, as `tweetsearch account` has always reported it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from common.errors import BulkFailed
from common.mapping import accounts_index_for, create_accounts_index
from common.records import ACCOUNT_COLUMNS

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PROFILE_FIELDS: tuple[str, ...] = tuple(column for column in ACCOUNT_COLUMNS if column != "userid")
"""The tweet fields that describe the account (the archives' account columns), copied from its newest tweet."""
PAGE_SIZE = 1000
"""Accounts per aggregation page (each carries its newest tweet's profile)."""


@dataclass(frozen=True)
class AccountsSummary:
    """What `index_accounts` did: the accounts index it wrote and how many accounts it holds."""

    index: str
    accounts: int


def index_accounts(es: Elasticsearch, tweets_index: str, *, replicas: int | None = None) -> AccountsSummary:
    """Writes (or rewrites) the accounts of `tweets_index` into its accounts index, creating it if needed, and
    records in the accounts index's `_meta.tweets` how many tweets they were derived from: a search with a
    profile operator refuses to run when the tweets no longer number that (a load stopped half-way)."""
    name = accounts_index_for(tweets_index)
    if not es.indices.exists(index=name):
        create_accounts_index(es, name, replicas=replicas)
    tweets = es.count(index=tweets_index).body["count"]
    written = 0
    for page in _account_pages(es, tweets_index):
        operations: list[dict[str, Any]] = []
        for document in page:
            operations += [{"index": {"_id": f"{document['campaign']}/{document['userid']}"}}, document]
        answer = es.bulk(index=name, operations=operations, refresh=False).body
        if answer.get("errors"):
            failed = next(item["index"] for item in answer["items"] if item["index"].get("error"))
            reason = (
                failed["error"].get("reason", failed["error"]) if isinstance(failed["error"], dict) else failed["error"]
            )
            raise BulkFailed(f"the accounts index {name} refused account {failed['_id']}: {reason}")
        written += len(page)
    es.indices.refresh(index=name)
    meta = es.indices.get_mapping(index=name).body[name]["mappings"].get("_meta", {})
    es.indices.put_mapping(index=name, meta={**meta, "tweets": tweets})
    return AccountsSummary(index=name, accounts=written)


def _account_pages(es: Elasticsearch, tweets_index: str) -> Iterator[list[dict[str, Any]]]:
    """Every (campaign, userid) of the tweets index, a page at a time, as accounts documents."""
    after: dict[str, Any] | None = None
    while True:
        composite: dict[str, Any] = {
            "size": PAGE_SIZE,
            "sources": [{"campaign": {"terms": {"field": "campaign"}}}, {"userid": {"terms": {"field": "userid"}}}],
        }
        if after is not None:
            composite["after"] = after
        answer = es.search(
            index=tweets_index,
            size=0,
            aggs={
                "accounts": {
                    "composite": composite,
                    "aggs": {
                        "newest": {
                            "top_hits": {
                                "size": 1,
                                "sort": [{"tweet_time": {"order": "desc"}}, {"tweetid": {"order": "desc"}}],
                                "_source": {"includes": list(PROFILE_FIELDS)},
                            }
                        },
                        "first": {"min": {"field": "tweet_time"}},
                        "last": {"max": {"field": "tweet_time"}},
                    },
                }
            },
        ).body
        if answer["_shards"].get("failed") or answer.get("timed_out"):
            raise BulkFailed(
                f"the accounts of {tweets_index} could not be read from every shard; "
                "run the same load again with --resume to write them"
            )
        aggregation = answer["aggregations"]["accounts"]
        buckets = aggregation["buckets"]
        if not buckets:
            return
        yield [account_document(bucket) for bucket in buckets]
        after = aggregation.get("after_key")
        if after is None:
            return


def account_document(bucket: dict[str, Any]) -> dict[str, Any]:
    """One composite bucket as the accounts document: its keys, its newest tweet's profile, its tweet count and
    active period. Fields the archive left empty stay out, as in the tweets index."""
    newest = bucket["newest"]["hits"]["hits"][0]["_source"]
    document: dict[str, Any] = {"campaign": bucket["key"]["campaign"], "userid": bucket["key"]["userid"]}
    document.update((name, newest[name]) for name in PROFILE_FIELDS if newest.get(name) is not None)
    document["tweets"] = bucket["doc_count"]
    for key, name in (("first", "first_tweet"), ("last", "last_tweet")):
        if bucket[key].get("value_as_string"):
            document[name] = bucket[key]["value_as_string"]
    return document
