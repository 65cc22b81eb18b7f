"""`tweetsearch quote`: whole tweet or passage, the citation block (`--cite`), the NEAR legend, and grammar.

The archive here is written row by row, so every count is known: a quote posted as a whole tweet three times
(by two accounts, once as a retweet, once with curly quotes and a t.co link) and inside five longer tweets (by
four accounts, two campaigns), a truncated retweet of it, a quote with more copies than a citation lists, a
quote posted only inside longer tweets, and one posted once by an account whose screen name holds Markdown's
special characters and a control character.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from archive_samples import ira_row, quoted_csv, write

from search.citation import found_sentence, markdown_escape, verdict_line
from search.quote import DIFFERENCE_LEGEND, check_quote, is_whole_tweet, quote_words

NEAR_EXIT, NOT_FOUND_EXIT = 10, 11
LIGHTHOUSE = "The lighthouse keepers of Ohio counted the ballots twice and nobody asked them why."
CUT_RETWEET = "RT @keeper_one: The lighthouse keepers of Ohio counted the…"
LANTERNS = "Nobody counted the lanterns in the harbour at midnight"
SEAGULLS = "seagulls voted in the harbour election"
ODD = "Seventeen violins quarrelled over the last parking space in Tulsa"
ODD_NAME = "ev*il_[x]|\x07bot"
UNPLANTED = "Purple giraffes negotiate quietly with the submarine choir before breakfast."
START = datetime(2016, 3, 1, 9, 0, tzinfo=UTC)
IRA_FILE = "ira_tweets_csv_hashed.csv"
IRANIAN_FILE = "iranian_tweets_csv_hashed.csv"


def at(hours: int) -> str:
    return (START + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")


def iso(hours: int) -> str:
    return (START + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def row(tweetid: str, hours: int, user: str, text: str, *, retweet_of: str = "", **changes: str) -> dict[str, str]:
    """A tweet by account `user` (its userid is `9` + the name's length + its letters' codes)."""
    fields = {
        "tweetid": tweetid,
        "userid": userid(user),
        "user_screen_name": user,
        "user_display_name": user,
        "tweet_text": text,
        "tweet_time": at(hours),
        "hashtags": "[]",
        "urls": "[]",
        "is_retweet": "true" if retweet_of else "false",
        "retweet_userid": userid(retweet_of) if retweet_of else "",
        "retweet_tweetid": "700000000000000001" if retweet_of else "",
    }
    fields.update(changes)
    return ira_row(**fields)


def userid(user: str) -> str:
    return str(1000 + sum(ord(ch) * (i + 1) for i, ch in enumerate(user)))


# (tweetid, hours after START, account, text, retweeted account). Tweet ids do not follow time: the citation
# must order by time.
LIGHTHOUSE_WHOLE = [
    ("700000000000000001", 0, "keeper_one", LIGHTHOUSE, ""),
    ("600000000000000002", 5, "keeper_two", f"RT @keeper_one: {LIGHTHOUSE}", "keeper_one"),
    ("800000000000000003", 9, "keeper_two", f"“{LIGHTHOUSE.upper()}” https://t.co/Zx81kQ2mP", ""),
]
LIGHTHOUSE_PASSAGES = [
    ("650000000000000004", 2, "relay_three", f"Breaking: {LIGHTHOUSE} #ohio", ""),
    ("750000000000000005", 3, "relay_four", f"{LIGHTHOUSE} Share this!", ""),
    ("550000000000000006", 7, "relay_five", f"RT @relay_three: Breaking: {LIGHTHOUSE}", "relay_three"),
    ("850000000000000007", 11, "relay_four", f"Read: {LIGHTHOUSE.lower()}", ""),
]
LIGHTHOUSE_IRANIAN = ("870000000000000008", 13, "relay_six", f"{LIGHTHOUSE} @someone")
CUT = ("720000000000000009", 15, "cutter_seven", CUT_RETWEET, "keeper_one")
LANTERN_COPIES = [
    (str(900000000000000100 - n), 100 + n, f"lantern_{n % 3}", LANTERNS if n % 4 else f"{LANTERNS} #harbour")
    for n in range(25)
]
SEAGULL_COPIES = [
    ("910000000000000001", 200, "gull_watch", f"Unbelievable: {SEAGULLS}, say witnesses"),
    ("910000000000000002", 201, "gull_watch", f"{SEAGULLS} #gulls"),
]
ODD_COPY = ("920000000000000001", 300, ODD_NAME, ODD)
# A `"` between Hebrew letters is part of the word (צה"ל) for the server's tokenizer; a search query cannot
# hold it, and without it the words differ.
HEBREW = 'הודעת צה"ל על התרגיל בצפון'
HEBREW_COPY = ("930000000000000001", 400, "hebrew_news", HEBREW)


@pytest.fixture(scope="module")
def archive(cli, tmp_path_factory) -> dict[str, str]:
    """Both release files loaded into the module's alias; the index name the alias points to."""
    folder = tmp_path_factory.mktemp("quote-cite")
    ira = [row(tid, hours, user, text, retweet_of=of) for tid, hours, user, text, of in LIGHTHOUSE_WHOLE]
    ira += [row(tid, hours, user, text, retweet_of=of) for tid, hours, user, text, of in LIGHTHOUSE_PASSAGES]
    ira.append(row(*CUT[:4], retweet_of=CUT[4]))
    ira += [row(*copy) for copy in LANTERN_COPIES]
    ira += [row(*copy) for copy in SEAGULL_COPIES]
    ira.append(row(*ODD_COPY))
    ira.append(row(*HEBREW_COPY, tweet_language="he"))
    write(folder / IRA_FILE, quoted_csv(ira))
    write(folder / IRANIAN_FILE, quoted_csv([row(*LIGHTHOUSE_IRANIAN)]))
    result = cli("index", str(folder), "--rejects", str(folder / "rejects.jsonl"), "--json")
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["indexed"] == len(ira) + 1
    return {"folder": str(folder)}


