"""What `tweetsearch search` prints, against the real server: tweets a fact-checker can cite (id, counts, the
account), laid out for the terminal's width, with hostile archived text shown and never obeyed; and JSON, JSON
lines and CSV carrying the citation fields, typed, without highlight markers."""

from __future__ import annotations

import csv
import io

import orjson
import pytest
from archive_samples import IRA_HASH, ira_row, quoted_csv, write
from rich.cells import cell_len

from search.tweets import HIGHLIGHT_END, HIGHLIGHT_START, highlight_spans, is_hashed_id

HOSTILE = "lighthouse clear \x1b[2J ring \x07 csi \x9b31m evil \u202etxt.exe [bold]x[/bold] [/] done"
SCRIPTS = "lighthouse выборы в Огайо / الانتخابات في أوهايو / انتخابات در اوهایو"
PROFILE = "[bold]boss[/bold] \x1b]0;pwned\x07 [/]"
LONG = "lighthouse " + " ".join(f"w{n:03d}" for n in range(1, 50))
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", HIGHLIGHT_START, HIGHLIGHT_END)
WIDTHS = (40, 60, 80, 100, 200)

ROWS = [
    ira_row(
        tweetid="900000000000000001",
        userid=IRA_HASH,
        user_screen_name=IRA_HASH,
        user_display_name=IRA_HASH,
        tweet_text="lighthouse from a hashed account",
        tweet_time="2016-01-01 10:00",
        retweet_count="5",
        like_count="6",
    ),
    ira_row(
        tweetid="900000000000000002",
        tweet_text=HOSTILE,
        tweet_time="2016-01-02 10:00",
        retweet_count="41",
        like_count="97",
    ),
    ira_row(tweetid="900000000000000003", tweet_text=SCRIPTS, tweet_time="2016-01-03 10:00", tweet_language="ru"),
    ira_row(
        tweetid="900000000000000004",
        tweet_text=LONG,
        tweet_time="2016-01-04 10:00",
        retweet_count="1234",
        like_count="5678",
    ),
    ira_row(
        tweetid="900000000000000005",
        tweet_text="RT @Someone: the lighthouse again https://t.co/AbCdEf1234",
        tweet_time="2016-01-05 10:00",
        is_retweet="true",
        retweet_tweetid="800000000000000001",
        retweet_userid="11",
        in_reply_to_tweetid="800000000000000002",
        quoted_tweet_tweetid="800000000000000003",
        user_mentions="[11, 12]",
        hashtags="[MAGA, Vote]",
        urls="[https://a.example.org/x?utm_source=tw, http://b.example.net/y]",
        like_count="",
        user_profile_description=PROFILE,
        user_reported_location="\u202eASU",
    ),
]


@pytest.fixture(scope="module")
def loaded(cli, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("release")
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv(ROWS))
    result = cli("index", str(folder), "--rejects", str(folder / "rejects.jsonl"), "--json")
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["rejected"] == 0


