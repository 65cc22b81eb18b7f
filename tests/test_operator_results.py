"""Every operator's answer, as the whole set of tweet ids, against an expectation computed without the builder.

A translation of the query language (`search.query`) may be rewritten for speed; this module is what says the
answers stayed the same. A generated release, plus a hand-written file of edge cases (a retweet flagged only
by its `RT @x:` text, an empty `is_retweet`, a reply, links only as t.co in the text, missing counts, times
and languages, mixed case), is loaded with `tweetsearch index`. For each query, the ids the server returns
(every match, through a point in time, not a page) must equal the set computed in Python from the documents
the indexer makes of the same files (`read_archive` then `to_document`), by evaluating the parsed query with
plain predicates: so the expectation shares the parser with the code under test, never the translation.
The query is built as the commands build it (`search.query_context.query_for`: the index's flags, the accounts
the profile operators match).

The profile operators (`bio:`, `name:`, `location:`) are expected to match the tweets of every account whose
profile, as its newest tweet gives it, holds the words in order; the words of each profile are the server's
`folded` analysis of it (the analysis is not what is under test, the way the accounts reach the tweets is).

Words, phrases, `word*` and the `url:` forms answered with a regular expression (pages with parameters, the
several addresses of a YouTube video) have no predicate here that would be simpler than the server's own
analysis; for those leaves the expectation is the answer of today's clause, written out literally in
`FROZEN` below, so a rewrite of their translation that changes an answer fails here too.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from archive_samples import newest_by_account

from common.records import TWEET_COLUMNS, TweetRecord
from generator.release import generate_release
from indexer.archive import read_archive
from indexer.document import to_document
from search.query import And, Node, Not, Operator, Phrase, Prefix, Term, parse_query
from search.query_context import query_for

TWEETS = 20_000
SEED = 5

# --- the release ------------------------------------------------------------------------------------------------

_EDGE_DEFAULTS = {
    "userid": "900001",
    "user_display_name": "Edge Case",
    "user_screen_name": "Edge_Account",
    "follower_count": "10",
    "following_count": "20",
    "account_creation_date": "2014-01-01",
    "account_language": "en",
    "tweet_language": "en",
    "tweet_time": "2016-10-15 12:00",
    "tweet_client_name": "TWEETDECK",
    "is_retweet": "false",
    "quote_count": "0",
    "reply_count": "0",
    "like_count": "0",
    "retweet_count": "0",
    "hashtags": "[]",
    "urls": "[]",
    "user_mentions": "[]",
}

EDGE_ROWS: list[dict[str, str]] = [
    {"tweetid": "9100000000000000001", "tweet_text": "RT @MidwestNewsNow: a flagged retweet", "is_retweet": "true"},
    {"tweetid": "9100000000000000002", "tweet_text": "RT @Edge_Account: a retweet known by its text only"},
    {"tweetid": "9100000000000000003", "tweet_text": "no retweet flag at all", "is_retweet": ""},
    {
        "tweetid": "9100000000000000004",
        "tweet_text": "@Edge_Account a reply",
        "in_reply_to_tweetid": "9100000000000000001",
        "in_reply_to_userid": "900001",
        "user_mentions": "[900001]",
    },
    {
        "tweetid": "9100000000000000005",
        "tweet_text": "a link in the urls column only",
        "urls": "[https://www.Example.org/page?utm_source=tw&x=1]",
    },
    {"tweetid": "9100000000000000006", "tweet_text": "a link only in the text https://t.co/AbCdEf1234"},
    {"tweetid": "9100000000000000007", "tweet_text": "no links, urls left empty", "urls": ""},
    {
        "tweetid": "9100000000000000008",
        "tweet_text": "counts not published #EdgeTag",
        "hashtags": "[EdgeTag]",
        **dict.fromkeys(("quote_count", "reply_count", "like_count", "retweet_count"), ""),
    },
    {
        "tweetid": "9100000000000000009",
        "tweet_text": "no language given, vote",
        "tweet_language": "",
        "account_language": "",
        "retweet_count": "5",
        "like_count": "7",
    },
    {"tweetid": "9100000000000000010", "tweet_text": "no time given", "tweet_time": ""},
    # Hashed ids the 2019-and-later releases publish shorter than 44 base64 characters.
    {
        "tweetid": "9100000000000000015",
        "userid": "k8Zq+Lx/2mWbT4nR7yVhC1dEaF9sJ0oP3uG6iK5e",
        "tweet_text": "an id of 40",
    },
    {
        "tweetid": "9100000000000000016",
        "userid": "Zk8q+Lx/2mWbT4nR7yVhC1dEaF9sJ0oP3uG6iK5eQw",
        "tweet_text": "an id of 42",
    },
    {"tweetid": "9100000000000000011", "tweet_text": "", "like_count": "3"},
    {
        "tweetid": "9100000000000000013",
        "userid": "900002",
        "user_screen_name": "Second_Edge",
        "user_display_name": "Crème Brûlée Désk",
        "user_profile_description": "Old bio, <b>markup</b> & Новости дня",
        "user_reported_location": "Zürich",
        "tweet_text": "an account whose profile changed",
        "tweet_time": "2016-01-01 10:00",
    },
    {
        "tweetid": "9100000000000000014",
        "userid": "900002",
        "user_screen_name": "Second_Edge",
        "user_display_name": "Crème Brûlée Desk",
        "user_profile_description": "Новости дня, every day",
        "user_reported_location": "Zürich, CH",
        "tweet_text": "its newest tweet, with the profile that counts",
        "tweet_time": "2016-02-01 10:00",
    },
    {
        "tweetid": "9100000000000000012",
        "tweet_text": "Voting early, RT @NationWatchUS says https://t.co/ZyXwVu9876",
        "urls": "[http://rt.com/news/vote?x=1&y=2, https://youtu.be/K-wmw0QB8Qr?t=30]",
        "hashtags": "[maga, EdgeTag]",
        "tweet_client_name": "Twitter for iPhone",
        "tweet_time": "2016-11-08 23:59",
    },
]


def _write_edge_file(folder: Path) -> None:
    with (folder / "edgecases_tweets_csv_hashed.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=TWEET_COLUMNS, quoting=csv.QUOTE_ALL, restval="")
        writer.writeheader()
        for row in EDGE_ROWS:
            writer.writerow({**_EDGE_DEFAULTS, **row})


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("operator-release")
    generate_release(folder, tweets=TWEETS, seed=SEED)
    _write_edge_file(folder)
    return folder


@pytest.fixture(scope="module")
def documents(release: Path) -> dict[str, dict[str, Any]]:
    """tweetid → the document the indexer builds for it: what the server holds, read without the server."""
    found: dict[str, dict[str, Any]] = {}
    for item in read_archive(release):
        assert isinstance(item, TweetRecord), item
        found[item.tweetid] = to_document(item)
    assert len(found) == TWEETS + len(EDGE_ROWS)
    return found


@pytest.fixture(scope="module")
def loaded(cli, es, alias: str, release: Path, documents: dict, tmp_path_factory) -> str:
    rejects = tmp_path_factory.mktemp("load") / "rejects.jsonl"
    result = cli("index", str(release), "--rejects", str(rejects))
    assert result.exit_code == 0, result.stderr
    es.indices.refresh(index=alias)
    assert es.count(index=alias).body["count"] == len(documents)
    return alias


def ids_for(es, alias: str, query: dict[str, Any]) -> set[str]:
    """Every id `query` matches, through a point in time (no page limit), checked against the exact total."""
    pit = es.open_point_in_time(index=alias, keep_alive="1m").body["id"]
    found: set[str] = set()
    after: list[Any] | None = None
    total: int | None = None
    try:
        while True:
            answer = es.search(
                query=query,
                pit={"id": pit, "keep_alive": "1m"},
                size=10_000,
                sort=[{"_shard_doc": "asc"}],
                source=False,
                track_total_hits=total is None,
                **({"search_after": after} if after else {}),
            ).body
            if total is None:
                assert answer["hits"]["total"]["relation"] == "eq"
                total = answer["hits"]["total"]["value"]
            hits = answer["hits"]["hits"]
            if not hits:
                break
            found.update(hit["_id"] for hit in hits)
            after = hits[-1]["sort"]
    finally:
        es.close_point_in_time(id=pit)
    assert len(found) == total
    assert es.count(index=alias, query=query).body["count"] == total
    return found


# --- the expectation --------------------------------------------------------------------------------------------

_WORD_FIELDS_TODAY = (
    "tweet_text", "lang.en", "lang.ru", "lang.de", "lang.fr", "lang.es", "lang.it", "lang.pt", "lang.ar", "lang.fa",
    "lang.tr", "lang.nl", "lang.sv", "lang.id", "lang.hi", "lang.el", "lang.cjk", "lang.std",
)  # fmt: skip


def _word_today(word: str) -> dict[str, Any]:
    return {
        "bool": {
            "minimum_should_match": 1,
            "should": [{"match_phrase": {field: word}} for field in _WORD_FIELDS_TODAY],
        }
    }


_YOUTUBE_K = (
    r"https?://((youtube\.com|m\.youtube\.com|music\.youtube\.com)\/watch\?(.*\&)?v\=K\-wmw0QB8Qr(\&.*)?"
    r"|youtu\.be\/K\-wmw0QB8Qr(\?.*)?|(youtube\.com|m\.youtube\.com)\/shorts\/K\-wmw0QB8Qr(\?.*)?"
    r"|(youtube\.com|m\.youtube\.com|youtube\-nocookie\.com)\/embed\/K\-wmw0QB8Qr(\?.*)?"
    r"|(youtube\.com|m\.youtube\.com)\/v\/K\-wmw0QB8Qr(\?.*)?|(youtube\.com|m\.youtube\.com)\/live\/K\-wmw0QB8Qr(\?.*)?)"
)

FROZEN: dict[Node, dict[str, Any]] = {
    Term("vote"): _word_today("vote"),
    Term("выборы"): _word_today("выборы"),
    Term("news"): _word_today("news"),
    Phrase("fake news"): {"match_phrase": {"tweet_text": "fake news"}},
    Prefix("vot"): {"prefix": {"tweet_text": "vot"}},
    Operator("url", "youtu.be/K-wmw0QB8Qr"): {
        "bool": {
            "minimum_should_match": 1,
            "should": [
                {"terms": {"urls": ["http://youtu.be/K-wmw0QB8Qr", "https://youtu.be/K-wmw0QB8Qr"]}},
                {"regexp": {"urls": {"value": _YOUTUBE_K, "flags": "NONE"}}},
            ],
        }
    },
    Operator("url", "example.org/page?x=1"): {
        "bool": {
            "minimum_should_match": 1,
            "should": [
                {"terms": {"urls": ["http://example.org/page?x=1", "https://example.org/page?x=1"]}},
                {"regexp": {"urls": {"value": r"https?://example\.org\/page\?(.*\&)?x\=1(\&.*)?", "flags": "NONE"}}},
            ],
        }
    },
    Operator("url", "t.co/AbCdEf1234"): {
        "bool": {
            "minimum_should_match": 1,
            "should": [
                {"terms": {"urls": ["http://t.co/AbCdEf1234", "https://t.co/AbCdEf1234"]}},
                {"prefix": {"urls": "http://t.co/AbCdEf1234?"}},
                {"prefix": {"urls": "https://t.co/AbCdEf1234?"}},
                {"terms": {"tco_links": ["http://t.co/AbCdEf1234", "https://t.co/AbCdEf1234"]}},
                {"match_phrase": {"tweet_text": "t.co/AbCdEf1234"}},
            ],
        }
    },
}
"""Today's clause for the leaves without a plain predicate, written out so that it cannot follow a rewrite."""

