"""A tweet's own words, pasted whole, are EXACT whatever characters they hold (issue 25, item 9).

Each tweet below holds one class of character that a phrase match can trip on: apostrophes and quotation marks
of several scripts, `@` and `#`, dashes, emoji, a t.co link in the middle. Pasted as archived, each comes back
EXACT at 100% with that tweet as the earliest: a NEAR verdict at 100% would contradict itself.
"""

from __future__ import annotations

import orjson
import pytest
from archive_samples import ira_row, quoted_csv, write
from rich.cells import cell_len

from search.quote import quote_words

TWEETS = {
    "single quotes": "Obama's 'Fundamental Transformation' Began at Mizzou https://t.co/Xy12AbCd9Q via @BreitbartNews",
    "curly single": "The mayor’s ‘temporary’ curfew is now permanent",
    "double quotes": 'He called it "a total hoax" on live TV',
    "curly double": "She said “never again” and meant it",
    "guillemets": "Путин назвал «провокацией» заявление Киева",
    "german quotes": "Die Zeitung nennt es „eine Farce“ heute",
    "cjk quotes": "他说「这是假新闻」然后离开",
    "arabic": "قال الوزير 'لا تراجع' عن القرار اليوم",
    "persian": "رئیس‌جمهور گفت «ما تسلیم نمی‌شویم» در تهران",
    "mention": "@realDonaldTrump thank you for standing with the miners",
    "hashtag": "#MAGA rally tonight in #Ohio, bring your friends",
    "dashes": "Vote early — vote often – and don't look back - ever",
    "hyphenated": "A well-known fact-checker got it wrong again",
    "emoji": "Happy 4th of July 🇺🇸🎆 stay safe everyone 😀",
    "link in the middle": "Read this https://t.co/AbCdEf1234 before they delete it",
    "backtick": "They call it `progress` in the capital",
    "prime": "The wall is 30′ tall and 2″ thick",
    "backtick apostrophe": "Obama`s legacy isn′t what the anchors say",
    "reversed apostrophe": "Obama‛s legacy is written by his friends",
    "hebrew gershayim": 'דובר צה"ל אמר היום',
    "emoji sequences": "Family first 👨‍👩‍👧 ❤️ 👍🏽 vote",
}


@pytest.fixture(scope="module")
def loaded(cli, tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("characters")
    ids = {name: str(1000000000000000100 + n) for n, name in enumerate(TWEETS)}
    rows = [ira_row(tweetid=ids[name], tweet_text=text, hashtags="[]") for name, text in TWEETS.items()]
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv(rows))
    result = cli("index", str(folder), "--rejects", str(folder / "rejects.jsonl"))
    assert result.exit_code == 0, result.stderr
    return ids


@pytest.mark.parametrize("name", list(TWEETS))
def test_a_tweet_pasted_whole_is_exact(cli, loaded, name: str) -> None:
    result = cli("quote", TWEETS[name], "--json")
    verdict = orjson.loads(result.stdout)

    assert (verdict["verdict"], verdict["similarity"], result.exit_code) == ("EXACT", 1.0, 0)
    assert verdict["earliest"]["tweetid"] == loaded[name]
    assert verdict["whole_tweets"] == 1
    if "t.co/" in TWEETS[name]:  # the phrase searched held the link, and the verdict says so
        assert verdict["normalised"] == TWEETS[name]


@pytest.mark.parametrize("name", list(TWEETS))
def test_a_tweet_pasted_in_curly_quotes_with_its_retweet_prefix_is_exact(cli, loaded, name: str) -> None:
    result = cli("quote", f"“RT @someone: {TWEETS[name]}”", "--json")
    verdict = orjson.loads(result.stdout)

    assert (verdict["verdict"], verdict["similarity"]) == ("EXACT", 1.0)
    assert verdict["earliest"]["tweetid"] == loaded[name]


@pytest.mark.parametrize("name", list(TWEETS))
def test_the_words_compared_are_the_index_s_words(es, alias, loaded, name: str) -> None:
    tokens = es.indices.analyze(index=alias, field="tweet_text", text=TWEETS[name]).body["tokens"]

    words = [token["token"] for token in tokens if token["token"] not in {"https", "t.co"}]
    assert quote_words(TWEETS[name].replace("https://t.co/", "")) == words


def test_the_quote_page_says_one_tweet_by_one_account(es_url, alias, loaded) -> None:
    from starlette.testclient import TestClient

    from common.connection import Settings
    from search_web.app import create_app

    web = TestClient(create_app(Settings.from_env(url=es_url, alias=alias)))
    page = web.get("/quote", params={"text": TWEETS["single quotes"]})

    assert page.status_code == 200
    assert "EXACT" in page.text
    summary = " ".join(page.text.split('class="summary">', 1)[1].split("<", 1)[0].split())
    assert summary.startswith("1 tweet by 1 account")


@pytest.mark.parametrize("columns", ["40", "80", "200"])
@pytest.mark.parametrize("name", ["single quotes", "persian", "guillemets"])
def test_at_every_width_the_tweets_are_shown_with_their_id_and_every_word(cli, loaded, columns, name) -> None:
    result = cli("quote", TWEETS[name], env={"COLUMNS": columns})
    tables = result.stdout.split("╰", 1)[1]  # what follows the verdict's panel
    lines = [line.strip("│┃ ") for line in tables.splitlines()]

    assert result.exit_code == 0
    assert loaded[name] in tables
    assert max(cell_len(line) for line in tables.splitlines()) <= int(columns)
    for word in TWEETS[name].split():
        assert any(word in line for line in lines), word
    if columns == "200":
        assert "┃ tweet id" in tables


@pytest.mark.parametrize("columns", ["40", "80", "200"])
def test_at_every_width_the_closest_tweets_keep_their_numbers_and_text(cli, loaded, columns) -> None:
    paraphrase = "Vote early and vote often, never look back"

    result = cli("quote", paraphrase, env={"COLUMNS": columns})
    tables = result.stdout.split("╰", 1)[1]
    lines = [line.strip("│┃ ") for line in tables.splitlines()]

    assert result.exit_code == 11
    assert loaded["dashes"] in tables
    assert "%" in tables
    assert max(cell_len(line) for line in tables.splitlines()) <= int(columns)
    for word in TWEETS["dashes"].split():
        assert any(word in line for line in lines), word
    if columns != "200":
        assert "1 copy" in tables


def test_a_tweet_pasted_with_its_link_cut_as_twitter_shows_it_is_exact(cli, loaded) -> None:
    pasted = "Obama's 'Fundamental Transformation' Began at Mizzou https://t.co/… via @BreitbartNews"

    result = cli("quote", pasted, "--json")
    verdict = orjson.loads(result.stdout)

    assert (verdict["verdict"], verdict["similarity"], result.exit_code) == ("EXACT", 1.0, 0)
    assert verdict["earliest"]["tweetid"] == loaded["single quotes"]
    assert verdict["tweets"] == 1


def test_the_quote_page_of_a_paraphrase_lists_the_closest_tweets_without_zero_counts(es_url, alias, loaded) -> None:
    from starlette.testclient import TestClient

    from common.connection import Settings
    from search_web.app import create_app

    web = TestClient(create_app(Settings.from_env(url=es_url, alias=alias)))
    page = web.get("/quote", params={"text": "Vote early and vote often, never look back"})

    assert page.status_code == 200
    assert "NOT FOUND" in page.text and "Closest tweets" in page.text
    assert loaded["dashes"] in page.text
    assert "0 tweets by 0 accounts" not in page.text