def shown(cli, width: int, *args: str) -> str:
    result = cli("search", "lighthouse", "--sort", "oldest", *args, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("width", WIDTHS)
def test_each_tweet_shows_its_id_counts_and_every_word_at_any_width(cli, loaded, width):
    output = shown(cli, width)

    for row in ROWS:
        assert row["tweetid"] in output
    for count in ("41", "97", "1,234", "5,678"):
        assert count in output
    words = output.split()
    for text in (LONG, SCRIPTS):
        for word in text.split():
            assert word in words, (width, word)
    assert "[bold]x[/bold]" in output  # markup in a tweet prints as written
    assert max(cell_len(line) for line in output.splitlines()) <= width


def test_an_unknown_count_is_a_question_mark_not_a_zero(cli, loaded):
    output = shown(cli, 60, "--limit", "1", "--sort", "newest")

    assert "900000000000000005" in output
    assert "? likes" in output


@pytest.mark.parametrize("width", WIDTHS)
def test_a_hashed_account_is_cut_in_the_middle_without_at_and_names_keep_it(cli, loaded, width):
    output = shown(cli, width)

    assert f"{IRA_HASH[:4]}…{IRA_HASH[-4:]}" in output
    assert IRA_HASH not in output
    assert "@" + IRA_HASH[:4] not in output
    assert "@Jenn_Abrams" in output


def test_a_narrow_terminal_gets_one_block_per_tweet_and_a_wide_one_a_table(cli, loaded):
    narrow, wide = shown(cli, 60), shown(cli, 200)

    assert "tweet id" not in narrow and "│" not in narrow
    facts = next(line for line in narrow.splitlines() if line.startswith("900000000000000002"))
    assert "2016-01-02 10:00 UTC" in facts
    assert "tweet id" in wide and "│" in wide
    table_row = next(line for line in wide.splitlines() if "900000000000000002" in line)
    assert "@Jenn_Abrams" in table_row and "41" in table_row and "lighthouse clear" in table_row


@pytest.mark.parametrize("width", WIDTHS)
def test_control_characters_are_shown_never_sent_to_the_terminal(cli, loaded, width):
    output = shown(cli, width)

    for char in RAW_CONTROLS:
        assert char not in output, repr(char)
    assert "␛[2J" in output and "␇" in output
    assert "<U+009B>31m" in output and "<U+202E>txt.exe" in output


def test_account_top_and_url_show_archived_values_safe_and_literal(cli, loaded):
    account = cli("account", "Jenn_Abrams", env={"COLUMNS": "120"})
    top = cli("top", "accounts", env={"COLUMNS": "120"})
    url = cli("url", "b.example.net", env={"COLUMNS": "120"})

    for result in (account, top, url):
        assert result.exit_code == 0, result.stderr
        for char in RAW_CONTROLS:
            assert char not in result.stdout, repr(char)
    assert "[bold]boss[/bold] ␛]0;pwned␇ [/]" in account.stdout  # the profile, literally
    assert "<U+202E>ASU" in account.stdout
    assert "tweet 900000000000000002: lighthouse clear ␛[2J" in account.stdout  # the first tweet
    assert "@Jenn_Abrams (2572896396)" in top.stdout
    assert f"{IRA_HASH[:4]}…{IRA_HASH[-4:]}" in top.stdout and "@" + IRA_HASH[:4] not in top.stdout
    assert "tweet 900000000000000005" in url.stdout


def test_json_carries_the_citation_fields_typed(cli, loaded):
    result = cli("search", "lighthouse", "--sort", "oldest", "--json")

    assert result.exit_code == 0, result.stderr
    data = orjson.loads(result.stdout)
    assert data["total"] == len(ROWS)
    rows = {row["tweetid"]: row for row in data["rows"]}
    assert rows["900000000000000002"]["text"] == HOSTILE  # as archived
    assert rows["900000000000000002"]["retweet_count"] == 41
    assert rows["900000000000000002"]["like_count"] == 97
    assert rows["900000000000000002"]["is_retweet"] is False
    assert rows["900000000000000001"]["userid"] == IRA_HASH == rows["900000000000000001"]["screen_name"]
    retweet = rows["900000000000000005"]
    assert retweet["is_retweet"] is True
    assert retweet["like_count"] is None and retweet["reply_count"] == 3 and retweet["quote_count"] == 0
    assert retweet["retweet_tweetid"] == "800000000000000001"
    assert retweet["in_reply_to_tweetid"] == "800000000000000002"
    assert retweet["quoted_tweet_tweetid"] == "800000000000000003"
    assert retweet["user_mentions"] == ["11", "12"]
    assert retweet["mention_names"] == ["someone"]
    assert retweet["hashtags"] == ["maga", "vote"]
    assert retweet["urls"] == ["https://a.example.org/x?utm_source=tw", "http://b.example.net/y"]  # as published
    assert retweet["campaign"] == "ira"
    assert retweet["source_file"] == "ira_tweets_csv_hashed.csv"
    assert retweet["client"] == "Twitter Web Client"
    assert retweet["time"].startswith("2016-01-05T10:00:00")
    assert "highlights" not in retweet and "highlighted" not in retweet


def test_jsonl_and_csv_hold_the_same_rows_in_a_stable_column_order(cli, loaded):
    jsonl = cli("search", "lighthouse", "--sort", "oldest", "--format", "jsonl")
    table = cli("search", "lighthouse", "--sort", "oldest", "--format", "csv")

    assert jsonl.exit_code == 0 and table.exit_code == 0
    lines = [orjson.loads(line) for line in jsonl.stdout.splitlines()]
    records = list(csv.DictReader(io.StringIO(table.stdout, newline="")))
    header = table.stdout.splitlines()[0].split(",")
    assert header == list(lines[0])
    assert header[:7] == ["tweetid", "time", "userid", "screen_name", "campaign", "language", "text"]
    assert [record["tweetid"] for record in records] == [row["tweetid"] for row in ROWS]
    assert records[1]["text"] == HOSTILE
    retweet = records[-1]
    assert retweet["is_retweet"] == "true" and records[0]["is_retweet"] == "false"
    assert retweet["hashtags"] == "maga|vote"
    assert retweet["urls"] == "https://a.example.org/x?utm_source=tw|http://b.example.net/y"
    assert retweet["like_count"] == "" and retweet["retweet_count"] == "7"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_no_highlight_marker_reaches_a_file(cli, loaded, fmt):
    result = cli("search", "lighthouse", "--format", fmt)

    assert result.exit_code == 0, result.stderr
    assert HIGHLIGHT_START not in result.stdout and HIGHLIGHT_END not in result.stdout
    assert "\\u0002" not in result.stdout and "\\u0003" not in result.stdout


def test_highlight_spans_are_dropped_when_the_tweet_holds_the_markers_itself():
    marked = f"{HIGHLIGHT_START}vote{HIGHLIGHT_END} now"

    assert highlight_spans(marked, "vote now") == ((0, 4),)
    assert highlight_spans(f"a {HIGHLIGHT_START}b{HIGHLIGHT_END} c {HIGHLIGHT_START}d{HIGHLIGHT_END}", "a b c d") == (
        (2, 3),
        (6, 7),
    )
    assert highlight_spans(f"\x02x{HIGHLIGHT_START}vote{HIGHLIGHT_END}", "\x02xvote") == ()
    assert highlight_spans(marked, "something else") == ()


@pytest.mark.parametrize(
    ("value", "hashed"),
    [
        (IRA_HASH, True),
        ("kPDnKz2Wf8yYBzV5gUeGX1PA1qZ1n5t3IBc5vZlYyPc=", True),
        ("Jenn_Abrams", False),
        ("2572896396", False),
        (None, False),
        (IRA_HASH.upper(), False),
    ],
)
def test_hashed_ids_are_told_from_screen_names(value, hashed):
    assert is_hashed_id(value) is hashed
