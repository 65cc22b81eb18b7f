"""The generator's planted coordination: groups of accounts posting the same items within seconds of each other,
and background accounts sharing the same links and text hours apart, as `ground_truth.json` lists them.

The releases are read back with the project's own reader (`indexer.archive.read_archive`), so the items are what
the index holds: hashtags lower-cased, URLs normalised, times from the snowflake ids. The coordination analysis'
rule (two accounts co-act when they post the same item within W seconds; a pair's weight is the smaller of the
two accounts' numbers of co-acting tweets; groups are the connected pairs of weight two or more) is computed here
from the files alone, to show that it finds exactly the planted groups and never the background.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from common.records import Reject, TweetRecord
from common.urls import normalise_url
from generator import corpus
from generator.release import MIN_CAMPAIGN_ROWS, GenerateSummary, generate_release
from indexer.archive import read_archive
from indexer.normalise import TWITTER_EPOCH_MS, snowflake_time

KINDS = ("text", "retweet", "url", "hashtags")
CAMPAIGNS = ("ira", "iranian", "venezuela_201906_1")
_TCO = re.compile(r"https?://t\.co/[A-Za-z0-9]+")
_RETWEET_PREFIX = re.compile(r"^rt @[a-z0-9_]{1,15}:")


@dataclass
class Release:
    summary: GenerateSummary
    truth: dict[str, Any]
    records: dict[str, TweetRecord]  # tweetid -> record

    @property
    def coordination(self) -> dict[str, Any]:
        return self.truth["coordination"]

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every group and background entry."""
        yield from self.coordination["groups"]
        yield from self.coordination["background"]


def _read(summary: GenerateSummary) -> Release:
    truth = json.loads(summary.ground_truth.read_text(encoding="utf-8"))
    read = list(read_archive(summary.out_dir))
    assert not [r for r in read if isinstance(r, Reject)]
    records = {r.tweetid: r for r in read if isinstance(r, TweetRecord)}
    return Release(summary, truth, records)


@pytest.fixture(scope="module", params=[(3000, 11), (20_000, 4)], ids=lambda p: f"{p[0]}-tweets-seed-{p[1]}")
def release(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Release:
    tweets, seed = request.param
    return _read(generate_release(tmp_path_factory.mktemp("coordination"), tweets=tweets, seed=seed))


# --------------------------------------------------------------------------------------------------------------
# The analysis' items and times, as its contract defines them.


def _texts(text: str) -> list[tuple[str, str]]:
    """A text as the contract compares texts (lower case, no leading `RT @name:`, no t.co links, no punctuation,
    single spaces), and as the index's normalizer does (runs of what is not a letter, digit or mark: one space).
    Planted groups must hold, and planted texts be unique, either way."""
    text = _RETWEET_PREFIX.sub("", _TCO.sub(" ", text).lower().lstrip())
    removed = " ".join("".join(ch for ch in text if not unicodedata.category(ch).startswith("P")).split())
    spaced = " ".join("".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in text).split())
    return [(form, value) for form, value in (("removed", removed), ("spaced", spaced)) if value]


def _items(record: TweetRecord, by: str) -> list[object]:
    """The items of kind `by` a tweet carries."""
    if by == "text":
        return [] if record.is_retweet else list(_texts(record.tweet_text or ""))
    if by == "retweet":
        return [record.retweet_tweetid] if record.is_retweet and record.retweet_tweetid else []
    if by == "url":
        return list(dict.fromkeys(record.urls_normalised))
    return [frozenset(record.hashtags)] if record.hashtags else []


def _truth_items(by: str, item: Any) -> list[object]:
    """An item as the ground truth gives it (as posted), in the forms `_items` compares."""
    if by == "text":
        return list(_texts(item))
    if by == "url":
        return [normalise_url(item)]
    if by == "hashtags":
        return [frozenset(tag.lower() for tag in item)]
    return [item]


def _ms(record: TweetRecord) -> int:
    """The snowflake id's millisecond, else the start of `tweet_time`'s minute."""
    if snowflake_time(record.tweetid) is not None:
        return (int(record.tweetid) >> 22) + TWITTER_EPOCH_MS
    assert record.tweet_time is not None
    return int(record.tweet_time.replace(tzinfo=record.tweet_time.tzinfo or UTC).timestamp() * 1000)


