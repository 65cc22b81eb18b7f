"""End to end, as a user runs it: generate a release, `tweetsearch index` it, search it, check the books.

Every expected number comes from the generator's ground truth, never from a previous run.
"""

from __future__ import annotations

import orjson
import pytest

from search.query import build_query_from_text


@pytest.fixture(scope="module")
def release(generated_release):
    return generated_release


@pytest.fixture(scope="module")
def loaded(indexed_release):
    return indexed_release


def test_every_row_is_indexed_or_rejected(loaded):
    summary, truth = loaded["summary"], loaded["truth"]
    malformed = len(truth["malformed"])

    assert summary["indexed"] == truth["total_tweets"]
    assert summary["rejected"] == malformed
    assert summary["rows_read"] == truth["total_tweets"] + malformed
    assert summary["reconciled"] is True
    assert summary["count_matches"] is True
    assert summary["index_count"] == truth["total_tweets"]


def test_rejects_file_names_file_line_and_reason_of_each_malformed_row(loaded):
    lines = loaded["rejects"].read_bytes().splitlines()
    found = {(r["file"], r["line"], r["reason"]) for r in map(orjson.loads, lines)}
    planted = {(m["member"] or m["file"], m["line"], m["kind"]) for m in loaded["truth"]["malformed"]}

    assert found == planted


def test_loading_the_same_files_twice_leaves_the_same_count(cli, release, loaded, tmp_path):
    folder, truth = release

    result = cli("index", str(folder), "--rejects", str(tmp_path / "r.jsonl"), "--json")

    again = orjson.loads(result.stdout)
    assert result.exit_code == 0
    assert again["index_count"] == truth["total_tweets"]
    assert again["created"] == 0
    assert again["duplicates"] == truth["total_tweets"]


def test_status_counts_tweets_per_campaign(cli, loaded):
    result = cli("status", "--json")

    data = orjson.loads(result.stdout)
    per_campaign = dict(data["campaigns"])
    expected = {name: info["tweets"] for name, info in loaded["truth"]["campaigns"].items()}
    assert per_campaign == expected
    assert data["documents"] == loaded["truth"]["total_tweets"]


def test_exact_phrase_finds_every_copy_of_a_planted_quote(cli, loaded):
    quote = loaded["truth"]["quotes"][0]

    result = cli("search", f'"{quote["marker"]}"', "--count")

    assert result.exit_code == 0, result.stderr
    assert int(result.stdout) == quote["count"]


def test_search_prints_time_account_language_and_text(cli, loaded):
    quote = loaded["truth"]["quotes"][0]
    earliest = quote["earliest"]

    result = cli("search", f'"{quote["marker"]}"', "--sort", "oldest", "--limit", "1", "--format", "jsonl")

    row = orjson.loads(result.stdout.splitlines()[0])
    assert row["tweetid"] == earliest["tweetid"]
    assert row["campaign"] == earliest["campaign"]
    assert quote["marker"].lower() in row["text"].lower()
    assert row["language"] == quote["language"]


def test_hashtag_and_url_counts_equal_the_planted_counts(cli, loaded):
    truth = loaded["truth"]
    for tag in truth["hashtags"]:
        result = cli("search", f"#{tag['tag']}", "--count")
        assert int(result.stdout) == tag["count"], tag["tag"]
    for url in truth["urls"]:
        result = cli("search", f"url:{url['url']}", "--count")
        assert int(result.stdout) == url["count"], url["url"]


def test_words_match_their_inflected_forms_in_english_and_russian(cli, loaded):
    voting = int(cli("search", "voting lang:en", "--count").stdout)
    vote = int(cli("search", "vote lang:en", "--count").stdout)
    voted_exactly = int(cli("search", '"voted" lang:en', "--count").stdout)
    elections_ru = int(cli("search", "выборы lang:ru", "--count").stdout)
    election_ru_locative = int(cli("search", "выборах lang:ru", "--count").stdout)

    assert 0 < voted_exactly < voting
    assert voting == vote
    assert elections_ru > 0
    assert elections_ru == election_ru_locative


def test_a_bad_query_gets_one_line_and_exit_2(cli, loaded):
    result = cli("search", '"unbalanced')

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "quote" in result.stderr


def test_dry_run_needs_no_server(release, tmp_path):
    from typer.testing import CliRunner

    from search_cli.app import app

    folder, truth = release
    rejects = tmp_path / "r.jsonl"
    for _ in range(2):  # a second run replaces the rejects file, it does not add to it
        result = CliRunner().invoke(
            app,
            ["index", str(folder), "--dry-run", "--json", "--rejects", str(rejects)],
            env={"ELASTICSEARCH_URL": "http://127.0.0.1:9"},
        )

    assert result.exit_code == 0, result.output
    summary = orjson.loads(result.stdout)
    assert summary["indexed"] == truth["total_tweets"]
    assert summary["rejected"] == len(truth["malformed"])
    assert len(rejects.read_bytes().splitlines()) == len(truth["malformed"])


def test_explain_shows_how_the_query_was_read_and_what_is_sent(cli, loaded):
    result = cli("search", "vote campaign:ira OR campaign:iranian", "--explain", "--count")

    assert result.exit_code == 0, result.stderr
    understood, sent = result.stderr.split("\n", 1)
    assert understood == "query: vote (campaign:ira OR campaign:iranian)"
    assert orjson.loads(sent) == build_query_from_text("vote campaign:ira OR campaign:iranian")
    assert int(result.stdout) > 0


def test_csv_of_no_matches_still_has_its_header(cli, loaded):
    result = cli("search", '"no tweet says this sentence"', "--format", "csv")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "tweetid,time,userid,screen_name,campaign,language,text,retweet_count,like_count,reply_count,quote_count,"
        "is_retweet,retweeted_screen_name,in_reply_to_tweetid,quoted_tweet_tweetid,retweet_tweetid,user_mentions,"
        "mention_names,hashtags,urls,client,source_file"
    ]


def test_a_rejects_file_that_cannot_be_written_stops_with_one_line(cli, release, tmp_path):
    """A reject that cannot be written would be a row lost: the load says so and exits 1, never as a bug (70)."""
    folder, truth = release
    assert truth["malformed"], "the release has damaged rows, so a rejects file is needed"
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    rejects = blocker / "rejects.jsonl"

    result = cli("index", str(folder), "--dry-run", "--rejects", str(rejects))

    assert result.exit_code == 1, result.stderr
    assert result.stderr.strip().splitlines() == [f"error: cannot write the rejects file {rejects}: Not a directory"]


def test_a_rejects_file_that_cannot_be_written_is_refused_before_the_server_is_touched(cli, es, release, tmp_path):
    """The load stops before creating an index: no empty index or alias is left behind by a typo in --rejects."""
    folder, _ = release
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    rejects = blocker / "rejects.jsonl"
    alias = f"t-unwritable-{tmp_path.name[-6:].lower()}"

    result = cli("index", str(folder), "--rejects", str(rejects), env={"TWEETSEARCH_ALIAS": alias})

    assert result.exit_code == 1, result.stderr
    assert result.stderr.strip().splitlines() == [f"error: cannot write the rejects file {rejects}: Not a directory"]
    assert not es.indices.exists(index=f"{alias}*", allow_no_indices=False, expand_wildcards="all")
