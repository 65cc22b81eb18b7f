"""`tweetsearch top` and `timeline` against a generated release: every count checked against the ground truth."""

from __future__ import annotations

import importlib.util
from collections import Counter

import orjson
import pytest

from search.aggregate import FIELDS, top_values
from search_cli.render.charts import bar, fit_rows


@pytest.fixture(scope="module")
def truth(indexed_release) -> dict:
    return indexed_release["truth"]


def top_json(cli, *args: str) -> dict:
    result = cli("top", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return orjson.loads(result.stdout)


def as_counts(result: dict) -> dict[str, int]:
    return {row["value"]: row["count"] for row in result["counts"]}


def test_top_hashtags_has_each_planted_hashtag_with_its_exact_count(cli, truth):
    result = top_json(cli, "hashtags", "--limit", "1000")

    counts = as_counts(result)
    for tag in truth["hashtags"]:
        assert counts[tag["tag"].lower()] == tag["count"], tag["tag"]
    assert result["counts_exact"] is True
    assert result["error_bound"] == 0
    assert result["other"] == 0
    assert result["tweets"] == truth["total_tweets"]


def test_top_campaigns_are_the_tweets_per_campaign(cli, truth):
    result = top_json(cli, "campaigns")

    assert as_counts(result) == {name: campaign["tweets"] for name, campaign in truth["campaigns"].items()}
    assert result["without_value"] == 0


def test_top_languages_are_the_tweets_per_language(cli, truth):
    result = top_json(cli, "languages", "-n", "100")

    assert as_counts(result) == truth["languages"]
    assert result["distinct"] == len(truth["languages"])


def test_a_query_narrows_what_is_counted(cli, truth):
    tag = truth["hashtags"][0]

    result = top_json(cli, "campaigns", f"#{tag['tag']}")

    assert result["tweets"] == tag["count"]
    assert as_counts(result) == tag["campaigns"]
    for row in result["counts"]:
        assert row["percent"] == pytest.approx(100 * row["count"] / tag["count"], abs=0.01)


def test_top_accounts_counts_tweets_per_userid_with_the_screen_name(es, alias, truth):
    campaign, expected = next(iter(truth["campaigns"].items()))

    result = top_values(es, alias, "accounts", f"campaign:{campaign}", limit=100)

    counts = {count.value: count.count for count in result.counts}
    for account in expected["top_accounts"]:
        assert counts[account["userid"]] == account["tweets"]
    assert all(count.screen_name for count in result.counts)
    assert result.distinct == expected["users"]


def test_an_unknown_field_gets_one_line_with_the_valid_ones_and_exit_2(cli, truth):
    result = cli("top", "retweeters")

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert all(name in result.stderr for name in FIELDS)


def test_a_singular_field_name_is_accepted(cli, truth):
    assert as_counts(top_json(cli, "Campaign")) == as_counts(top_json(cli, "campaigns"))


def test_csv_rows_and_the_table_carry_the_same_counts(cli, truth):
    csv = cli("top", "campaigns", "--format", "csv")
    table = cli("top", "campaigns")

    lines = csv.stdout.strip().splitlines()
    assert lines[0].startswith("value,count,percent")
    assert {line.split(",")[0]: int(line.split(",")[1]) for line in lines[1:]} == {
        name: campaign["tweets"] for name, campaign in truth["campaigns"].items()
    }
    assert table.exit_code == 0
    for name, campaign in truth["campaigns"].items():
        assert name in table.stdout and f"{campaign['tweets']:,}" in table.stdout
    assert "counts are exact" in table.stdout


def years_in(truth: dict) -> Counter:
    years: Counter = Counter()
    for campaign in truth["campaigns"].values():
        years.update({year: count for year, count in campaign["years"].items()})
    return years


def test_timeline_by_year_equals_the_tweets_per_year(cli, truth):
    result = cli("timeline", "--interval", "year", "--json")

    series = orjson.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert {bucket["label"]: bucket["count"] for bucket in series["buckets"]} == dict(years_in(truth))
    assert series["tweets"] == truth["total_tweets"]


def test_timeline_fills_gaps_with_zeros_and_spans_since_until(cli, truth):
    years = years_in(truth)
    low, high = int(min(years)) - 2, int(max(years)) + 2

    result = cli("timeline", f"since:{low}-01-01 until:{high + 1}-01-01", "--interval", "year", "--format", "jsonl")

    buckets = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [bucket["label"] for bucket in buckets] == [str(year) for year in range(low, high + 1)]
    assert [bucket["count"] for bucket in buckets] == [years.get(str(year), 0) for year in range(low, high + 1)]


def test_timeline_by_month_has_every_month_and_every_tweet(cli, truth):
    series = orjson.loads(cli("timeline", "--interval", "month", "--json").stdout)

    months = [bucket["label"] for bucket in series["buckets"]]
    assert sum(bucket["count"] for bucket in series["buckets"]) == truth["total_tweets"]
    index = [int(label[:4]) * 12 + int(label[5:]) for label in months]
    assert index == list(range(index[0], index[0] + len(index)))
    assert months[0] == series["first"][:7] and months[-1] == series["last"][:7]


def test_timeline_in_the_terminal_draws_one_bar_per_year(cli, truth):
    result = cli("timeline", "--interval", "year")

    for year, count in years_in(truth).items():
        line = next(line for line in result.stdout.splitlines() if line.startswith(year))
        assert f"{count:,}" in line and "█" in line


def test_timeline_plot_writes_a_png_or_says_how_to_install_matplotlib(cli, truth, tmp_path):
    picture = tmp_path / "timeline.png"

    result = cli("timeline", "--interval", "year", "--plot", str(picture))

    if importlib.util.find_spec("matplotlib") is None:
        assert result.exit_code == 1
        assert "pip install 'tweetsearch[plot]'" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not picture.exists()
    else:
        assert result.exit_code == 0, result.stderr
        assert picture.read_bytes().startswith(b"\x89PNG")


def test_an_unknown_interval_is_one_line_and_exit_2(cli, truth):
    result = cli("timeline", "--interval", "fortnight")

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: Invalid value for '--interval' / '-i': 'fortnight' is not one of 'day', 'week', 'month', 'year'."
    )


