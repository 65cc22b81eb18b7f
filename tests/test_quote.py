"""`tweetsearch quote`, end to end: each planted quote's verdict, counts and earliest tweet, from ground truth.

Which copies a verdict counts is worked out here from the ground truth's copies list with a plain word split:
a phrase match on `tweet_text` finds every copy whose words (case and punctuation aside) contain the quote's
words in order. That is the exact copies, the full retweets and the near copies that differ only in case or
punctuation; the truncated retweets carry only the start of it, and the near copies with a word changed differ.
"""

from __future__ import annotations

import re
from collections import Counter

import orjson
import pytest

from search.quote import check_quote, quote_words

NEAR_EXIT, NOT_FOUND_EXIT = 10, 11
UNPLANTED = "Purple giraffes negotiate quietly with the submarine choir before breakfast."


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def carrying(quote: dict, text: str) -> list[dict]:
    """The quote's copies whose words contain `text`'s words in order, oldest first."""
    return [copy for copy in quote["copies"] if contains(words(copy["text"]), words(text))]


def first_part(quote: dict) -> str:
    """The text of the quote's truncated retweets, without `RT @name:` and the ellipsis."""
    truncated = next(copy["text"] for copy in quote["copies"] if copy["kind"] == "truncated")
    return truncated.split(": ", 1)[1].removesuffix("…")


def with_one_word_changed(quote: dict) -> tuple[str, str]:
    """The quote with its second word replaced (no near copy changes that one), and the word replaced."""
    parts = quote["text"].split()
    assert parts[1].isalpha()
    replaced, parts[1] = parts[1], "zanzibar"
    return " ".join(parts), replaced


@pytest.fixture(scope="module")
def truth(indexed_release) -> dict:
    return indexed_release["truth"]


def verdict_of(cli, *args: str) -> tuple[int, dict]:
    result = cli("quote", *args, "--json")
    assert result.exit_code in (0, NEAR_EXIT, NOT_FOUND_EXIT), result.stderr
    return result.exit_code, orjson.loads(result.stdout)


def test_each_planted_quote_is_exact_with_its_earliest_tweet_and_spread(cli, truth):
    for quote in truth["quotes"]:
        expected = carrying(quote, quote["text"])

        code, verdict = verdict_of(cli, quote["text"])

        assert code == 0
        assert verdict["verdict"] == "EXACT"
        assert verdict["similarity"] == 1.0
        assert verdict["tweets"] == len(expected) > 0
        assert verdict["earliest"]["tweetid"] == quote["earliest"]["tweetid"] == expected[0]["tweetid"]
        assert verdict["earliest"]["campaign"] == quote["earliest"]["campaign"]
        assert verdict["accounts"] == len({copy["userid"] for copy in expected})
        assert verdict["accounts_exact"] is True
        assert verdict["campaigns"] == dict(Counter(copy["campaign"] for copy in expected))
        assert [hit["tweetid"] for hit in verdict["examples"]] == [copy["tweetid"] for copy in expected[:5]]


def is_whole(copy: dict, text: str) -> bool:
    """Whether the copy, without its `RT @name:` prefix, has the words of `text` and no others."""
    return words(re.sub(r"^RT @\w+: ", "", copy["text"])) == words(text)


def test_the_planted_copies_are_whole_tweets_and_a_cut_retweet_s_text_is_a_passage_of_the_full_ones(cli, truth):
    for quote in truth["quotes"]:
        part = first_part(quote)
        for text, pasted in ((quote["text"], quote["text"]), (part, f"{part}…")):
            expected = carrying(quote, text)
            whole = [copy for copy in expected if is_whole(copy, text)]
            longer = [copy for copy in expected if not is_whole(copy, text)]
            assert longer or text == quote["text"]  # the full tweets hold the cut retweet's words and more

            _, verdict = verdict_of(cli, pasted)

            assert verdict["whole_tweet"] is True
            assert verdict["whole_tweets"] == len(whole) > 0
            assert verdict["whole_accounts"] == len({copy["userid"] for copy in whole})
            assert verdict["passage_tweets"] == len(longer)
            assert verdict["passage_accounts"] == len({copy["userid"] for copy in longer})
            assert verdict["split_exact"] is True


