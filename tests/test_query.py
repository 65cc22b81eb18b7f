"""The query language, read as a specification: what an investigator types → the AST → the Elasticsearch body.

Pure and fast: nothing here talks to Elasticsearch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from common.errors import QuerySyntaxError
from common.urls import normalise_url
from search.query import (
    HIGHLIGHT_FIELDS,
    LANG_FIELDS,
    MAX_CLAUSES,
    MAX_NESTING,
    And,
    Not,
    Operator,
    Or,
    Phrase,
    Prefix,
    Term,
    build_query,
    build_query_from_text,
    describe,
    highlight_body,
    id_shaped_from_values,
    match_all,
    parse_query,
    query_warnings,
)

MAPPING = Path(__file__).resolve().parent.parent / "mappings" / "tweets-template.json"

# Spelled out rather than imported, so that a change to where words are searched shows up here.
WORD_FIELDS = (
    "tweet_text",
    *(f"lang.{c}" for c in ("en", "ru", "de", "fr", "es", "it", "pt", "ar", "fa", "tr", "nl", "sv")),
    *(f"lang.{c}" for c in ("id", "hi", "el", "cjk", "std")),
)


def word(text: str) -> dict[str, Any]:
    """The clause for one plain word: exact on tweet_text, or stemmed in any language."""
    return {"bool": {"should": [{"match_phrase": {f: text}} for f in WORD_FIELDS], "minimum_should_match": 1}}


def should(*clauses: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"should": list(clauses), "minimum_should_match": 1}}


def q(text: str) -> dict[str, Any]:
    return build_query(parse_query(text))


def only_filter(clause: dict[str, Any]) -> dict[str, Any]:
    """A query made of a single operator: non-scoring, wrapped in bool.filter."""
    return {"bool": {"filter": [clause]}}


# --- words, phrases, prefixes --------------------------------------------------------------------------------


def test_a_word_is_searched_on_tweet_text_and_in_every_language_field() -> None:
    assert parse_query("troll") == Term("troll")
    assert q("troll") == word("troll")


def test_the_language_fields_searched_are_exactly_those_in_the_mapping() -> None:
    template = json.loads(MAPPING.read_text(encoding="utf-8"))
    mapped = template["template"]["mappings"]["properties"]["lang"]["properties"]
    assert set(LANG_FIELDS) == {f"lang.{code}" for code in mapped}
    assert set(WORD_FIELDS) == {"tweet_text", *LANG_FIELDS}


def test_all_words_are_required() -> None:
    assert parse_query("hillary emails") == And((Term("hillary"), Term("emails")))
    assert q("hillary emails") == {"bool": {"must": [word("hillary"), word("emails")]}}


def test_a_hyphenated_word_stays_one_word_whose_parts_must_be_adjacent() -> None:
    assert parse_query("anti-vax") == Term("anti-vax")
    assert q("anti-vax")["bool"]["should"][0] == {"match_phrase": {"tweet_text": "anti-vax"}}


def test_a_quoted_phrase_is_exact_on_tweet_text_only() -> None:
    assert parse_query('"black lives matter"') == Phrase("black lives matter")
    assert q('"black lives matter"') == {"match_phrase": {"tweet_text": "black lives matter"}}


def test_curly_quotes_pasted_from_a_document_work_like_straight_ones() -> None:
    assert parse_query("\u201cblack lives\u201d") == Phrase("black lives")


def test_whitespace_inside_a_phrase_is_collapsed() -> None:
    assert parse_query('"  black \t lives  "') == Phrase("black lives")


def test_a_trailing_star_is_a_prefix_on_tweet_text() -> None:
    assert parse_query("troll*") == Prefix("troll")
    assert q("troll*") == {"prefix": {"tweet_text": "troll"}}


def test_a_prefix_is_lower_cased_and_ascii_folded_like_the_indexed_tokens() -> None:
    assert parse_query("Café*") == Prefix("cafe")
    assert parse_query("Straße*") == Prefix("strasse")


def test_folding_leaves_scripts_that_asciifolding_leaves_alone() -> None:
    assert parse_query("Йошкар*") == Prefix("йошкар")


def test_a_word_ending_with_a_colon_is_a_word_not_an_operator() -> None:
    assert parse_query("BREAKING: news") == And((Term("BREAKING:"), Term("news")))


def test_a_colon_between_digits_is_part_of_a_word() -> None:
    assert parse_query("10:30") == Term("10:30")


def test_lower_case_or_and_and_are_ordinary_words() -> None:
    assert parse_query("this or that") == And((Term("this"), Term("or"), Term("that")))
    assert parse_query("rock and roll") == And((Term("rock"), Term("and"), Term("roll")))


def test_an_emoji_is_searchable() -> None:
    assert parse_query("🔥") == Term("🔥")


# --- OR, AND, grouping ---------------------------------------------------------------------------------------


def test_or_binds_tighter_than_the_implicit_and_as_on_twitter() -> None:
    assert parse_query("a b OR c") == And((Term("a"), Or((Term("b"), Term("c")))))
    assert parse_query("a OR b c") == And((Or((Term("a"), Term("b"))), Term("c")))


def test_or_becomes_a_should_with_at_least_one_match() -> None:
    assert q("a b OR c") == {"bool": {"must": [word("a"), should(word("b"), word("c"))]}}


def test_chained_ors_are_one_flat_or() -> None:
    assert parse_query("a OR b OR c") == Or((Term("a"), Term("b"), Term("c")))
    assert parse_query("(a OR b) OR c") == Or((Term("a"), Term("b"), Term("c")))


def test_a_lone_upper_case_and_is_the_implicit_and() -> None:
    assert parse_query("a AND b") == parse_query("a b")
    assert parse_query("a OR b AND c") == And((Or((Term("a"), Term("b"))), Term("c")))


def test_parentheses_group_and_redundant_ones_disappear() -> None:
    assert parse_query("(a b) OR c") == Or((And((Term("a"), Term("b"))), Term("c")))
    assert parse_query("a (b c)") == And((Term("a"), Term("b"), Term("c")))
    assert parse_query("((a))") == Term("a")


def test_groups_nest() -> None:
    assert parse_query("(a OR (b -c)) d") == And((Or((Term("a"), And((Term("b"), Not(Term("c")))))), Term("d")))


# --- negation ------------------------------------------------------------------------------------------------


def test_a_minus_excludes_a_word() -> None:
    assert parse_query("-troll") == Not(Term("troll"))
    assert q("-troll") == {"bool": {"must_not": [word("troll")]}}


def test_a_minus_excludes_a_phrase_a_group_or_an_operator() -> None:
    assert parse_query('-"fake news"') == Not(Phrase("fake news"))
    assert parse_query("-(a OR b)") == Not(Or((Term("a"), Term("b"))))
    assert parse_query("-from:x") == Not(Operator("from", "x"))


def test_exclusions_inside_an_and_go_to_must_not() -> None:
    assert q("a -b -from:x") == {
        "bool": {"must": [word("a")], "must_not": [word("b"), {"term": {"user_screen_name": "x"}}]}
    }


def test_an_exclusion_inside_an_or_is_its_own_bool() -> None:
    assert q("a OR -b") == should(word("a"), {"bool": {"must_not": [word("b")]}})


def test_a_double_minus_is_a_double_negation() -> None:
    assert parse_query("--a") == Not(Not(Term("a")))


# --- scoring: operators filter, words score --------------------------------------------------------------------


def test_operators_go_to_filter_and_words_to_must() -> None:
    assert q("troll from:x lang:ru") == {
        "bool": {
            "must": [word("troll")],
            "filter": [{"term": {"user_screen_name": "x"}}, {"term": {"tweet_language": "ru"}}],
        }
    }


def test_an_or_of_operators_is_a_filter_but_an_or_with_a_word_scores() -> None:
    assert q("troll (from:a OR from:b)") == {
        "bool": {
            "must": [word("troll")],
            "filter": [should({"term": {"user_screen_name": "a"}}, {"term": {"user_screen_name": "b"}})],
        }
    }
    assert q("x (from:a OR troll)")["bool"]["must"][1] == should({"term": {"user_screen_name": "a"}}, word("troll"))


def test_a_query_of_operators_only_is_wrapped_in_a_filter() -> None:
    assert q("from:x") == only_filter({"term": {"user_screen_name": "x"}})
    assert q("from:a OR from:b") == only_filter(
        should({"term": {"user_screen_name": "a"}}, {"term": {"user_screen_name": "b"}})
    )


# --- operators -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "node", "clause"),
    [
        ("from:Ten_GOP", Operator("from", "ten_gop"), {"term": {"user_screen_name": "ten_gop"}}),
        ("from:@TEN_GOP", Operator("from", "ten_gop"), {"term": {"user_screen_name": "ten_gop"}}),
        ("FROM:ten_gop", Operator("from", "ten_gop"), {"term": {"user_screen_name": "ten_gop"}}),
        ('from:"ten_gop"', Operator("from", "ten_gop"), {"term": {"user_screen_name": "ten_gop"}}),
        ("from:Ten_*", Operator("from", "ten_", prefix=True), {"prefix": {"user_screen_name": "ten_"}}),
        ("@Jack", Operator("mention", "jack"), {"term": {"mention_names": "jack"}}),
        ("@jack:", Operator("mention", "jack"), {"term": {"mention_names": "jack"}}),
        ("@ten*", Operator("mention", "ten", prefix=True), {"prefix": {"mention_names": "ten"}}),
        ("#MAGA", Operator("hashtag", "maga"), {"term": {"hashtags": "maga"}}),
        ("#MAGA!", Operator("hashtag", "maga"), {"term": {"hashtags": "maga"}}),
        ("#Maga*", Operator("hashtag", "maga", prefix=True), {"prefix": {"hashtags": "maga"}}),
        ("lang:RU", Operator("lang", "ru"), {"term": {"tweet_language": "ru"}}),
        ("lang:zh-cn", Operator("lang", "zh-cn"), {"term": {"tweet_language": "zh-cn"}}),
        (
            "since:2016-01-01",
            Operator("since", "2016-01-01"),
            {"range": {"tweet_time": {"gte": "2016-01-01T00:00:00Z"}}},
        ),
        (
            "until:2016-11-09",
            Operator("until", "2016-11-09"),
            {"range": {"tweet_time": {"lt": "2016-11-09T00:00:00Z"}}},
        ),
        (
            "since:2016-11-08_18:30:00_UTC",
            Operator("since", "2016-11-08_18:30:00_UTC"),
            {"range": {"tweet_time": {"gte": "2016-11-08T18:30:00Z"}}},
        ),
        (
            "campaign:IRA",
            Operator("campaign", "IRA"),
            {"term": {"campaign": {"value": "IRA", "case_insensitive": True}}},
        ),
        (
            "campaign:ir*",
            Operator("campaign", "ir", prefix=True),
            {"prefix": {"campaign": {"value": "ir", "case_insensitive": True}}},
        ),
        (
            'client:"TweetDeck"',
            Operator("client", "TweetDeck"),
            {"term": {"tweet_client_name": {"value": "TweetDeck", "case_insensitive": True}}},
        ),
        (
            'client:"Twitter for*"',
            Operator("client", "Twitter for", prefix=True),
            {"prefix": {"tweet_client_name": {"value": "Twitter for", "case_insensitive": True}}},
        ),
        ("filter:retweets", Operator("filter", "retweets"), {"term": {"is_retweet": True}}),
        ("filter:Replies", Operator("filter", "replies"), {"exists": {"field": "in_reply_to_tweetid"}}),
        (
            "filter:links",
            Operator("filter", "links"),
            should({"exists": {"field": "urls"}}, {"exists": {"field": "tco_links"}}),
        ),
        ("min_retweets:100", Operator("min_retweets", "100"), {"range": {"retweet_count": {"gte": 100}}}),
        ("min_faves:007", Operator("min_faves", "7"), {"range": {"like_count": {"gte": 7}}}),
        ("min_replies:0", Operator("min_replies", "0"), {"range": {"reply_count": {"gte": 0}}}),
    ],
)
def test_each_operator(query: str, node: Operator, clause: dict[str, Any]) -> None:
    assert parse_query(query) == node
    assert q(query) == only_filter(clause)


def test_excluding_retweets_is_a_filter_on_is_retweet_false() -> None:
    """Every document has `is_retweet`, so its positive form answers the same and is cheaper than must_not."""
    assert q("-filter:retweets") == {"bool": {"filter": [{"term": {"is_retweet": False}}]}}
    assert q("vote -filter:retweets lang:en") == {
        "bool": {
            "must": [word("vote")],
            "filter": [{"term": {"is_retweet": False}}, {"term": {"tweet_language": "en"}}],
        }
    }
    assert q("a OR -filter:retweets") == should(word("a"), {"bool": {"filter": [{"term": {"is_retweet": False}}]}})
    assert q("--filter:retweets") == {"bool": {"must_not": [{"bool": {"filter": [{"term": {"is_retweet": False}}]}}]}}


def test_other_exclusions_of_presence_stay_must_not() -> None:
    assert q("-filter:replies") == {"bool": {"must_not": [{"exists": {"field": "in_reply_to_tweetid"}}]}}
    assert q("-filter:links") == {
        "bool": {"must_not": [should({"exists": {"field": "urls"}}, {"exists": {"field": "tco_links"}})]}
    }


def test_since_and_until_make_a_half_open_day_range() -> None:
    assert q("since:2016-11-08 until:2016-11-09") == {
        "bool": {
            "filter": [
                {"range": {"tweet_time": {"gte": "2016-11-08T00:00:00Z"}}},
                {"range": {"tweet_time": {"lt": "2016-11-09T00:00:00Z"}}},
            ]
        }
    }


def test_a_quoted_value_keeps_its_spaces() -> None:
    assert parse_query('client:"Twitter for iPhone" troll') == And(
        (Operator("client", "Twitter for iPhone"), Term("troll"))
    )


def test_building_an_operator_the_parser_never_makes_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not a known operator"):
        build_query(Operator("to", "jack"))


# --- url: -------------------------------------------------------------------------------------------------------


def test_a_domain_matches_the_registered_domain_or_the_host() -> None:
    assert q("url:bbc.co.uk") == only_filter(
        should({"term": {"url_domains": "bbc.co.uk"}}, {"term": {"url_hosts": "bbc.co.uk"}})
    )


@pytest.mark.parametrize(
    "value", ["rt.com", "RT.com", "www.rt.com", "https://www.rt.com/", "http://rt.com:80", "rt.com:8080"]
)
def test_scheme_www_case_port_and_trailing_slash_do_not_change_a_host(value: str) -> None:
    assert parse_query(f"url:{value}") == Operator("url", "rt.com")


def test_an_address_with_a_path_matches_that_page_with_any_parameters_under_http_and_https() -> None:
    assert q("url:example.com/a/b") == only_filter(
        should(
            {"terms": {"urls": ["http://example.com/a/b", "https://example.com/a/b"]}},
            {"prefix": {"urls": "http://example.com/a/b?"}},
            {"prefix": {"urls": "https://example.com/a/b?"}},
        )
    )


@pytest.mark.parametrize(
    "value",
    [
        "example.com/a/b",
        "https://www.Example.com/a/b/",
        "HTTP://EXAMPLE.COM:80/a/b",
        "https://example.com/a/b?utm_source=twitter&utm_medium=social",
        "https://example.com/a/b#comments",
        "www.example.com/a/b?fbclid=XYZ",
    ],
)
def test_urls_are_normalised_like_the_indexed_ones(value: str) -> None:
    assert parse_query(f"url:{value}") == Operator("url", "example.com/a/b")


def test_a_path_keeps_its_case_and_real_query_parameters() -> None:
    node = parse_query("url:https://example.com/Watch?v=AbC&utm_campaign=x")
    assert node == Operator("url", "example.com/Watch?v=AbC")
    assert q("url:example.com/Watch?v=AbC")["bool"]["filter"][0]["bool"]["should"][1:] == [
        {"regexp": {"urls": {"value": r"https?://example\.com\/Watch\?(.*\&)?v\=AbC(\&.*)?", "flags": "NONE"}}},
    ]


def test_query_parameters_are_sorted_like_the_indexed_urls() -> None:
    assert parse_query("url:example.com/a?z=1&a=2") == Operator("url", "example.com/a?a=2&z=1")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.BBC.co.uk/news/x/?utm_source=twitter&b=2&a=1#top",
        "http://rt.com:8080/a",
        "https://t.co/AbC12",
        "http://example.com/%D0%9F?q=a+b",
    ],
)
def test_the_address_searched_is_the_one_the_indexer_stored(url: str) -> None:
    stored = normalise_url(url)
    assert stored is not None
    searched = q(f'url:"{url}"')["bool"]["filter"][0]["bool"]["should"][0]
    assert stored in searched["terms"]["urls"]


def test_a_trailing_star_on_a_url_is_a_plain_prefix() -> None:
    assert parse_query("url:example.com/news*") == Operator("url", "example.com/news", prefix=True)
    assert parse_query("url:example.com/news/*") == Operator("url", "example.com/news/", prefix=True)
    assert q("url:example.com/news*") == only_filter(
        should({"prefix": {"urls": "http://example.com/news"}}, {"prefix": {"urls": "https://example.com/news"}})
    )


def test_a_star_after_a_bare_host_adds_nothing() -> None:
    assert parse_query("url:example.com*") == Operator("url", "example.com")


def test_a_bare_web_address_is_a_url_lookup() -> None:
    assert parse_query("https://www.example.com/a") == Operator("url", "example.com/a")
    assert parse_query("troll http://example.com") == And((Term("troll"), Operator("url", "example.com")))


def test_a_tco_link_is_also_looked_up_in_tco_links_and_in_the_tweet_text() -> None:
    assert parse_query("https://t.co/AbC12") == Operator("url", "t.co/AbC12")
    clauses = q("https://t.co/AbC12")["bool"]["filter"][0]["bool"]["should"]
    assert clauses[0] == {"terms": {"urls": ["http://t.co/AbC12", "https://t.co/AbC12"]}}
    assert clauses[-2:] == [
        {"terms": {"tco_links": ["http://t.co/AbC12", "https://t.co/AbC12"]}},
        {"match_phrase": {"tweet_text": "t.co/AbC12"}},
    ]


def test_a_word_with_another_scheme_is_a_phrase_on_tweet_text() -> None:
    assert parse_query("ftp://files.example.com/x") == Phrase("ftp://files.example.com/x")


# --- describe ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "described"),
    [
        ("a b OR c", "a (b OR c)"),
        ("(a b) OR c", "(a b) OR c"),
        ("a AND b", "a b"),
        ('-(a OR "b  c")', '-(a OR "b c")'),
        ("-(a)", "-a"),
        ("FROM:@Ten_GOP #MAGA @Jack", "from:ten_gop #maga @jack"),
        ('client:"Twitter for iPhone" campaign:ir*', 'client:"Twitter for iPhone" campaign:ir*'),
        ("https://www.example.com/a/ Café*", "url:example.com/a cafe*"),
        ("since:2016-01-01 -filter:retweets min_faves:010", "since:2016-01-01 -filter:retweets min_faves:10"),
        ("BREAKING: --x", "BREAKING: --x"),
    ],
)
def test_describe_echoes_the_normalised_query_with_or_groups_made_visible(query: str, described: str) -> None:
    assert describe(parse_query(query)) == described


@pytest.mark.parametrize(
    "query",
    [
        'a b OR c -(d OR "e f") from:x',
        "(a b) OR (c -d) OR #tag*",
        'url:"example.com/a (b)" client:"Twitter Web Client"',
        "url:example.com/news/* since:2016-11-08_18:30:00_UTC",
    ],
)
def test_describe_reads_back_to_the_same_ast(query: str) -> None:
    node = parse_query(query)
    assert parse_query(describe(node)) == node


# --- errors -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("", "the query is empty", 0),
        ("   ", "the query is empty", 0),
        ('troll "fake news', "unclosed quote", 6),
        ('client:"TweetDeck', "unclosed quote", 7),
        ("(a OR b", "unclosed parenthesis", 0),
        ("a (b (c)", "unclosed parenthesis", 2),
        ("a OR b)", "unmatched )", 6),
        ("a () b", "empty parentheses", 2),
        ('a ""', "empty phrase", 2),
        ("a OR", "OR needs something on both sides", 2),
        ("OR a", "OR needs something on both sides", 0),
        ("a OR OR b", "OR needs something on both sides", 2),
        ("(a OR) b", "OR needs something on both sides", 3),
        ("a AND", "AND needs something on both sides", 2),
        ("AND a", "AND needs something on both sides", 0),
        ("a AND OR b", "AND needs something on both sides", 2),
        ("a -", '"-" must be followed by a word, "phrase", (group) or operator', 2),
        ("a - b", '"-" must be followed by a word, "phrase", (group) or operator', 2),
        ("(a -)", '"-" must be followed by a word, "phrase", (group) or operator', 3),
        ("-OR a", '"-" must be followed by a word, "phrase", (group) or operator', 0),
        ("troll form:x", 'unknown operator "form:"; did you mean "from:"?', 6),
        ("sinse:2016-01-01", 'unknown operator "sinse:"; did you mean "since:"?', 0),
        ("xyzzy:1", 'unknown operator "xyzzy:"; put it in quotes to search it as text', 0),
        ("to:jack", "to: is not supported: the archives record no addressee by name (try @name for mentions)", 0),
        ("is:retweet", 'unknown operator "is:"; did you mean filter:retweets or filter:replies?', 0),
        ("min_likes:5", 'unknown operator "min_likes:"; did you mean "min_faves:"?', 0),
        ("#a hashtag:maga", 'unknown operator "hashtag:"; write #tag', 3),
        ("a from:", "from: needs a value", 2),
        ('from:""', "from: needs a value", 0),
        ("from:@", "from: needs a value", 0),
        ("a #", "# must be followed by a hashtag", 2),
        ("@", "@ must be followed by a screen name", 0),
        ("#*", "# needs something before *", 0),
        ("from:a*b", "* works only at the end of a value", 6),
        ("since:2016-02-30", 'since: expects a date such as 2016-01-01, got "2016-02-30"', 6),
        ("until:09/11/2016", 'until: expects a date such as 2016-01-01, got "09/11/2016"', 6),
        ("min_retweets:ten", 'min_retweets: expects a whole number, got "ten"', 13),
        ("min_faves:-1", 'min_faves: expects a whole number, got "-1"', 10),
        ("min_faves:١٠", 'min_faves: expects a whole number, got "١٠"', 10),
        ("filter:retweet", 'unknown filter "retweet"; did you mean "filter:retweets"?', 7),
        ("filter:media", 'unknown filter "media" (known: retweets, replies, links)', 7),
        ("lang:russian", 'lang: expects a language code such as "ru", got "russian"', 5),
        ("url:localhost", 'url: expects a domain or a web address such as example.com/page, got "localhost"', 4),
        ("url:http://", 'url: expects a domain or a web address such as example.com/page, got "http://"', 4),
        ("url:ftp://x.org", 'url: expects a domain or a web address such as example.com/page, got "ftp://x.org"', 4),
        ("url:[::1", 'url: expects a domain or a web address such as example.com/page, got "[::1"', 4),
        ("a & b", 'nothing to search for in "&": no letters or digits', 2),
        ('"!!"', 'nothing to search for in "!!": no letters or digits', 0),
        ("*", "* needs a word before it", 0),
        ("t*", "a prefix* needs at least 2 characters before *", 0),
        ("tr*ll", "* works only at the end of a word", 2),
        ("anti-va*", "a prefix* must be a single word of letters or digits", 0),
    ],
)
def test_malformed_queries_say_what_and_where(query: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query)
    assert (caught.value.message, caught.value.position) == (message, position)


def test_the_error_line_names_the_column_and_the_cli_exits_2() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query("troll form:x")
    error = caught.value
    assert str(error) == 'unknown operator "form:"; did you mean "from:"? (column 7)'
    assert error.column == 7
    assert error.exit_code == 2


def test_the_pointer_puts_a_caret_under_the_problem() -> None:
    error = QuerySyntaxError("unclosed parenthesis", 6)
    assert error.pointer("troll (a OR b") == "troll (a OR b\n      ^"


def test_the_pointer_counts_wide_characters_as_two_cells_and_flattens_newlines() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query("中文 form:x")
    assert caught.value.pointer("中文 form:x") == "中文 form:x\n     ^"
    assert QuerySyntaxError("x", 2).pointer("a\nb c") == "a b c\n  ^"


# --- no query, highlighting, safety ---------------------------------------------------------------------------------


def test_blank_text_means_every_tweet_for_commands_where_the_query_is_optional() -> None:
    assert build_query_from_text("") == {"match_all": {}}
    assert build_query_from_text(" \t ") == match_all()
    assert build_query_from_text("troll") == word("troll")


def test_build_query_from_text_still_rejects_malformed_text() -> None:
    with pytest.raises(QuerySyntaxError, match="unclosed quote"):
        build_query_from_text('"troll')


def test_only_tweet_text_is_highlighted_whole() -> None:
    assert HIGHLIGHT_FIELDS == ("tweet_text",)
    assert highlight_body() == {"fields": {"tweet_text": {"number_of_fragments": 0}}}


def _query_types(clause: Any) -> Iterator[str]:
    """Every query type in a body: the keys that sit directly under a clause, recursively through bool."""
    for kind, body in clause.items():
        yield kind
        if kind == "bool":
            for key in ("must", "should", "filter", "must_not"):
                for child in body.get(key, []):
                    yield from _query_types(child)


def test_user_text_never_reaches_elasticsearch_as_query_syntax() -> None:
    body = q(
        'a "b c" dd* (e OR -f) -(g h) from:x @y #z lang:ru since:2016-01-01 until:2017-01-01 '
        'url:example.com/a url:bbc.co.uk https://t.co/x campaign:ira client:"Web" filter:links '
        "-filter:retweets filter:replies min_retweets:1 min_faves:2 min_replies:3"
    )
    allowed = {"bool", "match_phrase", "term", "terms", "prefix", "range", "exists"}
    assert set(_query_types(body)) <= allowed
    assert "query_string" not in json.dumps(body)


def test_ast_nodes_are_immutable_values() -> None:
    node = parse_query("a OR b")
    assert node == Or((Term("a"), Term("b")))
    assert len({node, parse_query("a OR b")}) == 1
    with pytest.raises(AttributeError):
        node.children = ()  # type: ignore[misc]


# --- what the query does that its author may not expect ----------------------------------------------------

OR_WARNING = '"or" is read as a word; for either word type OR'
AND_WARNING = "AND is not an operator here: words are all required already, so it was left out; drop it"
NOT_WARNING = "NOT is read as a word; to exclude a word type -word"


@pytest.mark.parametrize(
    ("query", "warnings"),
    [
        ("this or that", [OR_WARNING]),
        ("this Or that", ['"Or" is read as a word; for either word type OR']),
        ("a AND b", [AND_WARNING]),
        ("vote NOT fraud", [NOT_WARNING]),
        ("a or b or c AND d AND e NOT f", [OR_WARNING, AND_WARNING, NOT_WARNING]),
        ("(x or y) #tag", [OR_WARNING]),
    ],
)
def test_or_and_not_as_other_engines_spell_them_are_warned_about(query: str, warnings: list[str]) -> None:
    assert query_warnings(query) == warnings


@pytest.mark.parametrize(
    "query", ["this OR that", '"this or that"', "rock and roll", "not guilty", "-or", "a -NOT", "", "unclosed (or"]
)
def test_queries_meaning_what_they_say_or_malformed_get_no_warning(query: str) -> None:
    assert query_warnings(query) == []


def test_a_warning_changes_nothing_in_how_the_query_is_read() -> None:
    assert parse_query("this or that") == And((Term("this"), Term("or"), Term("that")))
    assert parse_query("a AND b") == parse_query("a b")
    assert parse_query("vote NOT fraud") == And((Term("vote"), Term("NOT"), Term("fraud")))


# --- since: and until: ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("since:2016-01-02 until:2016-01-01", 17),
        ("since:2016-01-01 until:2016-01-01", 17),
        ("until:2015-06-01 vote since:2016-01-01", 0),
        ("since:2016-01-01_12:00:00_UTC until:2016-01-01_11:59:59_UTC", 30),
        ("(since:2016-02-01 vote) until:2016-01-01", 24),
        ("a OR (b since:2016-02-01 until:2016-01-01)", 25),
        ("since:2015-01-01 since:2016-03-01 until:2016-02-01", 34),
    ],
)
def test_until_not_after_since_in_one_and_is_an_error_at_the_until(query: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError, match="is not after since:") as caught:
        parse_query(query)
    assert caught.value.position == position
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "query",
    [
        "since:2016-01-01 until:2016-01-02",
        "since:2016-01-01_12:00:00_UTC until:2016-01-01_12:00:01_UTC",
        "since:2016-02-01 OR until:2016-01-01",
        "since:2016-02-01 -until:2016-01-01",
        "since:2016-02-01 (until:2016-01-01 OR vote)",
    ],
)
def test_dates_that_can_match_or_sit_in_other_branches_are_accepted(query: str) -> None:
    parse_query(query)


# --- userid: ------------------------------------------------------------------------------------------------

HEX_ID = "3d6a1562a4f7aa91e7c1b5d6161076f128f222577e58612813732db82423e199"
BASE64_ID = "G0V/YjDyg++N1P+iOs/OgkEYRtsAS0hq/RuOHvPO1So="


def test_userid_takes_a_numeric_id_as_an_exact_keyword() -> None:
    assert parse_query("userid:785069161404744412") == Operator("userid", "785069161404744412")
    assert q("userid:785069161404744412") == only_filter({"term": {"userid": "785069161404744412"}})


def test_userid_takes_a_hex_hashed_id_in_any_case() -> None:
    assert parse_query(f"userid:{HEX_ID.upper()}") == Operator("userid", HEX_ID)
    assert q(f"userid:{HEX_ID}") == only_filter({"term": {"userid": {"value": HEX_ID, "case_insensitive": True}}})


def test_userid_takes_a_base64_hashed_id_exactly_as_published() -> None:
    assert q(f"userid:{BASE64_ID}") == only_filter({"term": {"userid": BASE64_ID}})
    assert parse_query(describe(parse_query(f"-userid:{BASE64_ID}"))) == Not(Operator("userid", BASE64_ID))


def test_the_userid_field_is_a_keyword_in_the_mapping() -> None:
    template = json.loads(MAPPING.read_text(encoding="utf-8"))
    assert template["template"]["mappings"]["properties"]["userid"] == {"type": "keyword"}


@pytest.mark.parametrize("value", ["jenn_abrams", "12a", HEX_ID[:-1], "1" * 21, "", "123*", "-5"])
def test_userid_refuses_what_is_not_an_account_id(value: str) -> None:
    with pytest.raises(QuerySyntaxError, match="userid:"):
        parse_query(f"userid:{value}")


def test_from_values_made_of_digits_are_picked_out_for_the_index_to_check() -> None:
    node = parse_query("from:123 OR -(from:@456 from:ab1) from:789* from:123")
    assert id_shaped_from_values(node) == ["123", "456"]
    assert id_shaped_from_values(parse_query("from:jenn_abrams")) == []


# --- numbers and nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_retweets:99999999999999999999", "min_retweets: 99999999999999999999 is too large"),
        ("min_faves:9223372036854775808", "min_faves: 9223372036854775808 is too large (at most 9223372036854775807)"),
        ("min_replies:-5", 'min_replies: expects a whole number, got "-5"'),
        ("min_retweets:ten", 'min_retweets: expects a whole number, got "ten"'),
        ("min_retweets:1.5", 'min_retweets: expects a whole number, got "1.5"'),
    ],
)
def test_counts_out_of_range_or_not_whole_numbers_are_errors(query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_query(query)


def test_the_largest_count_the_field_holds_is_accepted() -> None:
    assert q("min_retweets:9223372036854775807") == only_filter(
        {"range": {"retweet_count": {"gte": 9223372036854775807}}}
    )


@pytest.mark.parametrize(
    "query",
    ["(" * 3000 + "a" + ")" * 3000, "-" * 3000 + "a", "-(" * 3000 + "a" + ")" * 3000, "(-" * 1500 + "a" + ")" * 1500],
)
def test_thousands_of_nested_groups_are_one_error_not_a_recursion_error(query: str) -> None:
    with pytest.raises(QuerySyntaxError, match=f"nest more than {MAX_NESTING} deep"):
        parse_query(query)


def test_nesting_up_to_the_limit_is_accepted() -> None:
    assert parse_query("(" * MAX_NESTING + "a" + ")" * MAX_NESTING) == Term("a")
    assert parse_query("-" * MAX_NESTING + "a") is not None
    with pytest.raises(QuerySyntaxError, match="column 21"):
        parse_query("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1))


def test_a_query_past_the_clause_limit_is_an_error_at_the_word_that_crosses_it() -> None:
    fits = MAX_CLAUSES // len(WORD_FIELDS)
    parse_query(" OR ".join(["w"] * fits))
    words = " OR ".join(f"w{i}" for i in range(fits + 1))
    with pytest.raises(QuerySyntaxError, match=f"more than {MAX_CLAUSES:,} clauses") as caught:
        parse_query(words)
    assert caught.value.position == words.rindex("w")


def test_an_error_quoting_typed_control_characters_stays_one_line() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query('lang:"r\nu\x1b[2J"')
    assert str(caught.value) == 'lang: expects a language code such as "ru", got "r\u23ce u\u241b[2j" (column 7)'


def test_operator_text_selects_exactly_the_value_or_says_it_cannot():
    from search.query import operator_text

    assert operator_text("campaign", "ira") == "campaign:ira"
    assert operator_text("client", "Twitter for iPhone") == 'client:"Twitter for iPhone"'
    assert operator_text("hashtag", "maga") == "#maga"
    assert operator_text("mention", "jack") == "@jack"
    assert operator_text("client", 'the "best" app') is None