# Terminal drawing, no server needed.


def test_bars_are_proportional_and_a_small_count_still_shows():
    assert bar(10, 10, 5) == "█████"
    assert bar(5, 10, 5) == "██▌"
    assert bar(1, 1000, 5) == "▏"
    assert bar(0, 10, 5) == ""


def test_long_series_fold_empty_runs_then_group_keeping_the_total():
    labels = [str(n) for n in range(12)]
    counts = [5, 0, 0, 0, 0, 3, 0, 2, 0, 0, 0, 1]

    folded = fit_rows(labels, counts, 8)
    grouped = fit_rows(labels, counts, 3)

    assert [(row.label, row.count) for row in folded] == [
        ("0", 5), ("1 … 4", 0), ("5", 3), ("6", 0), ("7", 2), ("8 … 10", 0), ("11", 1)
    ]  # fmt: skip
    assert [row.count for row in grouped] == [5, 5, 1]
    assert [row.buckets for row in grouped] == [4, 4, 4]
    assert fit_rows(labels, counts, 0) == fit_rows(labels, counts, 12)
    assert len(fit_rows(labels, counts, 0)) == 12


@pytest.mark.parametrize("field", ["hashtags", "urls", "mentions"])
def test_tweets_without_a_value_are_counted_with_and_without_a_query(cli, es, alias, truth, field):
    """`without_value` is the tweets matching the query that have no value in the field, and with the counted
    values' tweets it covers the query: checked against the server's own exists/must_not counts."""
    from search.aggregate import field_for

    index_field = field_for(field)
    for query in ("", "lang:en"):
        result = top_json(cli, field, *([query] if query else []))
        matched = {"match_all": {}} if not query else {"term": {"tweet_language": "en"}}
        missing = {"bool": {"filter": [matched], "must_not": [{"exists": {"field": index_field}}]}}
        assert result["without_value"] == es.count(index=alias, query=missing).body["count"]
        assert 0 < result["without_value"] < result["tweets"]