_MIN_FIELDS = {"min_retweets": "retweet_count", "min_faves": "like_count", "min_replies": "reply_count"}


def _moment(value: str) -> datetime:
    """`2016-01-01` or `2016-01-01_12:30:00_UTC` as a UTC moment."""
    day, _, clock = value.partition("_")
    return datetime.fromisoformat(f"{day}T{clock.removesuffix('_UTC') or '00:00:00'}+00:00")


def _keyword_match(values: list[str], wanted: str, prefix: bool, fold: bool) -> bool:
    values = [value.lower() for value in values] if fold else values
    wanted = wanted.lower() if fold else wanted
    return any(value.startswith(wanted) if prefix else value == wanted for value in values)


def _url_match(document: dict[str, Any], value: str, prefix: bool) -> bool:
    if "/" not in value and "?" not in value:
        return value in document.get("url_domains", ()) or value in document.get("url_hosts", ())
    addresses = (f"http://{value}", f"https://{value}")
    urls = document.get("urls", ())
    if prefix:
        return any(url.startswith(addresses) for url in urls)
    assert "?" not in value and not value.startswith(("youtu", "t.co/")), f"no predicate for url:{value}"
    return any(url in addresses or url.startswith(tuple(a + "?" for a in addresses)) for url in urls)


def operator_matches(node: Operator, document: dict[str, Any]) -> bool:
    """What each operator means, read off the document the indexer made (the README's query language)."""
    name, value, prefix = node.name, node.value, node.prefix

    def listed(field: str) -> list[str]:
        found = document.get(field)
        return [] if found is None else found if isinstance(found, list) else [found]

    if name == "from":
        return _keyword_match(listed("user_screen_name"), value, prefix, fold=True)
    if name == "userid":
        return _keyword_match(listed("userid"), value, False, fold=len(value) == 64)
    if name == "mention":
        return _keyword_match(listed("mention_names"), value, prefix, fold=True)
    if name == "hashtag":
        return _keyword_match(listed("hashtags"), value, prefix, fold=True)
    if name == "campaign":
        return _keyword_match(listed("campaign"), value, prefix, fold=True)
    if name == "client":
        return _keyword_match(listed("tweet_client_name"), value, prefix, fold=True)
    if name == "lang":
        return document.get("tweet_language") == value
    if name in ("since", "until"):
        time = document.get("tweet_time")
        if time is None:
            return False
        moment = datetime.fromisoformat(time).astimezone(UTC)
        return moment >= _moment(value) if name == "since" else moment < _moment(value)
    if name in _MIN_FIELDS:
        count = document.get(_MIN_FIELDS[name])
        return count is not None and count >= int(value)
    if name == "filter":
        if value == "retweets":
            return document.get("is_retweet") is True
        if value == "replies":
            return "in_reply_to_tweetid" in document
        return bool(document.get("urls") or document.get("tco_links"))
    if name == "url":
        return _url_match(document, value, prefix)
    raise AssertionError(f"no predicate for {node!r}")