@pytest.fixture(scope="module")
def index_name(es, alias, archive) -> str:
    (name,) = es.indices.get_alias(name=alias).body
    return name


def checked(cli, *args: str) -> tuple[int, dict]:
    result = cli("quote", *args, "--json")
    assert result.exit_code in (0, NEAR_EXIT, NOT_FOUND_EXIT), result.stderr
    return result.exit_code, orjson.loads(result.stdout)


def lighthouse_copies() -> list[tuple[str, int, str, bool]]:
    """(tweetid, hours, account, whole tweet) of every tweet carrying LIGHTHOUSE, oldest first."""
    copies = [(tid, hours, user, True) for tid, hours, user, _, _ in LIGHTHOUSE_WHOLE]
    copies += [(tid, hours, user, False) for tid, hours, user, _, _ in LIGHTHOUSE_PASSAGES]
    copies.append((LIGHTHOUSE_IRANIAN[0], LIGHTHOUSE_IRANIAN[1], LIGHTHOUSE_IRANIAN[2], False))
    return sorted(copies, key=lambda copy: copy[1])


# --------------------------------------------------------------------------------------------------------------
# Whole tweet or passage.


def test_a_quote_posted_whole_and_inside_longer_tweets_gets_both_counts(cli, archive):
    code, verdict = checked(cli, LIGHTHOUSE)

    assert code == 0
    assert verdict["verdict"] == "EXACT"
    assert verdict["whole_tweet"] is True
    assert (verdict["whole_tweets"], verdict["whole_accounts"]) == (3, 2)
    assert (verdict["passage_tweets"], verdict["passage_accounts"]) == (5, 4)
    assert verdict["split_exact"] is True
    assert verdict["classified"] == verdict["tweets"] == 8
    assert verdict["citation"] is None