def test_timeline_counts_tweets_without_a_time_or_a_campaign_exactly(es, alias):
    """Tweets with no time are in no bucket and tweets with no campaign in no campaign: both are counted (as
    what the buckets leave over) and said, in a series with and without the split by campaign."""
    from common.mapping import ensure_index
    from search.aggregate import NO_CAMPAIGN, timeline

    bare = f"{alias}-bare"
    index = ensure_index(es, bare)
    documents = [
        {"tweetid": "1", "campaign": "ira", "tweet_time": "2016-03-01T10:00:00Z"},
        {"tweetid": "2", "campaign": "ira", "tweet_time": "2016-05-01T10:00:00Z"},
        {"tweetid": "3", "campaign": "iran"},
        {"tweetid": "4", "tweet_time": "2016-05-02T10:00:00Z"},
        {"tweetid": "5"},
    ]
    for document in documents:
        es.index(index=index, id=document["tweetid"], document=document)
    es.indices.refresh(index=index)

    for by in (None, "campaign"):
        series = timeline(es, bare, interval="month", by=by)
        assert (series.tweets, series.without_time) == (5, 2)
        assert sum(bucket.count for bucket in series.buckets) == 3
        assert series.campaigns == {"ira": 2, "iran": 1, NO_CAMPAIGN: 2}
    split = timeline(es, bare, interval="month", by="campaign")
    may = next(bucket for bucket in split.buckets if bucket.label == "2016-05")
    assert may.campaigns == {"ira": 1, "iran": 0, NO_CAMPAIGN: 1}


def _tweets_per_account(es, alias: str) -> dict[str, int]:
    """Every userid's tweets, counted over the tweets index itself: what `top accounts` must say."""
    answer = es.search(index=alias, size=0, aggs={"a": {"terms": {"field": "userid", "size": 65_000}}}).body
    return {bucket["key"]: bucket["doc_count"] for bucket in answer["aggregations"]["a"]["buckets"]}


def test_top_accounts_of_the_whole_archive_are_read_from_the_accounts_index(es, alias, truth, monkeypatch):
    """No query: the accounts index's counts, which are the tweets index's own, in the same order (most tweets,
    then userid), with the same totals; the tweets are not counted again."""
    from search import profiles

    asked = []
    real = profiles.account_totals
    monkeypatch.setattr(profiles, "account_totals", lambda *args: asked.append(args) or real(*args))
    expected = _tweets_per_account(es, alias)
    ordered = sorted(expected.items(), key=lambda item: (-item[1], item[0]))

    for limit in (10, len(expected) + 5):
        result = top_values(es, alias, "accounts", limit=limit)

        assert [(count.value, count.count) for count in result.counts] == ordered[:limit]
        assert all(count.screen_name for count in result.counts)
        assert (result.tweets, result.distinct, result.error_bound) == (truth["total_tweets"], len(expected), 0)
        assert result.other == sum(expected.values()) - sum(count.count for count in result.counts)
        assert result.without_value == truth["total_tweets"] - sum(expected.values())
    assert len(asked) == 2


def test_top_accounts_count_the_tweets_when_the_accounts_index_does_not_add_up(cli, es, alias, generated_release):
    """A tweet written after the accounts (a load stopped before them) is in no account: the top accounts of the
    whole archive are then counted over the tweets, and the new tweet's account is among them."""
    folder, truth = generated_release
    stale = f"{alias}-stale"
    loaded = cli("index", str(folder), env={"TWEETSEARCH_ALIAS": stale})
    assert loaded.exit_code == 0, loaded.stderr
    es.index(index=stale, id="999", document={"tweetid": "999", "userid": "latecomer", "campaign": "ira"})
    es.indices.refresh(index=stale)

    result = top_values(es, stale, "accounts", limit=10_000)

    counts = {count.value: count.count for count in result.counts}
    assert counts == _tweets_per_account(es, stale)
    assert counts["latecomer"] == 1 and result.tweets == truth["total_tweets"] + 1