def _reported(records: dict[str, TweetRecord], by: str, window_ms: int, min_repeats: int = 2) -> set[frozenset[str]]:
    """The groups (sets of user ids) the analysis reports for `by` with a window of `window_ms`."""
    posts: dict[object, list[tuple[int, str, str]]] = defaultdict(list)
    for record in records.values():
        for item in _items(record, by):
            posts[item].append((_ms(record), record.userid or "", record.tweetid))
    coacting: dict[tuple[str, str], set[str]] = defaultdict(set)  # (a, b) -> a's tweets with one of b's near
    for shared in posts.values():
        if len({userid for _, userid, _ in shared}) < 2:
            continue
        shared.sort()
        for i, (t, a, tweet_a) in enumerate(shared):
            for t2, b, tweet_b in shared[i + 1 :]:
                if t2 - t > window_ms:
                    break
                if a != b:
                    coacting[a, b].add(tweet_a)
                    coacting[b, a].add(tweet_b)
    parent: dict[str, str] = {}

    def root(a: str) -> str:
        while parent.setdefault(a, a) != a:
            a = parent[a]
        return a

    for (a, b), tweets in coacting.items():
        if min(len(tweets), len(coacting[b, a])) >= min_repeats:
            parent[root(a)] = root(b)
    members: dict[str, set[str]] = defaultdict(set)
    for a in parent:
        members[root(a)].add(a)
    return {frozenset(group) for group in members.values()}


# --------------------------------------------------------------------------------------------------------------


def test_each_campaign_has_one_group_per_kind_of_accounts_of_its_own(release: Release) -> None:
    groups = release.coordination["groups"]
    assert Counter((g["campaign"], g["by"]) for g in groups) == {(c, by): 1 for c in CAMPAIGNS for by in KINDS}
    assert release.coordination["max_gap_seconds"] == 5
    assert release.coordination["background_min_gap_seconds"] == 7200
    for group in groups:
        assert 3 <= len(group["userids"]) <= 5 and len(set(group["userids"])) == len(group["userids"])
        assert len(group["screen_names"]) == len(group["userids"])
        assert group["repeats"] == len(group["items"]) == len(group["tweetids"]) == 3
        assert len({json.dumps(item) for item in group["items"]}) == 3
        assert all(len(posts) == len(group["userids"]) for posts in group["tweetids"])
        assert group["time"] == "snowflake"
    owners = Counter(userid for g in groups for userid in g["userids"])
    owners.update(u for b in release.coordination["background"] if b["by"] == "url" for u in b["userids"])
    assert set(owners.values()) == {1}, "no account is in two groups, nor in a group and the background"
    planted = {tweetid for entry in release.entries() for posts in entry["tweetids"] for tweetid in posts}
    for record in release.records.values():
        if record.userid in owners:
            assert record.tweetid in planted, "group and background accounts post nothing else"


def test_every_post_is_the_stated_account_posting_the_item(release: Release) -> None:
    spellings = set()
    for group in release.coordination["groups"]:
        by = group["by"]
        for item, tweetids in zip(group["items"], group["tweetids"], strict=True):
            for userid, screen_name, tweetid in zip(group["userids"], group["screen_names"], tweetids, strict=True):
                record = release.records[tweetid]
                assert (record.campaign, record.userid, record.user_screen_name) == (
                    group["campaign"],
                    userid,
                    screen_name,
                )
                assert set(_truth_items(by, item)) <= set(_items(record, by))
                assert record.is_retweet == (by == "retweet")
                if by == "retweet":
                    assert record.retweet_userid in record.user_mentions and record.retweeted_screen_name
                if by == "url":
                    assert item in record.urls
                if by == "text":
                    spellings.add((tweetids[0], record.tweet_text))
    assert len(spellings) > len(CAMPAIGNS) * 3, "some group writes a text in more than one way"


def test_the_posts_of_an_item_are_seconds_apart_and_in_one_minute(release: Release) -> None:
    gap_ms = release.coordination["max_gap_seconds"] * 1000
    for group in release.coordination["groups"]:
        for tweetids in group["tweetids"]:
            records = [release.records[t] for t in tweetids]
            assert all(snowflake_time(r.tweetid) is not None for r in records)
            times = [_ms(r) for r in records]
            assert max(times) - min(times) <= gap_ms, group
            assert len({r.tweet_time for r in records}) == 1, "so the group holds by tweet_time as well"


def test_no_other_tweet_carries_a_planted_item(release: Release) -> None:
    carriers: dict[str, dict[object, set[str]]] = {by: defaultdict(set) for by in KINDS}
    for record in release.records.values():
        for by in KINDS:
            for item in _items(record, by):
                carriers[by][item].add(record.tweetid)
    for entry in release.entries():
        by = entry["by"]
        for item, tweetids in zip(entry["items"], entry["tweetids"], strict=True):
            for form in _truth_items(by, item):
                assert carriers[by][form] == set(tweetids), (entry["campaign"], by, item)


def test_background_is_shared_again_and_again_but_hours_apart(release: Release) -> None:
    background = release.coordination["background"]
    assert Counter((b["campaign"], b["by"]) for b in background) == {
        (c, by): 1 for c in CAMPAIGNS for by in ("url", "text")
    }
    min_gap_ms = release.coordination["background_min_gap_seconds"] * 1000
    for entry in background:
        for tweetids in entry["tweetids"]:
            records = [release.records[t] for t in tweetids]
            assert {r.userid for r in records} <= set(entry["userids"])
            times = sorted(_ms(r) for r in records)
            assert all(b - a >= min_gap_ms for a, b in itertools.pairwise(times)), entry["campaign"]
            per_account = Counter(r.userid for r in records)
            if entry["by"] == "url":
                assert len(entry["userids"]) >= 6 and len(entry["items"]) == 3
                assert set(per_account) == set(entry["userids"]) and min(per_account.values()) >= 3
            else:
                assert len(per_account) >= 2


