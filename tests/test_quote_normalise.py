"""`tweetsearch quote`, the pure part: what a pasted quote is reduced to, and how two word lists compare."""

from __future__ import annotations

import pytest

from search.quote import ELLIPSIS, compare_words, normalise_quote, quote_words


@pytest.mark.parametrize(
    ("pasted", "normalised"),
    [
        ("  The   lighthouse\nkeepers  ", "The lighthouse keepers"),
        ("“The lighthouse keepers”", "The lighthouse keepers"),
        ('"The lighthouse keepers"', "The lighthouse keepers"),
        ("'The lighthouse keepers'", "The lighthouse keepers"),
        ("Don’t count them", "Don't count them"),
        ("RT @some_one: The lighthouse keepers", "The lighthouse keepers"),
        ("rt @a: RT @b : The lighthouse keepers", "The lighthouse keepers"),
        ('"RT @a: The lighthouse keepers"', "The lighthouse keepers"),
        ("The lighthouse keepers https://t.co/AbC123xyz", "The lighthouse keepers"),
        ("The https://t.co/AbC123 lighthouse keepers", "The lighthouse keepers"),
        ("RT @a: The lighthouse keepers…", "The lighthouse keepers" + ELLIPSIS),
        ("RT @a: The lighthouse keepers...", "The lighthouse keepers" + ELLIPSIS),
        ("The lighthouse keepers… https://t.co/AbC123", "The lighthouse keepers" + ELLIPSIS),
        ("RT @a: The lighthouse keepers https://t.c…", "The lighthouse keepers" + ELLIPSIS),
        ("“RT @a: The lighthouse keepers…”", "The lighthouse keepers" + ELLIPSIS),
        ("ﬁne ＷＯＲＤＳ", "fine WORDS"),
        ("Mizzou https://t.co/… via @BreitbartNews", "Mizzou via @BreitbartNews"),
        ("RT @a: The lighthouse keepers https://t.co/…", "The lighthouse keepers" + ELLIPSIS),
        ("RT @a: The lighthouse keepers https://t.co/AbC…", "The lighthouse keepers" + ELLIPSIS),
        ("“RT @a: He said “never again” and left”", 'He said "never again" and left'),
        ("„Die Zeitung nennt es „eine Farce“ heute“", 'Die Zeitung nennt es "eine Farce" heute'),
        ("«Путин назвал «провокацией» заявление»", 'Путин назвал "провокацией" заявление'),
        ("「这是假新闻」", "这是假新闻"),
        ("“a” and “b”", '"a" and "b"'),
    ],
)
def test_normalise_quote_removes_what_copying_adds(pasted: str, normalised: str) -> None:
    assert normalise_quote(pasted) == normalised


@pytest.mark.parametrize("pasted", ["", "   ", "RT @a: …", "https://t.co/AbC123", '""'])
def test_a_text_of_nothing_but_wrapping_normalises_to_nothing(pasted: str) -> None:
    assert quote_words(pasted) == []


def test_quotes_inside_the_text_are_kept() -> None:
    text = '"Vote" they said, "now"'

    assert normalise_quote(text) == text


def test_quote_words_fold_case_and_latin_accents_like_the_index() -> None:
    assert quote_words("RT @x: Café NAÏVE Straße, don’t U.S. #Vote @Someone") == [
        "cafe",
        "naive",
        "strasse",
        "don't",
        "u.s",
        "vote",
        "someone",
    ]
    assert quote_words("Янтарный маятник") == ["янтарный", "маятник"]


def test_quote_words_split_ideographs_one_by_one() -> None:
    assert quote_words("中文字 ok") == ["中", "文", "字", "ok"]


def test_identical_words_compare_as_one_with_no_difference() -> None:
    words = quote_words("The lighthouse keepers counted the ballots twice")

    comparison = compare_words(words, quote_words("THE lighthouse keepers, counted the ballots twice!"))

    assert comparison.similarity == 1.0
    assert comparison.differences == []


def test_a_replaced_word_is_reported_on_both_sides() -> None:
    quote = quote_words("The lighthouse keepers counted the tallies twice")
    tweet = quote_words("The lighthouse keepers counted the ballots twice")

    comparison = compare_words(quote, tweet)

    assert [(d.quote, d.tweet) for d in comparison.differences] == [(["tallies"], ["ballots"])]
    assert comparison.similarity == pytest.approx(6 / 7)


def test_missing_and_extra_words_are_reported() -> None:
    comparison = compare_words(quote_words("a b c d e"), quote_words("a c d x e"))

    assert [(d.quote, d.tweet) for d in comparison.differences] == [(["b"], []), ([], ["x"])]


def test_only_the_part_of_a_tweet_that_lines_up_with_the_quote_counts() -> None:
    quote = quote_words("the lighthouse keepers counted the ballots")
    tweet = quote_words("Breaking: the lighthouse keepers counted the ballots #Ohio #vote https://t.co/x")

    comparison = compare_words(quote, tweet)

    assert comparison.similarity == 1.0
    assert tweet[comparison.start : comparison.end] == quote


def test_a_truncated_quote_matches_a_word_its_cut_last_word_begins() -> None:
    quote = quote_words("the lighthouse keepers counted the ball…")
    tweet = quote_words("the lighthouse keepers counted the ballots twice")

    assert compare_words(quote, tweet, truncated=True).similarity == 1.0
    assert compare_words(quote, tweet).similarity < 1.0


def test_nothing_in_common_is_zero() -> None:
    comparison = compare_words(["a", "b"], ["c"])

    assert comparison.similarity == 0.0
    assert [(d.quote, d.tweet) for d in comparison.differences] == [(["a", "b"], [])]