def test_the_retweeted_author_is_the_quote_s_first_poster_and_is_archived(cli, truth):
    for quote in truth["quotes"]:
        retweets = [copy for copy in carrying(quote, quote["text"]) if copy["kind"] == "retweet"]

        _, verdict = verdict_of(cli, quote["text"])

        author = verdict["original_author"]
        assert author["userid"] == quote["earliest"]["userid"]
        assert author["tweetid"] == quote["earliest"]["tweetid"]
        assert author["retweets"] == len(retweets)
        assert author["in_archive"] is True


def test_a_quote_pasted_with_curly_quotes_and_a_link_is_the_same_exact_quote(cli, truth):
    quote = truth["quotes"][0]

    _, verdict = verdict_of(cli, f"“{quote['text']} https://t.co/Zx81kQ2mP”")

    assert verdict["verdict"] == "EXACT"
    assert verdict["tweets"] == len(carrying(quote, quote["text"]))


def test_a_pasted_truncated_retweet_is_exact_and_finds_the_full_tweets(cli, truth):
    for quote in truth["quotes"]:
        pasted = next(copy["text"] for copy in quote["copies"] if copy["kind"] == "truncated")
        expected = carrying(quote, first_part(quote))

        code, verdict = verdict_of(cli, pasted)

        assert code == 0
        assert verdict["verdict"] == "EXACT"
        assert verdict["truncated"] is True
        assert verdict["tweets"] == len(expected)
        assert {"exact", "retweet", "truncated"} <= {copy["kind"] for copy in expected}
        assert verdict["earliest"]["tweetid"] == quote["earliest"]["tweetid"]


def test_a_truncated_text_cut_inside_a_word_still_matches(cli, truth):
    quote = truth["quotes"][0]
    part = first_part(quote)

    _, verdict = verdict_of(cli, part[:-3] + "...")

    assert verdict["verdict"] == "EXACT"
    assert verdict["tweets"] == len(carrying(quote, part))


def test_the_quote_with_one_word_changed_is_near_and_names_the_word(cli, truth):
    for quote in truth["quotes"]:
        changed, replaced = with_one_word_changed(quote)
        n = len(words(quote["text"]))

        code, verdict = verdict_of(cli, changed)

        assert code == NEAR_EXIT
        assert verdict["verdict"] == "NEAR"
        assert verdict["differences"] == [{"quote": ["zanzibar"], "tweet": quote_words(replaced)}]
        assert verdict["similarity"] == pytest.approx((n - 1) / n, abs=1e-3)
        assert verdict["tweets"] == len(carrying(quote, quote["text"]))
        assert verdict["earliest"]["tweetid"] == quote["earliest"]["tweetid"]
        assert quote["earliest"]["tweetid"] not in [v["tweet"]["tweetid"] for v in verdict["closest"]]  # not twice


def test_a_near_copy_that_was_posted_is_exact_for_itself_and_lists_the_original_as_near(cli, truth):
    for quote in truth["quotes"]:
        near = next(
            copy
            for copy in quote["copies"]
            if copy["kind"] == "near" and not contains(words(copy["text"]), words(quote["text"]))
        )

        _, verdict = verdict_of(cli, near["text"])

        assert verdict["verdict"] == "EXACT"
        assert verdict["tweets"] == len(carrying(quote, near["text"])) == 1
        assert verdict["earliest"]["tweetid"] == near["tweetid"]
        original = next(v for v in verdict["closest"] if v["tweet"]["tweetid"] == quote["earliest"]["tweetid"])
        assert len(original["differences"]) == 1
        assert verdict["threshold"] <= original["similarity"] < 1.0


def test_an_unplanted_sentence_is_not_found(cli, indexed_release):
    code, verdict = verdict_of(cli, UNPLANTED)

    assert code == NOT_FOUND_EXIT
    assert verdict["verdict"] == "NOT FOUND"
    assert verdict["tweets"] == 0
    assert verdict["earliest"] is None
    assert verdict["campaigns"] == {}


def test_a_stricter_threshold_turns_near_into_not_found_and_shows_the_closest(cli, truth):
    quote = truth["quotes"][1]
    changed, _ = with_one_word_changed(quote)
    copies = {copy["tweetid"] for copy in quote["copies"]}

    code, verdict = verdict_of(cli, changed, "--threshold", "0.99")

    assert code == NOT_FOUND_EXIT
    assert verdict["verdict"] == "NOT FOUND"
    assert verdict["tweets"] == 0
    assert verdict["closest"][0]["tweet"]["tweetid"] in copies
    assert 0.8 < verdict["closest"][0]["similarity"] < 0.99