def test_the_analysis_reports_the_planted_groups_and_not_the_background(release: Release) -> None:
    coordination = release.coordination
    planted = {userid for entry in release.entries() for userid in entry["userids"]}
    for by in KINDS:
        groups = {frozenset(g["userids"]) for g in coordination["groups"] if g["by"] == by}
        assert _reported(release.records, by, coordination["max_gap_seconds"] * 1000) == groups
        # Any window shorter than the background's gaps: the groups, whole, and no background account anywhere.
        wide = _reported(release.records, by, coordination["background_min_gap_seconds"] * 1000 - 1)
        assert {group for group in wide if group & planted} == groups


def test_the_ground_truth_still_adds_up(release: Release) -> None:
    truth = release.truth
    records = list(release.records.values())
    assert truth["total_tweets"] == len(records) == release.summary.tweets
    users = {f.campaign: f.rows for f in release.summary.files if f.kind == "users"}
    assert truth["total_users"] == sum(users.values())
    for campaign, expected in truth["campaigns"].items():
        own = [r for r in records if r.campaign == campaign]
        assert expected["tweets"] == len(own) and expected["users"] == users[campaign]
        assert expected["kinds"]["retweet"] == sum(r.is_retweet for r in own)
        assert expected["languages"] == dict(Counter(r.tweet_language for r in own))
        by_user = Counter(r.userid for r in own)
        assert all(by_user[a["userid"]] == a["tweets"] for a in expected["top_accounts"])
        assert [a["tweets"] for a in expected["top_accounts"]] == sorted(by_user.values(), reverse=True)[:10]


def test_the_smallest_release_has_room_for_every_group(tmp_path: Path) -> None:
    small = _read(generate_release(tmp_path, tweets=1000, seed=2016))
    assert len(small.coordination["groups"]) == len(CAMPAIGNS) * len(KINDS)
    assert all(c["tweets"] >= MIN_CAMPAIGN_ROWS for c in small.truth["campaigns"].values())
    assert sum(c["tweets"] for c in small.truth["campaigns"].values()) == len(small.records) == 1000
    for by in KINDS:
        groups = {frozenset(g["userids"]) for g in small.coordination["groups"] if g["by"] == by}
        assert _reported(small.records, by, small.coordination["max_gap_seconds"] * 1000) == groups


def _edit(obj: dict[str, Any], campaign: int, key: str, value: Any) -> None:
    obj["campaigns"][campaign][key] = value


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda o: _edit(o, 0, "campaign", "irn"), r"campaigns\[0\]\.campaign: 'irn' is not in campaigns\.json"),
        (lambda o: o["campaigns"].pop(2), r"campaigns: 'venezuela_201906_1' must be given once, found 0"),
        (lambda o: _edit(o, 2, "urls", [["ru", "https://a.example/"], ["es", "https://b.example/"]]), r"'ru' is not a"),
        (lambda o: _edit(o, 1, "hashtags", [["fa", "One"]]), r"campaigns\[1\]\.hashtags: expected 2 or more items"),
        (lambda o: _edit(o, 0, "retweets", [["en", "a", "b"], ["en", "c"]]), r"retweets\[0\]: expected a language and"),
        (
            lambda o: _edit(o, 1, "background_urls", o["campaigns"][0]["urls"]),
            r"background_urls\[0\]: the same as campaigns\[0\]\.urls\[0\]; every item must be unique",
        ),
        (
            lambda o: _edit(o, 2, "texts", [["es", "Hola, mundo!", "hola mundo"], ["es", "HOLA MUNDO."]]),
            r"texts\[1\]: the same as campaigns\[2\]\.texts\[0\]",
        ),
        (
            lambda o: _edit(o, 2, "texts", [["es", "Hola mundo", "Adiós mundo"], ["es", "Otra cosa"]]),
            r"texts\[0\]: spellings must differ in case and punctuation only",
        ),
        (
            lambda o: _edit(o, 0, "background_text", ["en", "The Lighthouse Keepers say hello."]),
            r"background_text: holds the planted 'lighthouse keepers'",
        ),
    ],
)
def test_coordination_data_that_could_be_mistaken_is_refused(tmp_path: Path, edit: Any, message: str) -> None:
    root = tmp_path / "data"
    shutil.copytree(Path(corpus.__file__).parent / "data", root)
    path = root / "coordination.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(corpus.CorpusDataError, match=r"^coordination\.json: .*" + message):
        corpus.load(root)
