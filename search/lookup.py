"""Everything about one URL or one account, each in a single search request with aggregations.

`url_report`: who shared a link (or any link on a site), when first and last, how often, in which campaigns,
and which addresses under it were shared most. The input is normalised exactly as `url:` in a query is (the
indexer's own `common.urls.analyse_url`, scheme aside), so `https://www.example.com/a/?utm_source=x` finds the
tweets that shared `example.com/a`, and `url X` counts the same tweets as `search 'url:X' --count`. A URL finds
its page however it was linked (`search.pages`): with more parameters, in another order, or in another of
the forms its site uses (`youtu.be/ID` is `youtube.com/watch?v=ID`). When no tweet shares the page but some
share its host and path with other parameters, the report says how many and which command lists them, rather
than a bare "none": a fact-checker who pasted one variant of a link should not conclude nobody shared it.

`account_report`: an account's profile as its newest tweet gives it (read from the accounts index beside the
tweets, `indexer.accounts`, or from that tweet on an index loaded before there was one), its active period,
its tweets per language, hashtag, domain, client and campaign. A screen name (any case, `@` optional) or a
userid (numeric or hashed) is accepted; when a screen name belongs to several accounts the one with most
tweets is reported and the others are listed.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from common.errors import AddressTooLong, NotAUrl, NotFound, QuerySyntaxError, UsageError
from common.records import ACCOUNT_COLUMNS
from common.urls import registered_domain
from search import profiles
from search.aggregate import Count, account_names, counts_from, request_aggs, terms_agg
from search.pages import Page, address_regexp, recognise, split_address
from search.query import SHORTENED, Operator, build_query, normalise_url_value, shortened_hint
from search.quote import ACCOUNTS_PRECISION, CAMPAIGN_BUCKETS
from search.tweets import DISPLAY_FIELDS, SORTS, Hit, hit_from, partial_reason

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from elasticsearch.dsl.aggs import Agg

UrlKind = Literal["url", "host", "domain"]
PROFILE_FIELDS = list(ACCOUNT_COLUMNS)
"""The fields of a tweet that describe its account (the archives' account columns)."""
OTHER_URLS_COUNTED = 1000
"""Most distinct addresses counted for the "other parameters" hint; past it the count is a lower bound."""
NAMESAKES = 5
"""How many accounts answering to the same name are looked at (a screen name can be reused)."""


@dataclass(frozen=True)
class UrlTarget:
    """What was asked: `value` is the normalised address without its scheme (`example.com/a`) or a bare host;
    `page` the known page it is a form of (then every form of it is counted), if any."""

    text: str
    kind: UrlKind
    value: str
    page: Page | None = None


@dataclass(frozen=True)
class OtherParameters:
    """Tweets that link `address` (the asked URL's host and path) with other parameters than those asked,
    reported when none links the asked page: `tweets`, in `urls` distinct addresses (at least that many when
    `urls_exact` is False), and the `command` that lists them."""

    address: str
    tweets: int
    urls: int
    urls_exact: bool
    command: str


@dataclass(frozen=True)
class UrlReport:
    """The tweets sharing `target`: how many, by how many accounts (`accounts_total`, an estimate when
    `accounts_exact` is False), the first and last of them, the top accounts, every campaign, and the most
    shared normalised URLs matching it (for a domain: the pages under it; for a URL: the forms it took).
    `urls_other` counts tweets' shares of matching URLs not listed. When no tweet shares it, `tweets` is 0 and
    `other_parameters` says how many link the same host and path with other parameters."""

    target: UrlTarget
    tweets: int
    accounts_total: int
    accounts_exact: bool
    first: Hit | None
    last: Hit | None
    accounts: list[Count]
    campaigns: list[Count]
    urls: list[Count]
    urls_other: int
    took_ms: int = 0
    partial_reason: str | None = None
    other_parameters: OtherParameters | None = None


@dataclass(frozen=True)
class Profile:
    """The account as described in its newest tweet's row (the archives repeat the profile on every row)."""

    userid: str
    screen_name: str | None
    display_name: str | None
    description: str | None
    location: str | None
    profile_url: str | None
    followers: int | None
    following: int | None
    created: date | None
    account_language: str | None


@dataclass(frozen=True)
class AccountReport:
    """One account's activity. `namesakes` are other accounts that answer to the same name or id, by tweets."""

    asked: str
    profile: Profile
    tweets: int
    retweets: int
    first: Hit | None
    last: Hit | None
    languages: list[Count]
    hashtags: list[Count]
    domains: list[Count]
    clients: list[Count]
    campaigns: list[Count]
    namesakes: list[Count]
    took_ms: int = 0
    partial_reason: str | None = None


# --------------------------------------------------------------------------------------------------------------
# url


def url_target(text: str) -> UrlTarget:
    """Classify and normalise a URL, host or domain as `url:` does; `NotAUrl` for anything else.

    A blank text, or one with a space inside, is refused too: a link has no spaces (`%20`), so such text is a
    sentence or a paste gone wrong, and searching for part of it would answer a question nobody asked.
    """
    stripped = text.strip()
    if not stripped:
        raise NotAUrl("give a web address (such as example.com/page) or a domain (such as example.com)")
    if any(ch.isspace() for ch in stripped):
        raise NotAUrl(f'"{text}" has a space in it; a web address has none (a space in a link is written %20)')
    try:
        value, _ = normalise_url_value(stripped, False, 0)
    except QuerySyntaxError as exc:
        if isinstance(exc.__cause__, AddressTooLong):
            raise NotAUrl(str(exc.__cause__)) from None
        raise NotAUrl(
            f'"{text}" is neither a web address nor a domain (such as example.com/page or example.com)'
        ) from None
    if "/" in value or "?" in value:
        return UrlTarget(text=text, kind="url", value=value, page=recognise(value))
    return UrlTarget(text=text, kind="domain" if registered_domain(value) == value else "host", value=value)


def url_pattern(target: UrlTarget) -> str:
    """A Lucene regular expression for the normalised URLs (`urls` field) that `target` covers.

    It follows `url:`'s rule: a site's URLs are those on it or any subdomain; a URL's are those of the page it
    names, under http or https, in any of its forms (`search.pages.address_regexp`).
    """
    if target.kind == "url":
        return address_regexp(target.value)
    literal = "".join(ch if ch.isalnum() else "\\" + ch for ch in target.value)
    return f"https?://([^/?#]*[.@])?{literal}(:[0-9]+)?([/?#].*)?"


def _older_form_hint(value: str) -> str:
    """For an address with escapes or a punycode host: an index loaded before such addresses had one form holds
    them as posted (`%d9%87`, `пример.рф`), which no search finds now; only a reload can tell, so say so."""
    if "%" not in value and "xn--" not in value:
        return ""
    return "; an index loaded before tweetsearch gave such addresses one form finds them after `index --rebuild`"


def url_report(es: Elasticsearch, alias: str, text: str, *, limit: int = 10) -> UrlReport:
    """Who shared the URL or site `text`, when, how often and where; `limit` accounts and URLs are listed.

    Raises `NotAUrl` for text that is no address, `NotFound` when no tweet shares it nor, for a URL with
    parameters, its host and path with other parameters (then the report has 0 tweets and says so).
    """
    from elasticsearch.dsl import A

    target = url_target(text)
    with_profiles = profiles.available(es, alias)
    answer = es.search(
        index=alias,
        query=build_query(Operator("url", target.value)),
        size=0,
        track_total_hits=True,
        aggs=request_aggs(
            {
                "first": _edge_tweet("oldest"),
                "last": _edge_tweet("newest"),
                "accounts": terms_agg("userid", limit, names_from_tweets=not with_profiles),
                "accounts_total": A("cardinality", field="userid", precision_threshold=ACCOUNTS_PRECISION),
                "campaigns": terms_agg("campaign", CAMPAIGN_BUCKETS),
                "urls": terms_agg("urls", limit, include=url_pattern(target)),
            }
        ),
    ).body
    tweets = answer["hits"]["total"]["value"]
    partial = partial_reason(answer)
    other = None
    if not tweets and not partial:
        other, partial = _other_parameters(es, alias, target)
        if other is None and not partial:
            forms = f" (the {target.page.label}, in any of its forms)" if target.page else ""
            raise NotFound(f"no tweet shares {target.value}{forms}{_older_form_hint(target.value)}")
    aggs = answer["aggregations"]
    names = account_names(es, alias, aggs["accounts"]) if with_profiles else None
    return UrlReport(
        target=target,
        tweets=tweets,
        accounts_total=aggs["accounts_total"]["value"],
        accounts_exact=aggs["accounts_total"]["value"] <= ACCOUNTS_PRECISION,
        first=_edge_hit(aggs["first"]),
        last=_edge_hit(aggs["last"]),
        accounts=counts_from(aggs["accounts"], tweets, names),
        campaigns=counts_from(aggs["campaigns"], tweets),
        urls=counts_from(aggs["urls"], tweets),
        urls_other=aggs["urls"].get("sum_other_doc_count", 0),
        took_ms=answer.get("took", 0),
        partial_reason=partial,
        other_parameters=other,
    )


def _other_parameters(es: Elasticsearch, alias: str, target: UrlTarget) -> tuple[OtherParameters | None, str | None]:
    """The tweets linking the asked URL's host and path with other parameters, for a URL with parameters that
    names no known page (a known page's other parameters are already ignored); and the search's partial reason.
    """
    if target.kind != "url" or target.page is not None or not split_address(target.value).params:
        return None, None
    address = target.value.partition("?")[0]
    answer = es.search(
        index=alias,
        query=build_query(Operator("url", address)),
        size=0,
        track_total_hits=True,
        aggs=request_aggs({"urls": terms_agg("urls", OTHER_URLS_COUNTED, include=address_regexp(address))}),
    ).body
    tweets = answer["hits"]["total"]["value"]
    if not tweets:
        return None, partial_reason(answer)
    urls = answer["aggregations"]["urls"]
    other = OtherParameters(
        address=address,
        tweets=tweets,
        urls=len(urls["buckets"]),
        urls_exact=not urls.get("sum_other_doc_count", 0),
        command=f"tweetsearch url {shlex.quote(address)}",
    )
    return other, partial_reason(answer)


def _edge_tweet(order: Literal["oldest", "newest"], extra: list[str] | None = None) -> Agg:
    from elasticsearch.dsl import A

    return A("top_hits", size=1, sort=SORTS[order], _source=[*DISPLAY_FIELDS, *(extra or [])])


def _edge_hit(agg: dict[str, Any]) -> Hit | None:
    hits = agg["hits"]["hits"]
    return hit_from(hits[0]) if hits else None


# --------------------------------------------------------------------------------------------------------------
# account


def account_report(es: Elasticsearch, alias: str, name_or_id: str, *, limit: int = 10) -> AccountReport:
    """The account with screen name or userid `name_or_id`: profile, active period, counts per facet.

    `limit` values are listed per facet (campaigns: all). Raises `UsageError` for an empty name, `NotFound`
    when no tweet is by such an account.
    """
    asked = name_or_id.strip()
    name = asked.removeprefix("@").strip()
    if not name:
        raise UsageError("give a screen name (with or without @) or a userid")
    if SHORTENED in name:
        raise UsageError(shortened_hint(asked))
    from elasticsearch.dsl import A
    from elasticsearch.dsl import query as dsl

    clauses = [dsl.Term(user_screen_name=name)]
    if not asked.startswith("@"):
        clauses.append(dsl.Term(userid=name))
    facets = {
        "languages": terms_agg("tweet_language", limit),
        "hashtags": terms_agg("hashtags", limit),
        "domains": terms_agg("url_domains", limit),
        "clients": terms_agg("tweet_client_name", limit),
        "campaigns": terms_agg("campaign", CAMPAIGN_BUCKETS),
    }
    accounts = A("terms", field="userid", size=NAMESAKES)
    accounts.bucket("first", _edge_tweet("oldest"))
    accounts.bucket("last", _edge_tweet("newest", PROFILE_FIELDS))
    accounts.bucket("retweets", "filter", dsl.Term(is_retweet=True))
    for facet, agg in facets.items():
        accounts.bucket(facet, agg)
    answer = es.search(
        index=alias,
        query=dsl.Bool(should=clauses, minimum_should_match=1).to_dict(),
        size=0,
        aggs=request_aggs({"accounts": accounts}),
    ).body
    buckets = answer["aggregations"]["accounts"]["buckets"]
    if not buckets:
        raise NotFound(f'no account "{asked}" (neither a screen name nor a userid in the archive)')
    # An exact userid wins over a screen name that happens to be spelled the same; else the most active.
    chosen = next((bucket for bucket in buckets if bucket["key"] == name), buckets[0])
    tweets = chosen["doc_count"]
    newest = chosen["last"]["hits"]["hits"][0]["_source"]
    newest_profile = profiles.newest_profile(es, alias, chosen["key"]) if profiles.available(es, alias) else None
    return AccountReport(
        asked=asked,
        profile=_profile(newest_profile or newest, chosen["key"]),
        tweets=tweets,
        retweets=chosen["retweets"]["doc_count"],
        first=_edge_hit(chosen["first"]),
        last=_edge_hit(chosen["last"]),
        namesakes=[
            Count(value=bucket["key"], count=bucket["doc_count"], percent=0.0)
            for bucket in buckets
            if bucket is not chosen
        ],
        took_ms=answer.get("took", 0),
        partial_reason=partial_reason(answer),
        **{facet: counts_from(chosen[facet], tweets) for facet in facets},
    )


def _profile(source: dict[str, Any], userid: str) -> Profile:
    created = source.get("account_creation_date")
    return Profile(
        userid=source.get("userid") or userid,
        screen_name=source.get("user_screen_name"),
        display_name=source.get("user_display_name"),
        description=source.get("user_profile_description"),
        location=source.get("user_reported_location"),
        profile_url=source.get("user_profile_url"),
        followers=source.get("follower_count"),
        following=source.get("following_count"),
        created=date.fromisoformat(created[:10]) if created else None,
        account_language=source.get("account_language"),
    )


@dataclass(frozen=True)
class TweetRecord:
    """One archived tweet whole: as listings show it (`tweet`), every field the index keeps (`fields`, the
    per-language copy of the text left out) and the row as the release published it (`raw`), with the index it
    was found in."""

    tweet: Hit
    fields: dict[str, Any]
    raw: dict[str, Any]
    index: str


def tweet_record(es: Elasticsearch, alias: str, tweetid: str) -> TweetRecord:
    """The tweet `tweetid` in the indices behind `alias`, or `NotFound`."""
    if not (tweetid.isascii() and tweetid.isdigit()):
        raise UsageError(f"a tweet id is digits, not {tweetid!r}")
    answer = es.search(index=alias, query={"ids": {"values": [tweetid]}}, size=1, source_excludes=["lang"]).body
    hits = answer["hits"]["hits"]
    if not hits:
        raise NotFound(f"no tweet {tweetid} in {alias}")
    source = dict(hits[0]["_source"])
    raw = source.pop("raw", {}) or {}
    return TweetRecord(tweet=hit_from(hits[0]), fields=source, raw=raw, index=hits[0]["_index"])
