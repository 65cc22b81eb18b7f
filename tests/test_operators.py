"""Search operators against the real server, each count checked against the generator's ground truth."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def truth(indexed_release) -> dict:
    return indexed_release["truth"]


def count(cli, query: str) -> int:
    result = cli("search", "--count", "--", query)
    assert result.exit_code == 0, result.stderr
    return int(result.stdout)


def total_of(truth: dict, key: str, name: str) -> int:
    """Sums one counter (`kinds`, `years`, `languages`) over the campaigns."""
    return sum(info[key].get(name, 0) for info in truth["campaigns"].values())


def test_campaign_and_or(cli, truth):
    campaigns = truth["campaigns"]
    for name, info in campaigns.items():
        assert count(cli, f"campaign:{name}") == info["tweets"]
    assert count(cli, "campaign:ira OR campaign:iranian") == campaigns["ira"]["tweets"] + campaigns["iranian"]["tweets"]


def test_language(cli, truth):
    for language, tweets in truth["languages"].items():
        assert count(cli, f"lang:{language}") == tweets, language


def test_retweets_and_replies_filters(cli, truth):
    retweets = total_of(truth, "kinds", "retweet")

    assert count(cli, "filter:retweets") == retweets
    assert count(cli, "-filter:retweets") == truth["total_tweets"] - retweets
    assert count(cli, "filter:replies") == total_of(truth, "kinds", "reply")
    ira = truth["campaigns"]["ira"]
    assert count(cli, "campaign:ira -filter:retweets") == ira["tweets"] - ira["kinds"].get("retweet", 0)


def test_since_is_inclusive_and_until_exclusive(cli, truth):
    for year in ("2014", "2016", "2017"):
        expected = total_of(truth, "years", year)
        assert count(cli, f"since:{year}-01-01 until:{int(year) + 1}-01-01") == expected, year


def test_a_query_may_start_with_a_minus(cli, truth):
    result = cli("search", "-filter:retweets", "--count")

    assert result.exit_code == 0, result.stderr
    assert int(result.stdout) == truth["total_tweets"] - total_of(truth, "kinds", "retweet")


def test_a_mistyped_option_is_still_an_error(cli):
    result = cli("search", "vote", "--limt", "5")

    assert result.exit_code == 2
