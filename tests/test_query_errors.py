"""What the commands say when a query is not doing what was typed, or cannot run: against a real server.

Warnings go to stderr and leave the answer alone; an impossible date range, an out-of-range number, a query
nested or expanded past the server's limits, and any other refusal by the server are one line and exit 2.
"""

from __future__ import annotations

import pytest

from search.query import MAX_NESTING

OR_WARNING = 'warning: "or" is read as a word; for either word type OR'
AND_WARNING = "warning: AND is not an operator here: words are all required already, so it was left out; drop it"
NOT_WARNING = "warning: NOT is read as a word; to exclude a word type -word"
NUMERIC_SCREEN_NAME = "4242"


@pytest.fixture(scope="module")
def loaded(indexed_release, es, alias) -> dict:
    """The release, plus one tweet whose author's screen name is all digits (Twitter allows that)."""
    es.index(
        index=alias,
        id="990000000000000001",
        document={
            "tweetid": "990000000000000001",
            "userid": "990000000000000002",
            "user_screen_name": NUMERIC_SCREEN_NAME,
            "tweet_text": "a numeric screen name",
            "tweet_time": "2016-05-01T00:00:00Z",
            "campaign": "ira",
        },
        refresh=True,
    )
    return indexed_release


def count(cli, *args: str) -> tuple[int, str]:
    result = cli("search", *args, "--count")
    assert result.exit_code == 0, result.stderr
    return int(result.stdout), result.stderr