def test_the_panel_says_what_was_found_in_one_sentence(cli, archive):
    result = cli("quote", LIGHTHOUSE)

    assert result.exit_code == 0
    assert "a whole tweet (3 tweets by 2 accounts), and a passage inside 5 longer tweets by 4 accounts" in (
        " ".join(result.stdout.split())
    )


def test_a_quote_only_inside_longer_tweets_is_a_passage_with_singular_and_plural_right(cli, archive):
    code, verdict = checked(cli, SEAGULLS)
    panel = " ".join(cli("quote", SEAGULLS).stdout.split())

    assert code == 0
    assert verdict["whole_tweet"] is False
    assert (verdict["whole_tweets"], verdict["passage_tweets"], verdict["passage_accounts"]) == (0, 2, 1)
    assert "found a passage inside 2 longer tweets by 1 account" in panel
    assert "posted 2 tweets by 1 account" in panel
    assert "whole tweet" not in panel


def test_one_copy_by_one_account_is_said_in_the_singular(cli, archive):
    code, verdict = checked(cli, ODD)
    panel = " ".join(cli("quote", ODD).stdout.split())

    assert code == 0
    assert (verdict["whole_tweets"], verdict["whole_accounts"], verdict["passage_tweets"]) == (1, 1, 0)
    assert "found a whole tweet (1 tweet by 1 account)" in panel
    assert "posted 1 tweet by 1 account" in panel
    assert "1 tweets" not in panel
    assert "1 accounts" not in panel


def test_a_pasted_truncated_retweet_is_whole_for_the_cut_copy_and_a_passage_of_the_full_ones(cli, archive):
    code, verdict = checked(cli, CUT_RETWEET)

    assert code == 0
    assert verdict["truncated"] is True
    assert (verdict["whole_tweets"], verdict["whole_accounts"]) == (1, 1)
    assert (verdict["passage_tweets"], verdict["passage_accounts"]) == (8, 6)


def test_counts_past_the_classify_limit_are_flagged_as_lower_bounds(es, alias, archive):
    verdict = check_quote(es, alias, LANTERNS, classify_limit=10)

    assert verdict.tweets == 25
    assert verdict.classified == 10
    assert verdict.split_exact is False
    assert verdict.whole_tweets + verdict.passage_tweets == 10
    sentence = found_sentence(verdict)
    assert "at least" in sentence
    assert "only the oldest 10 of the 25 tweets were read" in sentence


def test_the_lantern_counts_are_exact_within_the_limit(es, alias, archive):
    verdict = check_quote(es, alias, LANTERNS)
    passages = [copy for copy in LANTERN_COPIES if copy[3] != LANTERNS]

    assert verdict.split_exact is True
    assert (verdict.whole_tweets, verdict.passage_tweets) == (25 - len(passages), len(passages))
    assert verdict.whole_accounts == 3
    assert verdict.passage_accounts == len({copy[2] for copy in passages})


@pytest.mark.parametrize(
    ("tweet", "whole"),
    [
        (LIGHTHOUSE, True),
        (f"RT @someone: {LIGHTHOUSE}", True),
        (f"“{LIGHTHOUSE.upper()}” https://t.co/AbC123", True),
        (LIGHTHOUSE.rstrip(".") + "…", True),
        (f"{LIGHTHOUSE} #ohio", False),
        (f"{LIGHTHOUSE} https://example.com/story", False),
        (f"Breaking: {LIGHTHOUSE}", False),
        ("The lighthouse keepers of Ohio counted the ballots twice", False),
    ],
)
def test_a_whole_tweet_is_the_quote_s_words_and_nothing_more(tweet, whole):
    assert is_whole_tweet(quote_words(LIGHTHOUSE), tweet) is whole


def test_a_cut_quote_s_last_word_may_be_a_prefix_of_the_whole_tweet_s():
    words = quote_words("The lighthouse keepers of Ohio coun…")

    assert is_whole_tweet(words, "The lighthouse keepers of Ohio counted", truncated=True)
    assert not is_whole_tweet(words, "The lighthouse keepers of Ohio counted", truncated=False)
    assert not is_whole_tweet(words, "The lighthouse keepers of Ohio counted twice", truncated=True)