PROFILE_OPERATORS = {
    "bio": "user_profile_description",
    "name": "user_display_name",
    "location": "user_reported_location",
}


def expected_ids(
    node: Node,
    documents: dict[str, dict[str, Any]],
    frozen: Callable[[Node], set[str]],
    accounts: Callable[[Operator], set[tuple[str, str]]],
) -> set[str]:
    """The set a query must answer: leaves by predicate (or today's frozen clause; for a profile operator the
    tweets of the `accounts` it matches), then set algebra."""
    if node in FROZEN:
        return frozen(node)
    if isinstance(node, Operator) and node.name in PROFILE_OPERATORS:
        matched = accounts(node)
        return {tweetid for tweetid, doc in documents.items() if (doc["campaign"], doc.get("userid")) in matched}
    if isinstance(node, Operator):
        return {tweetid for tweetid, document in documents.items() if operator_matches(node, document)}
    if isinstance(node, Term | Phrase | Prefix):
        raise AssertionError(f"add today's clause for {node!r} to FROZEN")
    if isinstance(node, Not):
        return set(documents) - expected_ids(node.child, documents, frozen, accounts)
    parts = [expected_ids(child, documents, frozen, accounts) for child in node.children]
    return set.intersection(*parts) if isinstance(node, And) else set.union(*parts)


