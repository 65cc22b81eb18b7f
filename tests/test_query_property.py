"""Thousands of generated queries, random and adversarial, through the parser, the real server and the CLI.

Every query must end in an answer or in the one-line query error, whatever it holds: quotes, brackets,
operators with good and bad values, any script, control characters, huge numbers, a leading minus, `*`, `:`.
Nothing else: no other exception, no 400 or 500 from the server, no traceback. Derandomized, so CI sees the
same queries every run.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.errors import TweetsearchError
from search.query import build_query, highlight_body, parse_query

OPERATORS = (
    "from", "userid", "lang", "since", "until", "url", "campaign", "client", "filter",
    "min_retweets", "min_faves", "min_replies", "to", "is", "has", "form", "FROM", "Lang", "x",
)  # fmt: skip
VALUES = (
    "ira", "en", "ru", "2016-01-01", "2016-02-30", "2016-01-01_12:00:00_UTC", "0000-01-01", "9999-12-31",
    "retweets", "links", "replies", "99999999999999999999", "9223372036854775807", "-1", "0", "1e5",
    "785069161404744412", "3d6a1562a4f7aa91e7c1b5d6161076f128f222577e58612813732db82423e199",
    "G0V/YjDyg++N1P+iOs/OgkEYRtsAS0hq/RuOHvPO1So=", "example.com", "t.co/abc", "https://www.example.com/a?b=1&c=2",
    "http://", "[::1]", "a*", "*", "@x", "#y", '"TweetDeck"', '"a b"', "",
)  # fmt: skip
PIECES = (
    "(", ")", '"', "\u201c", "\u201d", "-", "*", ":", "#", "@", "OR", "AND", "NOT", "or", "http://", "https://t.co/",
    "ftp://x", "\x00", "\x1b[2J", "\n", "\t", "\u202e", "🔥", "Йошкар", "خبر", "选举", "ß", "é", "a", "the", "1",
)  # fmt: skip

_text = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=8)
_operator = st.builds(
    lambda minus, name, value, star: f"{minus}{name}:{value}{star}",
    st.sampled_from(("", "-", "--")),
    st.sampled_from(OPERATORS),
    st.one_of(st.sampled_from(VALUES), _text, st.integers(min_value=-(10**30), max_value=10**30).map(str)),
    st.sampled_from(("", "", "*")),
)
_piece = st.one_of(st.sampled_from(PIECES), _operator, _text, st.from_regex(r"[a-z]{1,6}\*?", fullmatch=True))
_mixed = st.builds(
    "".join,
    st.lists(st.tuples(_piece, st.sampled_from((" ", " ", "", "  "))).map("".join), min_size=1, max_size=12),
)
_nested = st.builds(
    lambda opener, depth, inner: opener * depth + inner + ")" * (depth * opener.count("(")),
    st.sampled_from(("(", "-(", "-", "x OR (", "(a -")),
    st.integers(min_value=1, max_value=3000),
    _mixed,
)
_wide = st.builds(
    lambda joiner, count, stem: joiner.join(f"{stem}{i}" for i in range(count)),
    st.sampled_from((" OR ", " ", " -", " OR #")),
    st.integers(min_value=1, max_value=2000),
    st.sampled_from(("w", "the", "url:t.co/", "from:", "min_faves:")),
)
QUERIES = st.one_of(_mixed, _mixed, _mixed, _nested, _wide)

EXAMPLES = 3000
CLI_EXAMPLES = 120
BATCH = 250


def _parsed(text: str) -> dict[str, Any] | None:
    """The body the query builds, or None for a query error; which must be one line. Anything else raises."""
    try:
        return build_query(parse_query(text))
    except TweetsearchError as exc:
        message = str(exc)
        assert message and "\n" not in message and "\r" not in message, repr(message)
        return None


def test_generated_queries_parse_to_a_body_the_server_runs_or_to_one_line_error(indexed_release, es, alias) -> None:
    built: list[tuple[str, dict[str, Any]]] = []

    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )  # fmt: skip
    @given(QUERIES)
    def collect(text: str) -> None:
        body = _parsed(text)
        if body is not None:
            built.append((text, body))

    collect()
    assert len(built) > EXAMPLES // 10, "the generator should make queries that parse, not only errors"
    highlight = {**highlight_body(), "require_field_match": False}
    for start in range(0, len(built), BATCH):
        batch = built[start : start + BATCH]
        searches: list[dict[str, Any]] = []
        for _, body in batch:
            searches += [{}, {"query": body, "size": 2, "track_total_hits": True, "highlight": highlight}]
        answers = es.msearch(index=alias, searches=searches).body["responses"]
        for (text, _), answer in zip(batch, answers, strict=True):
            assert "error" not in answer, (text, answer.get("error"))
            assert answer.get("status", 200) == 200, (text, answer)
            assert not answer["_shards"].get("failed"), (text, answer["_shards"])


def test_generated_queries_through_the_cli_exit_0_or_2_with_one_error_line(indexed_release, cli) -> None:
    @settings(
        max_examples=CLI_EXAMPLES, derandomize=True, database=None, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                               HealthCheck.function_scoped_fixture],
    )  # fmt: skip
    @given(QUERIES)
    def run(text: str) -> None:
        result = cli("search", "--count", "--", text)
        assert "Traceback" not in result.stderr
        assert result.exit_code in (0, 2), (text, result.exit_code, result.stderr)
        lines = result.stderr.splitlines()
        if result.exit_code == 2:
            assert lines and lines[-1].startswith("error: "), (text, lines)
            lines = lines[:-1]
        else:
            assert result.stdout.strip().isdigit(), (text, result.stdout)
        assert all(line.startswith("warning: ") for line in lines), (text, lines)

    run()