# --------------------------------------------------------------------------------------------------------------
# The citation.


def test_the_citation_lists_every_copy_oldest_first_with_its_release_file(cli, archive):
    _, verdict = checked(cli, LIGHTHOUSE, "--cite")

    citation = verdict["citation"]
    expected = lighthouse_copies()
    assert [copy["tweetid"] for copy in citation["copies"]] == [tid for tid, _, _, _ in expected]
    assert [copy["time"] for copy in citation["copies"]] == [iso(hours) for _, hours, _, _ in expected]
    assert [copy["screen_name"] for copy in citation["copies"]] == [user for _, _, user, _ in expected]
    assert [copy["userid"] for copy in citation["copies"]] == [userid(user) for _, _, user, _ in expected]
    assert [copy["whole_tweet"] for copy in citation["copies"]] == [whole for _, _, _, whole in expected]
    files = {copy["tweetid"]: copy["source_file"] for copy in citation["copies"]}
    campaigns = {copy["tweetid"]: copy["campaign"] for copy in citation["copies"]}
    assert files.pop(LIGHTHOUSE_IRANIAN[0]) == IRANIAN_FILE
    assert set(files.values()) == {IRA_FILE}
    assert campaigns.pop(LIGHTHOUSE_IRANIAN[0]) == "iranian"
    assert set(campaigns.values()) == {"ira"}
    assert citation["more"] == 0