def one_line_error(result) -> str:
    """The single `error:` line a refused query must give: exit 2, no traceback, nothing else on stderr."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def ids_of(es, alias: str, field: str, predicate) -> dict[str, int]:
    """Values of a keyword field in the index with their tweet counts, those the predicate accepts."""
    answer = es.search(index=alias, size=0, aggregations={"v": {"terms": {"field": field, "size": 500}}}).body
    return {b["key"]: b["doc_count"] for b in answer["aggregations"]["v"]["buckets"] if predicate(b["key"])}


# --- warnings ------------------------------------------------------------------------------------------------


def test_upper_case_and_is_warned_about_and_the_answer_is_that_of_the_words_alone(loaded, cli) -> None:
    total, warned = count(cli, "the AND lighthouse")
    plain, quiet = count(cli, "the lighthouse")
    assert total == plain > 0
    assert AND_WARNING in warned.splitlines()
    assert "warning" not in quiet


def test_lower_case_or_is_warned_about_and_still_searched_as_a_word(loaded, cli) -> None:
    total, warned = count(cli, "the or lighthouse")
    as_word, quiet = count(cli, 'the "or" lighthouse')
    either, _ = count(cli, "the OR lighthouse")
    assert total == as_word < either
    assert OR_WARNING in warned.splitlines()
    assert "warning" not in quiet


def test_not_is_warned_about_and_still_searched_as_a_word(loaded, cli) -> None:
    total, warned = count(cli, "the NOT")
    lower, quiet = count(cli, "the not")
    assert total == lower
    assert NOT_WARNING in warned.splitlines()
    assert "warning" not in quiet


@pytest.mark.parametrize(
    "args",
    [
        ("search", "the AND lighthouse"),
        ("top", "hashtags", "the AND lighthouse"),
        ("timeline", "the AND lighthouse"),
        ("export", "the AND lighthouse", "-o", "-"),
    ],
)
def test_every_command_that_takes_a_query_prints_its_warnings(loaded, cli, args) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert AND_WARNING in result.stderr.splitlines()
    assert "warning" not in result.stdout


# --- since: and until: ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("search", "since:2016-01-01 until:2016-01-01"),
        ("search", "vote (since:2016-03-01 the) until:2016-02-01"),
        ("top", "hashtags", "since:2016-03-01 until:2016-02-01"),
        ("timeline", "since:2016-03-01 until:2016-02-01"),
        ("export", "since:2016-03-01 until:2016-02-01", "-o", "-"),
    ],
)
def test_until_not_after_since_is_an_error_not_an_empty_answer(loaded, cli, args) -> None:
    line = one_line_error(cli(*args))
    assert "is not after since:" in line


# --- userid: and from:digits ---------------------------------------------------------------------------------


def test_userid_finds_an_account_by_its_numeric_id(loaded, cli, es, alias) -> None:
    numeric = ids_of(es, alias, "userid", str.isdigit)
    assert numeric
    for userid, tweets in list(numeric.items())[:3]:
        assert count(cli, f"userid:{userid}")[0] == tweets


def test_userid_finds_an_account_by_its_hashed_id_in_either_case(loaded, cli, es, alias) -> None:
    hashed = ids_of(es, alias, "userid", lambda key: len(key) == 64)
    userid, tweets = next(iter(hashed.items()))
    assert count(cli, f"userid:{userid}")[0] == tweets
    assert count(cli, f"userid:{userid.upper()}")[0] == tweets


def test_userid_finds_an_account_by_its_base64_hashed_id(loaded, cli, es, alias) -> None:
    hashed = ids_of(es, alias, "userid", lambda key: len(key) == 44 and key.endswith("="))
    userid, tweets = next(iter(hashed.items()))
    assert count(cli, f"userid:{userid}")[0] == tweets


def test_from_an_account_id_answers_as_typed_and_hints_at_userid(loaded, cli, es, alias) -> None:
    userid, tweets = next(iter(ids_of(es, alias, "userid", str.isdigit).items()))
    found, stderr = count(cli, f"from:{userid}")
    assert found == 0
    hint = f'warning: no account is named "{userid}"; to search by account id type userid:{userid}'
    assert hint in stderr.splitlines()
    assert count(cli, f"userid:{userid}")[0] == tweets


def test_the_hint_is_given_even_when_another_branch_finds_tweets(loaded, cli) -> None:
    found, stderr = count(cli, "from:123 OR the")
    assert found > 0
    assert 'no account is named "123"' in stderr


def test_an_all_digit_screen_name_that_exists_gets_no_hint(loaded, cli) -> None:
    found, stderr = count(cli, f"from:{NUMERIC_SCREEN_NAME}")
    assert found == 1
    assert "warning" not in stderr


def test_a_malformed_userid_is_one_line(loaded, cli) -> None:
    assert "userid: expects an account id" in one_line_error(cli("search", "userid:jenn_abrams"))


# --- what the server could not run ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_retweets:99999999999999999999", "is too large"),
        ("min_faves:-5", "expects a whole number"),
        ("min_replies:many", "expects a whole number"),
        ("(" * 3000 + "the" + ")" * 3000, "nest more than"),
        ("-(" * 3000 + "the" + ")" * 3000, "nest more than"),
        ("a -" + "-" * 3000 + "the", "nest more than"),
    ],
)
def test_numbers_out_of_range_and_deep_nesting_are_one_line(loaded, cli, query: str, message: str) -> None:
    for command in (("search", "--", query), ("top", "hashtags", "--", query)):
        assert message in one_line_error(cli(*command))


@pytest.mark.parametrize(
    "query",
    [
        "(" * MAX_NESTING + "the" + ")" * MAX_NESTING,
        "-(" * (MAX_NESTING // 2) + "the" + ")" * (MAX_NESTING // 2),
        "a " + "-" * MAX_NESTING + "the",
        "x OR (the " * (MAX_NESTING // 2) + "lighthouse" + ")" * (MAX_NESTING // 2),
        "-(" + "x OR (the -(" * (MAX_NESTING // 3) + "url:t.co/abc OR filter:links" + "))" * (MAX_NESTING // 3) + ")",
    ],
)
def test_the_deepest_nesting_the_parser_accepts_runs_on_the_server(loaded, cli, query: str) -> None:
    result = cli("search", "--limit", "1", "--", query)
    assert result.exit_code == 0, result.stderr


def test_a_query_past_the_clause_limit_is_one_line_before_it_reaches_the_server(loaded, cli) -> None:
    words = " OR ".join(f"w{i}" for i in range(3000))
    line = one_line_error(cli("search", words, "--count"))
    assert "the query is too large: it would send more than 4,096 clauses" in line


def test_the_servers_own_clause_and_depth_refusals_are_named_in_one_line(loaded, es, alias) -> None:
    from elasticsearch import BadRequestError

    from common.connection import Settings, user_error

    wide = {"bool": {"should": [{"term": {"hashtags": f"t{i}"}} for i in range(20000)]}}
    deep: dict = {"match_all": {}}
    for _ in range(40):
        deep = {"bool": {"must_not": [deep]}}
    expected = {
        "more clauses than the server allows": wide,
        "nests groups or minus signs too deeply for the server": deep,
    }
    for message, query in expected.items():
        with pytest.raises(BadRequestError) as caught:
            es.search(index=alias, query=query, size=0)
        error = user_error(caught.value, Settings(url="http://localhost:9200", alias=alias))
        assert error is not None and error.exit_code == 2
        assert message in str(error) and "\n" not in str(error)


def test_any_other_refusal_by_the_server_is_one_line_naming_the_problem(loaded, cli) -> None:
    line = one_line_error(cli("export", "the", "-o", "-", "--keep-alive", "banana"))
    assert line.startswith("error: Elasticsearch refused the request as malformed: ")
    assert "keep_alive" in line and "banana" in line
