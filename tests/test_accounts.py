"""The accounts index: one document per account and release, beside every tweets index, through every kind of load.

What it must hold is computed from the files (the indexer's own reading, no server): every (campaign, userid)
with tweets, its newest tweet's profile, its tweet count and first and last tweet. A plain load, an appended
load, a resumed load and a rebuild must all leave exactly that behind the accounts alias; the profile operators
must refuse, not guess, where the accounts index is missing or a profile matches too many accounts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from archive_samples import newest_by_account

from common.errors import IndexNotFound, LoadInterrupted, UsageError
from common.mapping import accounts_alias, accounts_index_for, indices_behind
from common.records import TweetRecord
from generator.release import generate_release
from indexer.accounts import PROFILE_FIELDS
from indexer.archive import read_archive
from indexer.bulk import BulkOptions
from indexer.document import to_document
from indexer.loader import LoadOptions, load_archive

TWEETS = 3000


def _expected_accounts(*folders: Path) -> dict[str, dict[str, Any]]:
    """`campaign/userid` → the accounts document the files call for."""
    documents = [
        to_document(item) for folder in folders for item in read_archive(folder) if isinstance(item, TweetRecord)
    ]
    counts: dict[str, int] = {}
    times: dict[str, list[str]] = {}
    for document in documents:
        key = f"{document['campaign']}/{document['userid']}"
        counts[key] = counts.get(key, 0) + 1
        if "tweet_time" in document:
            times.setdefault(key, []).append(document["tweet_time"])
    expected = {}
    for (campaign, userid), document in newest_by_account(documents).items():
        key = f"{campaign}/{userid}"
        account = {"campaign": campaign, "userid": userid, "tweets": counts[key]}
        account.update((name, document[name]) for name in PROFILE_FIELDS if name in document)
        expected[key] = account
    for key, found in times.items():
        expected[key]["first_tweet"], expected[key]["last_tweet"] = min(found), max(found)
    return expected


def _accounts_held(es, alias: str) -> dict[str, dict[str, Any]]:
    answer = es.search(index=accounts_alias(alias), size=10_000, track_total_hits=True).body
    assert answer["hits"]["total"]["value"] == len(answer["hits"]["hits"])
    held = {}
    for hit in answer["hits"]["hits"]:
        source = hit["_source"]
        for name in ("first_tweet", "last_tweet"):  # the server's format: compare the moments
            if name in source:
                source[name] = _moment(source[name])
        held[hit["_id"]] = source
    return held


def _moment(value: str) -> str:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()


def _comparable(expected: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        key: {name: _moment(value) if name in ("first_tweet", "last_tweet") else value for name, value in doc.items()}
        for key, doc in expected.items()
    }


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> tuple[Path, Path]:
    """Two releases of different seeds, to load one after the other into the same alias."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    generate_release(first, tweets=TWEETS, seed=31)
    generate_release(second, tweets=TWEETS // 2, seed=32)
    return first, second


def _options(tmp_path: Path, **changes: Any) -> LoadOptions:
    return replace(LoadOptions(rejects_path=tmp_path / "rejects.jsonl", bulk=BulkOptions(chunk_docs=300)), **changes)


def test_a_load_leaves_every_account_with_its_newest_profile(es, alias, releases, tmp_path):
    own = f"{alias}-plain"
    summary = load_archive(es, own, [releases[0]], _options(tmp_path))

    expected = _expected_accounts(releases[0])
    assert summary.accounts == len(expected)
    assert summary.accounts_index == accounts_index_for(summary.index)
    assert indices_behind(es, accounts_alias(own)) == [summary.accounts_index]
    assert _accounts_held(es, own) == _comparable(expected)
    assert sum(account["tweets"] for account in expected.values()) == summary.index_count


def test_the_tweets_index_keeps_the_profile_without_indexing_it(es, alias, releases, tmp_path):
    """The profile stays in each tweet's `_source` (exports and `--json` carry it) but is not searchable there."""
    own = f"{alias}-plain"
    mapping = es.indices.get_mapping(index=own).body
    properties = next(iter(mapping.values()))["mappings"]["properties"]
    assert all(properties[name].get("index") is False for name in PROFILE_FIELDS if name != "user_screen_name")
    assert "index" not in properties["user_screen_name"]  # from: searches it
    hit = es.search(index=own, size=1, query={"exists": {"field": "user_reported_location"}}).body["hits"]
    assert hit["total"]["value"] == 0  # not indexed, so not even its presence is searchable
    some = es.search(index=own, size=50).body["hits"]["hits"]
    assert any("user_profile_description" in raw["_source"] for raw in some)


def test_an_appended_load_updates_the_accounts(es, alias, releases, tmp_path):
    own = f"{alias}-append"
    load_archive(es, own, [releases[0]], _options(tmp_path))
    summary = load_archive(es, own, [releases[1]], _options(tmp_path))

    expected = _expected_accounts(releases[0], releases[1])
    assert summary.accounts == len(expected)
    assert _accounts_held(es, own) == _comparable(expected)


def test_a_resumed_load_leaves_the_same_accounts(es, alias, releases, tmp_path):
    own = f"{alias}-resume"
    options = _options(tmp_path, bulk=BulkOptions(chunk_docs=200, in_flight=1))

    def stop_halfway(progress) -> None:
        if progress.indexed >= TWEETS // 2:
            raise KeyboardInterrupt

    with pytest.raises(LoadInterrupted):
        load_archive(es, own, [releases[0]], options, on_progress=stop_halfway)
    checkpoint = orjson.loads(options.checkpoint.read_bytes())
    summary = load_archive(es, own, [releases[0]], replace(options, resume=True))

    assert 0 < checkpoint["indexed"] < TWEETS
    assert _accounts_held(es, own) == _comparable(_expected_accounts(releases[0]))
    assert summary.accounts == len(_expected_accounts(releases[0]))


def test_a_rebuild_moves_both_aliases_and_drops_the_old_accounts_with_the_old_tweets(es, alias, releases, tmp_path):
    own = f"{alias}-rebuild"
    first = load_archive(es, own, [releases[0]], _options(tmp_path))
    rebuilt = load_archive(es, own, [releases[1]], _options(tmp_path, rebuild=True, drop_replaced=True))

    assert rebuilt.replaced == [first.index]
    assert indices_behind(es, own) == [rebuilt.index]
    assert indices_behind(es, accounts_alias(own)) == [accounts_index_for(rebuilt.index)]
    assert not es.indices.exists(index=first.index)
    assert not es.indices.exists(index=accounts_index_for(first.index))
    assert _accounts_held(es, own) == _comparable(_expected_accounts(releases[1]))


def test_profile_operators_need_the_accounts_index(cli, es, alias, releases, tmp_path):
    """An index loaded before the accounts index existed: one line, exit 2, and how to get it."""
    own = f"{alias}-old"
    load_archive(es, own, [releases[1]], _options(tmp_path))
    es.indices.update_aliases(actions=[{"remove": {"index": "*", "alias": accounts_alias(own)}}])

    result = cli("search", "bio:news", env={"TWEETSEARCH_ALIAS": own})

    assert result.exit_code == 2
    assert "accounts index" in result.stderr and "--rebuild" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_index_without_the_flags_still_answers_negated_filters(cli, es, alias, releases, tmp_path):
    """`-filter:replies`/`-filter:links` on an index loaded before `is_reply`/`has_links` existed: the
    `must_not` it always had, so the same answer."""
    from search.query_context import query_for

    own = f"{alias}-flagless"
    load_archive(es, own, [releases[1]], _options(tmp_path))
    index = indices_behind(es, own)[0]
    flagless = f"{alias}-flagless-old"  # not `<alias>-vN`: the template would add the flags back
    mappings = next(iter(es.indices.get_mapping(index=index).body.values()))["mappings"]
    for flag in ("is_reply", "has_links"):
        del mappings["properties"][flag]
    mappings["dynamic"] = "false"  # the old documents, flags ignored
    analysis = es.indices.get_settings(index=index).body[index]["settings"]["index"]["analysis"]
    es.indices.create(index=flagless, mappings=mappings, settings={"analysis": analysis})
    hits = es.search(index=index, size=10_000).body["hits"]["hits"]
    assert len(hits) == es.count(index=index).body["count"]
    operations = [part for hit in hits for part in ({"index": {"_id": hit["_id"]}}, hit["_source"])]
    es.bulk(index=flagless, operations=operations, refresh=True)

    for query in ("-filter:replies", "-filter:links", "lang:en -filter:replies -filter:links"):
        built = query_for(es, flagless, query)
        assert "is_reply" not in str(built) and "has_links" not in str(built)
        assert (
            es.count(index=flagless, query=built).body["count"]
            == es.count(index=own, query=query_for(es, own, query)).body["count"]
        ), query


def test_a_profile_matching_too_many_accounts_is_refused_not_cut(es, alias, releases, tmp_path, monkeypatch):
    import search.query_context as query_context

    own = f"{alias}-plain"
    held = _accounts_held(es, own)
    words = Counter(
        word for account in held.values() for word in set(account.get("user_reported_location", "").split()[:1])
    )
    common, accounts = words.most_common(1)[0]
    assert accounts > 2, words
    monkeypatch.setattr(query_context, "MAX_PROFILE_ACCOUNTS", 2)

    with pytest.raises(UsageError, match=r"matches [\d,]+ accounts; a profile operator can stand for at most 2"):
        query_context.query_for(es, own, f'location:"{common}"')


def test_the_cli_reports_the_accounts_a_load_wrote(cli, alias, releases, tmp_path):
    own = f"{alias}-cli"
    result = cli("index", str(releases[1]), "--rejects", str(tmp_path / "r.jsonl"), "--json",
                 env={"TWEETSEARCH_ALIAS": own})  # fmt: skip

    assert result.exit_code == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert summary["accounts"] == len(_expected_accounts(releases[1]))
    table = cli("index", str(releases[1]), "--rejects", str(tmp_path / "r.jsonl"), env={"TWEETSEARCH_ALIAS": own})
    assert f"{summary['accounts']:,} accounts" in table.stderr  # the summary goes to stderr, as progress does


def test_a_missing_accounts_alias_is_reported_by_the_library_too(es, alias, releases, tmp_path):
    from search.query_context import query_for

    with pytest.raises(IndexNotFound):
        query_for(es, f"{alias}-nothing-here", "name:desk")


def test_the_account_report_reads_the_profile_from_the_accounts_index(es, alias, releases, tmp_path):
    """`account` takes the profile from the accounts index; without one (an older index), from the newest tweet."""
    from search.lookup import account_report

    own = f"{alias}-report"
    load_archive(es, own, [releases[1]], _options(tmp_path))
    key, account = max(_accounts_held(es, own).items(), key=lambda item: item[1]["tweets"])
    before = account_report(es, own, account["userid"]).profile
    es.update(index=accounts_alias(own), id=key, doc={"user_reported_location": "Set in the accounts index"},
              refresh=True)  # fmt: skip
    changed = account_report(es, own, account["userid"]).profile
    es.indices.update_aliases(actions=[{"remove": {"index": "*", "alias": accounts_alias(own)}}])
    fallback = account_report(es, own, account["userid"]).profile

    assert before.location == account.get("user_reported_location")
    assert changed.location == "Set in the accounts index"
    assert fallback == before


def test_top_accounts_and_url_reports_name_accounts_the_same_with_or_without_the_accounts_index(
    es, alias, releases, tmp_path
):
    """Names come from the accounts index (one small request) or, on an older index, from each account's newest
    tweet: the same names either way, for every account listed."""
    from search.aggregate import top_values
    from search.lookup import url_report

    own = f"{alias}-names"
    load_archive(es, own, [releases[0]], _options(tmp_path))
    domain = top_values(es, own, "domains", limit=1).counts[0].value

    def listed() -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
        top = top_values(es, own, "accounts", limit=25).counts
        shared = url_report(es, own, domain, limit=25).accounts
        return [(c.value, c.screen_name) for c in top], [(c.value, c.screen_name) for c in shared]

    from_accounts = listed()
    es.indices.update_aliases(actions=[{"remove": {"index": "*", "alias": accounts_alias(own)}}])
    from_tweets = listed()

    assert from_accounts == from_tweets
    assert sum(1 for _, name in from_accounts[0] if name) == len(from_accounts[0]) == 25


def test_profile_operators_refuse_accounts_derived_from_other_tweets(es, alias, releases, tmp_path):
    """A tweet stored after the accounts were written (a load stopped before its accounts, or still running):
    a profile operator would miss its account, so it says so instead of answering."""
    from common.errors import PartialResults
    from search.query_context import query_for

    own = f"{alias}-behind"
    summary = load_archive(es, own, [releases[1]], _options(tmp_path))
    query_for(es, own, "name:desk")  # current: no complaint
    extra = {"tweetid": "1", "campaign": "late", "userid": "late-1", "is_retweet": False, "is_reply": False,
             "has_links": False}  # fmt: skip
    es.index(index=summary.index, id="1", document=extra, refresh=True)

    with pytest.raises(PartialResults, match=r"written from [\d,]+ tweets, but the index now holds [\d,]+"):
        query_for(es, own, "name:desk")