def test_the_library_gives_the_same_verdict(es, alias, truth):
    quote = truth["quotes"][2]

    verdict = check_quote(es, alias, quote["text"], examples=2)

    assert verdict.verdict == "EXACT"
    assert verdict.tweets == len(carrying(quote, quote["text"]))
    assert len(verdict.examples) == 2


def test_the_folded_words_match_the_index_s_analyzer(es, alias, truth):
    texts = [quote["text"] for quote in truth["quotes"]]
    texts.append("Café NAÏVE don’t U.S. 3.14 ten_gop #Vote @Someone co-op Янтарный")
    for text in texts:
        tokens = es.indices.analyze(index=alias, analyzer="folded", text=text).body["tokens"]

        assert quote_words(text) == [token["token"] for token in tokens]


def test_the_panel_shows_the_verdict_and_exits_with_its_code(cli, truth):
    quote = truth["quotes"][0]
    changed, replaced = with_one_word_changed(quote)

    exact = cli("quote", quote["text"])
    near = cli("quote", changed)
    missing = cli("quote", UNPLANTED)

    assert exact.exit_code == 0
    assert "EXACT" in exact.stdout
    assert quote["earliest"]["tweetid"] in exact.stdout
    assert near.exit_code == NEAR_EXIT
    assert "NEAR" in near.stdout
    assert f"zanzibar → {quote_words(replaced)[0]}" in near.stdout
    assert missing.exit_code == NOT_FOUND_EXIT
    assert "NOT FOUND" in missing.stdout


def test_a_dash_reads_the_quote_from_stdin(cli, truth):
    quote = truth["quotes"][3]

    result = cli("quote", "-", "--json", input=quote["text"] + "\n")

    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["tweets"] == len(carrying(quote, quote["text"]))


@pytest.mark.parametrize("text", ["", "   ", "RT @someone: …"])
def test_an_empty_quote_is_a_one_line_error(cli, alias, text):
    result = cli("quote", text)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no words" in result.stderr


@pytest.mark.parametrize("threshold", ["1.5", "-0.1"])
def test_a_threshold_outside_0_to_1_is_refused(cli, alias, threshold):
    result = cli("quote", "anything", "--threshold", threshold)

    assert result.exit_code == 2
    assert "--threshold" in result.stderr


def test_a_close_paraphrase_lists_the_closest_tweets_with_their_honest_similarity(cli, truth):
    quote = next(q for q in truth["quotes"] if q["key"] == "lighthouse")
    paraphrase = "Ohio's lighthouse keepers tallied the ballots two times and no one questioned them"

    code, verdict = verdict_of(cli, paraphrase)

    assert (code, verdict["verdict"]) == (NOT_FOUND_EXIT, "NOT FOUND")
    assert verdict["closest"], "NOT FOUND lists the closest tweets that share words"
    closest = verdict["closest"][0]
    assert closest["tweet"]["tweetid"] in {copy["tweetid"] for copy in quote["copies"]}
    shared = set(quote_words(paraphrase)) & set(quote_words(closest["tweet"]["text"]))
    assert {"lighthouse", "keepers", "ballots"} <= shared
    assert 0 < verdict["similarity"] == closest["similarity"] < 0.8


def test_the_other_close_versions_table_carries_the_legend_and_not_the_panel_s_version(cli, truth):
    from search.quote import DIFFERENCE_LEGEND

    quote = next(q for q in truth["quotes"] if q["key"] == "lighthouse")
    changed, _ = with_one_word_changed(quote)

    code, verdict = verdict_of(cli, changed)
    panel = " ".join(cli("quote", changed).stdout.split())

    assert code == NEAR_EXIT
    assert verdict["closest"], "the planted near copies (a word changed) are other close versions"
    assert verdict["earliest"]["tweetid"] not in [v["tweet"]["tweetid"] for v in verdict["closest"]]
    assert "other close versions" in panel
    assert panel.count(" ".join(DIFFERENCE_LEGEND.split())) == 2  # under the panel's "differs" and the table