def test_the_text_citation_says_what_was_checked_against_what_and_when(cli, alias, index_name, archive):
    before = datetime.now(UTC).replace(microsecond=0)
    result = cli("quote", f"“{LIGHTHOUSE}”", "--cite")
    after = datetime.now(UTC)

    assert result.exit_code == 0
    block = result.stdout[result.stdout.index("Quote check: ") :]
    lines = block.splitlines()
    assert lines[0] == (
        "Quote check: EXACT: a whole tweet (3 tweets by 2 accounts), and a passage inside 5 longer tweets by 4 accounts"
    )
    assert lines[1] == f"Quote, as searched: {LIGHTHOUSE}"
    checked_line = next(line for line in lines if line.startswith("Checked: "))
    moment = datetime.strptime(checked_line.split()[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= moment <= after
    assert f"alias {alias} (index {index_name})" in checked_line
    assert "Posted: 8 tweets by 6 accounts; campaigns: ira 7, iranian 1" in lines
    assert "Copies, oldest first (8):" in lines
    first = lighthouse_copies()[0]
    assert f"tweet {first[0]}  @keeper_one (userid {userid('keeper_one')})  campaign ira  file {IRA_FILE}" in block
    retweet = next(line for line in lines if f"tweet {LIGHTHOUSE_WHOLE[1][0]} " in line)
    assert retweet.endswith(f"file {IRA_FILE}  whole tweet, retweet")
    assert "… and" not in block


def test_a_cut_list_says_how_many_are_left_and_the_export_command_gives_exactly_all(cli, alias, archive, tmp_path):
    code, verdict = checked(cli, LANTERNS, "--cite", "--cite-limit", "20")
    text = cli("quote", LANTERNS, "--cite", "--cite-limit", "20").stdout

    expected = [tid for tid, _, _, _ in sorted(LANTERN_COPIES, key=lambda copy: copy[1])]
    citation = verdict["citation"]
    assert code == 0
    assert [copy["tweetid"] for copy in citation["copies"]] == expected[:20]
    assert citation["more"] == 5
    assert "Copies, oldest first (20 of 25):" in text
    remaining = next(line for line in text.splitlines() if line.startswith("… and"))
    assert remaining.startswith("… and 5 more copies; all 25: tweetsearch --alias ")
    command = shlex.split(remaining.split(": ", 1)[1])
    assert command[:3] == ["tweetsearch", "--alias", alias]
    assert command[3:5] == ["export", citation["export_query"]]
    assert command[5:] == ["-o", "copies.csv"]

    exported = cli(*command[1:-1], str(tmp_path / "copies.jsonl"))

    assert exported.exit_code == 0, exported.stderr
    rows = [orjson.loads(line) for line in (tmp_path / "copies.jsonl").read_bytes().splitlines()]
    assert [item["tweetid"] for item in rows] == expected


def test_a_cut_markdown_list_gives_the_export_command_as_code(cli, alias, archive):
    _, verdict = checked(cli, LANTERNS, "--cite")
    text = cli("quote", LANTERNS, "--cite", "--cite-format", "markdown").stdout

    command = f"tweetsearch --alias {alias} export {shlex.quote(verdict['citation']['export_query'])} -o copies.csv"
    assert f"… and 5 more copies; all 25: `{command}`" in text.splitlines()


def test_no_export_query_is_offered_when_the_query_language_would_read_other_words(cli, archive):
    code, verdict = checked(cli, HEBREW, "--cite")

    assert code == 0
    assert [copy["tweetid"] for copy in verdict["citation"]["copies"]] == [HEBREW_COPY[0]]
    assert verdict["citation"]["export_query"] is None
    assert "reads the quote's words differently" in verdict["citation"]["no_query_reason"]


def test_one_copy_left_is_said_in_the_singular(cli, archive):
    text = cli("quote", LANTERNS, "--cite", "--cite-limit", "24").stdout

    assert "… and 1 more copy; all 25: " in text


def test_a_cut_quote_has_no_export_query_and_says_why(cli, archive):
    code, verdict = checked(cli, CUT_RETWEET, "--cite", "--cite-limit", "3")
    text = cli("quote", CUT_RETWEET, "--cite", "--cite-limit", "3").stdout

    assert code == 0
    assert verdict["citation"]["export_query"] is None
    assert verdict["citation"]["more"] == 6
    assert "… and 6 more copies; no search query selects exactly these (the quote was cut by Twitter" in text
    assert "--cite-limit 9 lists them all" in text
    assert "tweetsearch --alias" not in text


def test_markdown_escapes_archived_values_and_shows_control_characters(cli, archive):
    result = cli("quote", ODD, "--cite", "--cite-format", "markdown")

    assert result.exit_code == 0
    assert "\x07" not in result.stdout
    block = result.stdout[result.stdout.index("**Quote check:**") :]
    assert block.splitlines()[0] == "**Quote check:** EXACT: a whole tweet (1 tweet by 1 account)"
    assert "| # | time (UTC) | tweet id | account | userid | campaign | release file | copy |" in block
    line = next(line for line in block.splitlines() if line.startswith("| 1 |"))
    assert line == (
        f"| 1 | {iso(300)} | {ODD_COPY[0]} | @ev\\*il\\_\\[x\\]\\|\u2407bot | {userid(ODD_NAME)} | ira | "
        "ira\\_tweets\\_csv\\_hashed.csv | whole tweet |"
    )
    assert "Copies, oldest first (1):" in block


def test_the_text_citation_and_panel_show_the_control_character_never_send_it(cli, archive):
    result = cli("quote", ODD, "--cite")

    assert "\x07" not in result.stdout
    assert "@ev*il_[x]|\u2407bot (userid" in result.stdout
    assert result.stdout.count("ev*il_[x]|\u2407bot") >= 2  # the panel's earliest tweet and the citation


def test_json_keeps_the_archived_value_exactly(cli, archive):
    _, verdict = checked(cli, ODD, "--cite")

    assert verdict["citation"]["copies"][0]["screen_name"] == ODD_NAME


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("plain words", "plain words"),
        ("*bold* _it_ [link](x) `code` <b> a|b ~~s~~ &amp; \\", r"\*bold\* \_it\_ \[link\](x) \`code\` \<b\> a\|b"
         r" \~\~s\~\~ \&amp; \\"),
        ("bell\x07 esc\x1b[2J rtl\u202e", "bell\u2407 esc\u241b\\[2J rtl\\<U+202E\\>"),
        ("two\nlines", "two\u23ce lines"),
    ],
)  # fmt: skip
def test_markdown_escape(value, escaped):
    assert markdown_escape(value) == escaped


