"""`tweetsearch url` and `account` against a generated release: who shared the planted URLs, when, where, and
what an account did, checked against the ground truth or against counts made here with plain queries."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import orjson
import pytest

from common.errors import NotAUrl
from common.urls import analyse_url
from search.lookup import url_target


@pytest.fixture(scope="module")
def truth(indexed_release) -> dict:
    return indexed_release["truth"]


def report(cli, *args: str) -> dict:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return orjson.loads(result.stdout)


def minute(value: str) -> str:
    """A report's ISO time or the ground truth's `YYYY-MM-DD HH:MM`, as `YYYY-MM-DD HH:MM`."""
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")


def disguised(url: str) -> str:
    """The same page as a user might paste it: other scheme, `www.`, a trailing slash, tracking parameters."""
    info = analyse_url(url)
    scheme, _, rest = info.normalised.partition("://")
    address, _, query = rest.partition("?")
    other = "http" if scheme == "https" else "https"
    params = "&".join(filter(None, ["utm_source=twitter", query, "fbclid=x1"]))
    return f"{other}://www.{address}/?{params}"


def test_each_planted_url_reports_its_tweets_accounts_campaigns_and_first_and_last(cli, truth):
    for url in truth["urls"]:
        times = sorted(tweet["tweet_time"] for tweet in url["tweets"])

        data = report(cli, "url", url["url"])

        assert data["target"]["kind"] == "url"
        assert data["tweets"] == url["count"]
        assert {row["value"]: row["count"] for row in data["campaigns"]} == url["campaigns"]
        assert {row["value"]: row["count"] for row in data["accounts"]} == {
            account["userid"]: account["count"] for account in url["accounts"]
        }
        assert data["accounts_total"] == len(url["accounts"])
        assert minute(data["first"]["time"]) == times[0]
        assert minute(data["last"]["time"]) == times[-1]
        assert data["first"]["tweetid"] in url["tweetids"] and data["last"]["tweetid"] in url["tweetids"]


def test_a_url_pasted_with_tracking_and_www_finds_the_same_tweets(cli, truth):
    for url in truth["urls"]:
        data = report(cli, "url", disguised(url["url"]))

        assert data["tweets"] == url["count"], disguised(url["url"])
        assert data["target"]["value"] == analyse_url(url["url"]).normalised.partition("://")[2]


def test_the_url_count_is_the_search_count(cli, truth):
    url = truth["urls"][0]["url"]

    assert report(cli, "url", url)["tweets"] == int(cli("search", f"url:{url}", "--count").stdout)


def test_a_domain_lists_the_planted_url_among_its_top_urls(cli, truth):
    for url in truth["urls"]:
        info = analyse_url(url["url"])

        data = report(cli, "url", info.domain, "--limit", "50")

        assert data["target"]["kind"] == "domain"
        assert data["tweets"] >= url["count"]
        listed = {row["value"]: row["count"] for row in data["urls"]}
        assert listed[info.normalised] == url["count"]
        assert all(analyse_url(value).domain == info.domain for value in listed)


def test_the_url_table_names_first_and_last_tweets_and_campaigns(cli, truth):
    url = truth["urls"][0]
    first = min(url["tweets"], key=lambda tweet: tweet["tweet_time"])

    result = cli("url", url["url"])

    assert result.exit_code == 0, result.stderr
    assert first["tweetid"] in result.stdout
    assert all(name in result.stdout for name in url["campaigns"])


def test_text_that_is_no_address_is_one_line_and_exit_2(cli, truth):
    result = cli("url", "not an address")

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_address_nobody_shared_is_exit_1(cli, truth):
    result = cli("url", "https://nobody-shared-this.example.org/page")

    assert result.exit_code == 1
    assert "no tweet shares nobody-shared-this.example.org/page" in result.stderr
    assert result.stdout == ""


def test_url_target_tells_urls_hosts_and_domains_apart():
    assert url_target("https://www.example.com/a/?utm_source=x").value == "example.com/a"
    assert url_target("https://www.example.com/a/?utm_source=x").kind == "url"
    assert url_target("news.bbc.co.uk").kind == "host"
    assert url_target("WWW.BBC.co.uk/").kind == "domain"
    with pytest.raises(NotAUrl):
        url_target("hello")


# account


def account_tweets(es, alias: str, userid: str) -> tuple[int, Counter, str | None]:
    """Counted here with plain queries: the account's tweets, per campaign, and its screen name."""
    total = es.count(index=alias, query={"term": {"userid": userid}}).body["count"]
    answer = es.search(
        index=alias, query={"term": {"userid": userid}}, size=1000, source_includes=["campaign", "user_screen_name"]
    ).body
    sources = [hit["_source"] for hit in answer["hits"]["hits"]]
    return total, Counter(source["campaign"] for source in sources), sources[0].get("user_screen_name")


def test_an_account_that_shared_a_planted_url_has_its_tweet_count(cli, es, alias, truth):
    top = {account["userid"]: account["tweets"] for c in truth["campaigns"].values() for account in c["top_accounts"]}
    for url in truth["urls"]:
        for account in url["accounts"]:
            total, campaigns, _ = account_tweets(es, alias, account["userid"])

            data = report(cli, "account", account["userid"])

            assert data["profile"]["userid"] == account["userid"]
            assert data["tweets"] == top.get(account["userid"], total) == total
            assert {row["value"]: row["count"] for row in data["campaigns"]} == dict(campaigns)
            assert data["first"]["time"] <= data["last"]["time"]


def test_an_account_by_screen_name_in_any_case_with_at(cli, es, alias, truth):
    userid = next(a["userid"] for url in truth["urls"] for a in url["accounts"] if a["userid"].isdigit())
    total, _, screen_name = account_tweets(es, alias, userid)
    assert screen_name and screen_name != userid

    data = report(cli, "account", "@" + screen_name.swapcase())

    assert data["profile"]["userid"] == userid
    assert data["profile"]["screen_name"] == screen_name
    assert data["tweets"] == total
    assert sum(row["count"] for row in data["languages"]) == total
    assert data["namesakes"] == []


def test_the_most_active_account_s_profile_and_facets(cli, truth):
    campaign = truth["campaigns"]["ira"]
    busiest = campaign["top_accounts"][0]

    data = report(cli, "account", busiest["userid"], "--limit", "100")

    assert data["tweets"] == busiest["tweets"]
    assert {row["value"] for row in data["campaigns"]} == {"ira"}
    assert sum(row["count"] for row in data["clients"]) == busiest["tweets"]
    assert data["profile"]["created"] is not None
    assert data["profile"]["followers"] is not None


def test_an_unknown_account_is_one_line_and_exit_1(cli, truth):
    result = cli("account", "@nobody_here_at_all")

    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "nobody_here_at_all" in result.stderr