# --- the queries ------------------------------------------------------------------------------------------------

OPERATORS = [
    "from:{screen_name}",
    "from:{screen_name_upper}",
    "from:{screen_name_start}*",
    "from:edge_account",
    "userid:{userid}",
    "userid:{userid_upper}",
    "userid:900001",
    "userid:k8Zq+Lx/2mWbT4nR7yVhC1dEaF9sJ0oP3uG6iK5e",
    "userid:Zk8q+Lx/2mWbT4nR7yVhC1dEaF9sJ0oP3uG6iK5eQw",
    "@{mention}",
    "@{mention_start}*",
    "@edge_account",
    "#{hashtag}",
    "#{hashtag_start}*",
    "#EDGETAG",
    "lang:en",
    "lang:ru",
    "lang:und",
    "since:2016-10-01",
    "until:2016-11-09",
    "since:2016-11-08_23:59:00_UTC",
    "url:rt.com",
    "url:youtube.com",
    "url:m.youtube.com",
    "url:example.org",
    "url:{address}",
    "url:{address_start}*",
    "url:youtu.be/K-wmw0QB8Qr",
    "url:example.org/page?x=1",
    "url:https://t.co/AbCdEf1234",
    "campaign:ira",
    "campaign:IRANIAN",
    "campaign:venez*",
    "campaign:edgecases",
    'client:"TweetDeck"',
    'client:"twitter for iphone"',
    "client:Twitter*",
    "filter:retweets",
    "filter:replies",
    "filter:links",
    "min_retweets:0",
    "min_retweets:1",
    "min_faves:3",
    "min_replies:0",
    "min_replies:1",
    "vote",
    "выборы",
    '"fake news"',
    "vot*",
    "bio:{bio_word}",
    'bio:"{bio_phrase}"',
    "bio:{bio_start}*",
    "bio:новости",
    'bio:"old bio"',
    "name:{name_word}",
    'name:"creme brulee desk"',
    "name:DESK",
    "location:{location_word}",
    "location:zurich",
    "location:Zür*",
]