def test_a_citation_of_a_near_verdict_lists_the_closest_text_s_copies_with_the_legend(cli, archive):
    near = LIGHTHOUSE.replace("Ohio", "Idaho")

    code, verdict = checked(cli, near, "--cite")
    text = cli("quote", near, "--cite").stdout

    assert code == NEAR_EXIT
    assert verdict["verdict"] == "NEAR"
    assert (verdict["whole_tweets"], verdict["passage_tweets"]) == (3, 5)
    assert [copy["tweetid"] for copy in verdict["citation"]["copies"]] == [tid for tid, *_ in lighthouse_copies()]
    assert verdict["citation"]["export_query"] is not None
    assert f"Differs: idaho → ohio ({DIFFERENCE_LEGEND})" in text
    similar = f"{(len(quote_words(LIGHTHOUSE)) - 1) / len(quote_words(LIGHTHOUSE)):.0%}"
    assert f"Quote check: NEAR ({similar} similar): the closest text is a whole tweet (3 tweets by 2 accounts)" in text


def test_a_not_found_citation_says_what_was_checked_and_exits_11(cli, alias, archive):
    code, verdict = checked(cli, UNPLANTED, "--cite")
    result = cli("quote", UNPLANTED, "--cite", "--cite-format", "markdown")

    assert code == NOT_FOUND_EXIT
    assert verdict["citation"]["copies"] == []
    assert verdict["citation"]["more"] == 0
    assert verdict["whole_tweet"] is False
    assert result.exit_code == NOT_FOUND_EXIT
    assert "**Quote check:** NOT FOUND: no archived tweet carries these words" in result.stdout
    assert f"alias {markdown_escape(alias)} (index " in result.stdout
    assert "| # |" not in result.stdout


def test_verdict_lines_follow_the_verdict(es, alias, archive):
    assert verdict_line(check_quote(es, alias, SEAGULLS)).startswith("EXACT: a passage inside 2 longer tweets")
    assert verdict_line(check_quote(es, alias, UNPLANTED)).startswith("NOT FOUND: ")


# --------------------------------------------------------------------------------------------------------------
# The NEAR notation's legend.


def test_the_near_panel_explains_the_difference_notation_where_it_shows_it(cli, archive):
    added = LIGHTHOUSE.replace("counted", "quietly counted")

    code, verdict = checked(cli, added)
    panel = cli("quote", added).stdout

    assert code == NEAR_EXIT
    assert verdict["differences"] == [{"quote": ["quietly"], "tweet": []}]
    assert "-quietly" in panel
    assert "-word: in the quote, not in the tweet" in DIFFERENCE_LEGEND
    assert "+word: in the tweet, not in the quote" in DIFFERENCE_LEGEND
    assert " ".join(DIFFERENCE_LEGEND.split()) in " ".join(panel.split())


def test_an_exact_verdict_without_differences_shows_no_legend(cli, archive):
    assert DIFFERENCE_LEGEND not in cli("quote", SEAGULLS).stdout


@pytest.mark.parametrize("limit", ["0", "10001"])
def test_a_cite_limit_outside_its_range_is_refused(cli, alias, limit):
    result = cli("quote", LIGHTHOUSE, "--cite", "--cite-limit", limit)

    assert result.exit_code == 2
    assert "--cite-limit" in result.stderr


def test_an_unknown_cite_format_is_refused(cli, alias):
    result = cli("quote", LIGHTHOUSE, "--cite", "--cite-format", "html")

    assert result.exit_code == 2
    assert "--cite-format" in result.stderr
