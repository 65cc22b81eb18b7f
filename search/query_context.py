"""A query text made into the request for one index: parsed, completed with what only the server knows, built.

`search.query` is pure: it parses and builds. Two things it cannot know are found here, with one request each,
and only when the query needs them:

* whether the index has the `is_reply`/`has_links` flags (`search.query.FLAG_FIELDS`), which make
  `-filter:replies` and `-filter:links` positive filters; an index loaded before they existed gets the
  `must_not` it always had, so an older index answers the same, only slower;
* which accounts the profile operators (`bio:`, `name:`, `location:`) match, in the accounts index beside the
  tweets (`indexer.accounts`), so that the tweets query holds their ids.

Every library function that searches with a user's query builds it through `query_for`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.errors import IndexNotFound, PartialResults, UsageError
from common.mapping import accounts_alias
from search import profiles
from search.query import (
    FLAG_FIELDS,
    PROFILE_FIELDS,
    AccountKey,
    Node,
    Operator,
    QueryContext,
    build_query,
    describe,
    filters_in,
    match_all,
    parse_query,
    profile_operators,
)

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

MAX_PROFILE_ACCOUNTS = 10_000
"""Most accounts one profile operator may stand for: their ids go into the tweets query (the server takes up to
65,536 terms in one clause, and reads at most 10,000 hits in one page). Past it the query is refused, never cut."""


def query_for(es: Elasticsearch, alias: str, text: str) -> dict[str, Any]:
    """The Elasticsearch query for `text` (blank: every tweet) on the index behind `alias`."""
    if not text.strip():
        return match_all()
    node = parse_query(text)
    return build_query(node, context_for(es, alias, node))


def context_for(es: Elasticsearch, alias: str, node: Node) -> QueryContext:
    """What `build_query` needs to know about the index for this query; no request when it needs nothing."""
    flags: frozenset[str] = frozenset()
    if filters_in(node) & FLAG_FIELDS.keys():
        flags = _flags_present(es, alias)
    operators = profile_operators(node)
    return QueryContext(flags=flags, accounts=_matching_accounts(es, alias, operators) if operators else {})


def _flags_present(es: Elasticsearch, alias: str) -> frozenset[str]:
    """The flag fields every index behind `alias` maps (a field missing from one index is not used at all)."""
    answer = es.field_caps(index=alias, fields=list(FLAG_FIELDS.values()), include_unmapped=True).body
    caps = answer.get("fields", {})
    return frozenset(name for name in FLAG_FIELDS.values() if name in caps and "unmapped" not in caps[name])


def _check_accounts_current(es: Elasticsearch, alias: str, operator: Operator) -> None:
    """Refuses a profile operator when the accounts were derived from another number of tweets than the index
    holds: a load stopped before it wrote them (or still running) would leave its new accounts unmatched."""
    derived = profiles.derived_from(es, alias)
    tweets = es.count(index=alias).body["count"]
    if derived is not None and derived != tweets:
        raise PartialResults(
            f"{describe(operator)}: the accounts index was written from {derived:,} tweets, but the index "
            f"now holds {tweets:,} (a load was stopped, or is running): finish the load (`tweetsearch index ... "
            "--resume`), then search again"
        )


def _matching_accounts(
    es: Elasticsearch, alias: str, operators: list[Operator]
) -> dict[Operator, tuple[AccountKey, ...]]:
    """The (campaign, userid) of the accounts each profile operator matches, in one round trip."""
    accounts = accounts_alias(alias)
    if not profiles.available(es, alias):
        raise IndexNotFound(
            f"{operators[0].name}: searches the accounts index ({accounts}), which this index does not have: it "
            "was loaded by an earlier version of tweetsearch; load it again with `tweetsearch index --rebuild`"
        )
    _check_accounts_current(es, alias, operators[0])
    searches: list[dict[str, Any]] = []
    for operator in operators:
        kind = "prefix" if operator.prefix else "match_phrase"
        searches += [
            {"index": accounts},
            {
                "query": {kind: {PROFILE_FIELDS[operator.name]: operator.value}},
                "size": MAX_PROFILE_ACCOUNTS,
                "track_total_hits": True,
                "_source": ["campaign", "userid"],
            },
        ]
    answers = es.msearch(searches=searches).body["responses"]
    found: dict[Operator, tuple[AccountKey, ...]] = {}
    for operator, answer in zip(operators, answers, strict=True):
        if "error" in answer or answer["_shards"].get("failed") or answer.get("timed_out"):
            raise PartialResults(f"the accounts index could not answer {describe(operator)} completely")
        total = answer["hits"]["total"]["value"]
        if total > MAX_PROFILE_ACCOUNTS:
            raise UsageError(
                f"{describe(operator)} matches {total:,} accounts; a profile operator can stand for at most "
                f"{MAX_PROFILE_ACCOUNTS:,}: add words to narrow it"
            )
        found[operator] = tuple(
            (hit["_source"]["campaign"], hit["_source"]["userid"]) for hit in answer["hits"]["hits"]
        )
    return found