COMBINATIONS = [
    "vote lang:en -filter:retweets since:2016-10-01 until:2016-11-09",
    "vote -filter:retweets",
    "news -filter:replies -filter:links",
    "-filter:retweets -filter:replies -filter:links",
    "filter:retweets filter:links",
    "-(filter:retweets filter:links)",
    "(campaign:ira OR campaign:iranian) -filter:replies",
    "filter:links -url:youtube.com",
    "-(lang:en OR lang:ru) min_faves:1",
    "#{hashtag} OR @{mention}",
    "since:2016-01-01 until:2017-01-01 -min_retweets:1",
    "-since:2016-01-01 -until:2014-01-01",
    "-lang:en -vote",
    '"fake news" OR vot* -filter:retweets',
    "url:rt.com OR url:youtu.be/K-wmw0QB8Qr OR filter:replies",
    "-min_faves:1 -min_retweets:1",
    'client:"TweetDeck" -campaign:ira',
    "bio:{bio_word} -filter:retweets",
    "location:{location_word} OR name:{name_word} -bio:{bio_word}",
    "vote -location:{location_word}",
]

MATCH_NOTHING = {'bio:"old bio"'}
"""Queries meant to match no tweet: an account's older profile is not its profile (its newest tweet's is)."""

QUERIES = [*OPERATORS, *(f"-{query}" for query in OPERATORS), *COMBINATIONS]


@pytest.fixture(scope="module")
def picks(documents: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Operator values taken from the generated data (the commonest of each), so every query has answers."""
    from collections import Counter

    def commonest(field: str) -> str:
        counts = Counter(value for document in documents.values() for value in _as_list(document.get(field)) if value)
        return counts.most_common(1)[0][0]

    named = Counter(d["user_screen_name"] for d in documents.values() if len(d.get("user_screen_name", "")) <= 15)
    screen_name = named.most_common(1)[0][0]  # a screen name, not a hashed account
    address = commonest("urls").partition("://")[2]
    return {
        "screen_name": screen_name,
        "screen_name_upper": screen_name.upper(),
        "screen_name_start": screen_name[:3],
        "userid": commonest("userid"),
        "userid_upper": commonest("userid").upper(),
        "mention": commonest("mention_names"),
        "mention_start": commonest("mention_names")[:4],
        "hashtag": commonest("hashtags"),
        "hashtag_start": commonest("hashtags")[:2],
        "address": address,
        "address_start": address.rpartition("/")[0] + "/",
        **_profile_picks(documents),
    }


def _profile_picks(documents: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Words that some accounts' profiles hold and others do not (counted per account, not per tweet)."""
    from collections import Counter

    profiles = list(newest_by_account(documents.values()).values())

    def words(field: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        for profile in profiles:
            found = {w.lower() for w in profile.get(field, "").split() if w.isascii() and w.isalpha() and len(w) > 3}
            counts.update(found)
        return counts

    bio = words("user_profile_description").most_common(3)
    described = Counter(p["user_profile_description"] for p in profiles if p.get("user_profile_description"))
    first_two = next(
        " ".join(text.split()[:2]) for text, _ in described.most_common() if all(w.isalpha() for w in text.split()[:2])
    )
    return {
        "bio_word": bio[0][0],
        "bio_phrase": first_two,
        "bio_start": bio[1][0][:3],
        "name_word": (words("user_display_name").most_common(1) or [("desk", 0)])[0][0],
        "location_word": words("user_reported_location").most_common(1)[0][0],
    }


@pytest.fixture(scope="module")
def profile_accounts(es, loaded, documents) -> Callable[[Operator], set[tuple[str, str]]]:
    """The accounts a profile operator must match, from the newest profiles and the server's `folded` words."""
    profiles = newest_by_account(documents.values())
    analysed: dict[str, list[str]] = {}

    def tokens(text: str) -> list[str]:
        if text not in analysed:
            answer = es.indices.analyze(index=f"{loaded}-accounts", analyzer="folded", text=text).body
            analysed[text] = [token["token"] for token in answer["tokens"]]
        return analysed[text]

    def matches(node: Operator, text: str) -> bool:
        have = tokens(text)
        if node.prefix:
            return any(token.startswith(node.value) for token in have)
        wanted = tokens(node.value)
        return any(have[at : at + len(wanted)] == wanted for at in range(len(have) - len(wanted) + 1))

    def accounts(node: Operator) -> set[tuple[str, str]]:
        field = PROFILE_OPERATORS[node.name]
        return {key for key, profile in profiles.items() if matches(node, profile.get(field) or "")}

    return accounts


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


@pytest.mark.parametrize("template", QUERIES)
def test_the_search_answers_exactly_the_expected_tweets(template, es, loaded, documents, picks, profile_accounts):
    query = template.format(**picks)
    cache: dict[Node, set[str]] = {}

    def frozen(node: Node) -> set[str]:
        if node not in cache:
            cache[node] = ids_for(es, loaded, FROZEN[node])
        return cache[node]

    expected = expected_ids(parse_query(query), documents, frozen, profile_accounts)
    answered = ids_for(es, loaded, query_for(es, loaded, query))

    assert answered == expected, (
        f"{query}: {len(answered - expected)} unexpected, e.g. {sorted(answered - expected)[:5]}; "
        f"{len(expected - answered)} missing, e.g. {sorted(expected - answered)[:5]}"
    )


@pytest.mark.parametrize("template", OPERATORS)
def test_every_operator_query_tells_tweets_apart(template, documents, picks, profile_accounts):
    """A query matching nothing (or everything) would make its comparison above prove little."""
    node = parse_query(template.format(**picks))
    if any(node == leaf for leaf in FROZEN) or not isinstance(node, Operator) or template in MATCH_NOTHING:
        return
    if node.name in PROFILE_OPERATORS:
        matched = len(expected_ids(node, documents, lambda _: set(), profile_accounts))
    else:
        matched = sum(operator_matches(node, document) for document in documents.values())
    assert 0 < matched < len(documents), template


def test_the_edge_rows_are_read_as_intended(documents):
    """The hand-written rows hold the cases the comparisons rely on (as the indexer reads them)."""
    edge = {tweetid: documents[tweetid] for tweetid in (row["tweetid"] for row in EDGE_ROWS)}
    assert edge["9100000000000000002"]["is_retweet"] is True
    assert edge["9100000000000000003"]["is_retweet"] is False
    assert "retweet_count" not in edge["9100000000000000008"]
    assert "tco_links" in edge["9100000000000000006"] and "urls" not in edge["9100000000000000006"]
    assert "urls" not in edge["9100000000000000007"] and "tco_links" not in edge["9100000000000000007"]
    assert all("is_retweet" in document for document in documents.values())


@pytest.mark.parametrize("flag", ["is_retweet", "is_reply", "has_links"])
def test_every_indexed_tweet_has_the_flags(es, loaded, flag):
    """`-filter:retweets|replies|links` are sent as `<flag>:false`, which is right only while no document lacks
    the field (the loaded documents come from the native encoder as well as from `to_document`)."""
    missing = {"bool": {"must_not": [{"exists": {"field": flag}}]}}
    assert es.count(index=loaded, query=missing).body["count"] == 0


@pytest.mark.parametrize("negation", ["-filter:replies", "-filter:links"])
def test_negated_filters_are_sent_as_positive_flags(es, loaded, negation):
    query = query_for(es, loaded, negation)
    assert "must_not" not in str(query) and ("is_reply" in str(query) or "has_links" in str(query)), query
