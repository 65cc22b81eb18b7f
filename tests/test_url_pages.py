"""A URL finds its page however it was linked: parameters in any order or number, tracking parameters, and
the several addresses a site gives one page (YouTube), for `tweetsearch url` and for `url:` in a query.

A small archive is written here with every form of one YouTube video, near misses (another video, an id one
character longer, another host, a sub-path), plain pages with extra, tracking and different parameters, and
addresses full of characters that are operators in a regular expression; each lookup is checked against the
exact set of tweets that link the page. The rules module (`search.pages`) is checked on its own too.
"""

from __future__ import annotations

import re

import orjson
import pytest
from archive_samples import ira_row, quoted_csv, write

from common.errors import AddressTooLong, NotAUrl, QuerySyntaxError
from search.lookup import url_target
from search.pages import (
    MAX_REGEXP_LENGTH,
    load_rules,
    page_regexp,
    recognise,
    shipped_rules,
    split_address,
)
from search.query import build_query_from_text, parse_query

VIDEO = "dQw4w9WgXcQ"
OTHER_VIDEO = "9bZkp7q19f0"

# tweet number → the link as the archive publishes it
LINKS = {
    # the video, in every form YouTube uses, with and without www/https, with extra and tracking parameters
    1: f"https://www.youtube.com/watch?v={VIDEO}",
    2: f"http://youtube.com/watch?v={VIDEO}&t=42s",
    3: f"https://youtu.be/{VIDEO}",
    4: f"http://youtu.be/{VIDEO}?t=10",
    5: f"https://m.youtube.com/watch?feature=share&v={VIDEO}",
    6: f"https://www.youtube.com/shorts/{VIDEO}",
    7: f"https://youtube.com/embed/{VIDEO}?autoplay=1",
    8: f"https://www.youtube.com/v/{VIDEO}",
    9: f"https://www.youtube.com/watch?utm_source=twitter&v={VIDEO}&feature=youtu.be",
    10: f"https://www.youtube.com/watch/?v={VIDEO}",
    11: f"https://www.youtube.com/watch?x=1&list=PLx&v={VIDEO}",
    # near misses: another video, a longer id, another parameter name, another host, a sub-path
    12: f"https://www.youtube.com/watch?v={OTHER_VIDEO}",
    13: f"https://youtu.be/{OTHER_VIDEO}",
    14: f"https://www.youtube.com/watch?v={VIDEO}x",
    15: f"https://www.youtube.com/watch?vv={VIDEO}",
    16: f"https://notyoutube.com/watch?v={VIDEO}",
    17: f"https://youtube.com/shorts/{VIDEO}/extra",
    # a plain page: its parameters a subset of the link's, in any order, tracking parameters aside
    20: "https://example.com/a?x=1",
    21: "https://example.com/a?utm_source=t&x=1&y=2",
    22: "https://example.com/a?x=2",
    23: "https://example.com/ab?x=1",
    24: "https://example.com/a",
    25: "https://example.com/a/b?x=1",
    26: "https://example.com/a?xx=1",
    27: "https://www.example.com/a/?y=2&x=1&fbclid=abc",
    # characters that are operators in a regular expression, in the path and in parameters
    30: "http://example.com/a(b)[c]+",
    31: "http://example.com/a(b)[c]+?q=1",
    32: "http://example.com/ab[c]",
    33: "http://example.com/a(b)[c]+x",
    34: "http://example.com/s?k=a~b<c>@d&z=.+|",
    35: "http://example.com/s?k=a~bb",
}
VIDEO_TWEETS = set(range(1, 12))


def tweetid(number: int) -> str:
    return str(900000000000000000 + number)


@pytest.fixture(scope="module")
def loaded(cli, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("release")
    rows = [
        ira_row(
            tweetid=tweetid(number),
            urls=f"[{link}]",
            tweet_text=f"link number {number}",
            tweet_time=f"2017-06-{number % 28 + 1:02d} 16:03",
        )
        for number, link in LINKS.items()
    ]
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv(rows))
    result = cli("index", str(folder), "--rejects", str(folder / "rejects.jsonl"), "--json")
    assert result.exit_code == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert summary["rejected"] == 0
    assert summary["indexed"] == len(LINKS)


def found(cli, query: str) -> set[int]:
    """The tweets `search QUERY` finds, by their number in LINKS; checked against `search --count`."""
    result = cli("search", "--format", "jsonl", "--limit", "1000", "--", query)
    assert result.exit_code == 0, result.stderr
    numbers = {int(orjson.loads(line)["tweetid"]) - 900000000000000000 for line in result.stdout.splitlines()}
    counted = cli("search", "--count", "--", query)
    assert counted.exit_code == 0, counted.stderr
    assert int(counted.stdout) == len(numbers)
    return numbers


def reported(cli, address: str) -> dict:
    result = cli("url", address, "--json")
    assert result.exit_code == 0, result.stderr
    return orjson.loads(result.stdout)


def normalised(numbers: set[int]) -> set[str]:
    from common.urls import normalise_url

    return {normalise_url(LINKS[number]) for number in numbers}


# --- against the server -----------------------------------------------------------------------------------------

VIDEO_FORMS = [
    f"https://www.youtube.com/watch?v={VIDEO}",
    f"youtube.com/watch?v={VIDEO}",
    f"https://youtu.be/{VIDEO}",
    f"youtu.be/{VIDEO}?t=3",
    f"m.youtube.com/watch?v={VIDEO}&t=5",
    f"http://www.youtube.com/shorts/{VIDEO}",
    f"youtube.com/embed/{VIDEO}",
    f"https://youtube.com/v/{VIDEO}/",
    f"https://www.youtube.com/watch?feature=youtu.be&v={VIDEO}&utm_campaign=x",
]


@pytest.mark.parametrize("form", VIDEO_FORMS)
def test_every_form_of_a_youtube_video_finds_every_link_to_it_and_nothing_else(cli, loaded, form):
    assert found(cli, f'url:"{form}"') == VIDEO_TWEETS
    data = reported(cli, form)
    assert data["tweets"] == len(VIDEO_TWEETS)
    assert data["target"]["page"]["ids"] == {"id": VIDEO}
    assert {row["value"] for row in data["urls"]} == normalised(VIDEO_TWEETS)


def test_another_video_is_another_page(cli, loaded):
    assert found(cli, f"url:youtu.be/{OTHER_VIDEO}") == {12, 13}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("example.com/a?x=1", {20, 21, 27}),
        ("https://www.example.com/a/?x=1&utm_source=newsletter", {20, 21, 27}),
        ("example.com/a?y=2&x=1", {21, 27}),
        ("example.com/a?y=2", {21, 27}),
        ("example.com/a?x=2", {22}),
        ("example.com/a", {20, 21, 22, 24, 26, 27}),
        ("example.com/ab?x=1", {23}),
        ("example.com/a/b", {25}),
    ],
)
def test_a_url_finds_links_to_the_same_host_and_path_carrying_at_least_its_parameters(cli, loaded, address, expected):
    assert found(cli, f'url:"{address}"') == expected
    data = reported(cli, address)
    assert data["tweets"] == len(expected)
    assert data["target"]["page"] is None
    assert {row["value"] for row in data["urls"]} == normalised(expected)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("example.com/a(b)[c]+", {30, 31}),
        ("example.com/a(b)[c]+?q=1", {31}),
        ("example.com/ab[c]", {32}),
        ("example.com/s?k=a~b<c>@d", {34}),
        ("example.com/s?z=.+|", {34}),
        ("example.com/s?k=a~b", set()),
    ],
)
def test_characters_that_are_regular_expression_operators_match_literally(cli, loaded, address, expected):
    assert found(cli, f'url:"{address}"') == expected
    result = cli("url", address, "--json")
    assert result.exit_code == (0 if expected else 1), result.stderr
    if expected:
        assert orjson.loads(result.stdout)["tweets"] == len(expected)


def test_a_url_whose_parameters_no_link_carries_says_how_many_link_its_path_otherwise(cli, loaded):
    result = cli("url", "https://example.com/a?x=9")

    assert result.exit_code == 1
    assert "6 tweets link example.com/a with other parameters (5 distinct URLs)" in result.stdout
    assert "tweetsearch url example.com/a" in result.stdout
    # the command it gives lists them
    assert reported(cli, "example.com/a")["tweets"] == 6


def test_the_other_parameters_hint_is_in_the_json_too(cli, loaded):
    result = cli("url", "example.com/a(b)[c]+?q=2", "--json")

    assert result.exit_code == 1
    data = orjson.loads(result.stdout)
    assert data["tweets"] == 0
    assert data["other_parameters"] == {
        "address": "example.com/a(b)[c]+",
        "tweets": 2,
        "urls": 2,
        "urls_exact": True,
        "command": "tweetsearch url 'example.com/a(b)[c]+'",
    }


def test_no_hint_when_nothing_links_the_path_either(cli, loaded):
    result = cli("url", "https://example.com/nowhere?x=1")

    assert result.exit_code == 1
    assert "no tweet shares example.com/nowhere?x=1" in result.stderr
    assert result.stdout == ""


def test_a_video_nobody_linked_is_exit_1_naming_the_page(cli, loaded):
    result = cli("url", "https://youtu.be/AAAAAAAAAAA")

    assert result.exit_code == 1
    assert "no tweet shares youtu.be/AAAAAAAAAAA (the YouTube video AAAAAAAAAAA, in any of its forms)" in result.stderr
    assert result.stdout == ""


def test_the_report_names_the_page_and_its_forms(cli, loaded):
    result = cli("url", f"youtu.be/{VIDEO}")

    assert result.exit_code == 0, result.stderr
    assert f"YouTube video {VIDEO}" in result.stdout
    assert f"youtube.com/shorts/{VIDEO}" in result.stdout


@pytest.mark.parametrize(
    "text",
    ["", "   ", "http://", "?x=1", "https://example.com/a b", "example.com/a\tb", "not an address"],
)
def test_text_that_is_no_address_is_one_line_and_exit_2(cli, loaded, text):
    result = cli("url", text)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_domain_and_a_prefix_work_as_before(cli, loaded):
    assert found(cli, "url:youtu.be") == {3, 4, 13}
    assert found(cli, "url:example.com/a*") == {20, 21, 22, 23, 24, 25, 26, 27, 30, 31, 32, 33}


# --- the rules, pure --------------------------------------------------------------------------------------------


def lucene_matches(pattern: str, value: str) -> bool:
    """Whether a Lucene regular expression as built here matches `value` (its subset of the syntax: escapes,
    groups, `|`, `?`, `*`, `.`, which Python reads the same way)."""
    return re.fullmatch(pattern, value) is not None


def test_the_shipped_rules_load_and_know_youtube():
    (youtube,) = [rule for rule in shipped_rules() if rule.site == "YouTube"]
    assert youtube.what == "video"
    page = recognise(f"youtu.be/{VIDEO}")
    assert page is not None and page.label == f"YouTube video {VIDEO}"
    assert f"youtube.com/watch?v={VIDEO}" in page.addresses
    assert f"m.youtube.com/embed/{VIDEO}" in page.addresses


@pytest.mark.parametrize(
    "value",
    [
        f"youtube.com/watch?v={VIDEO}",
        f"youtube.com/watch?t=3&v={VIDEO}",
        f"m.youtube.com/watch?v={VIDEO}",
        f"youtu.be/{VIDEO}",
        f"youtube.com/shorts/{VIDEO}",
        f"youtube.com/embed/{VIDEO}",
        f"youtube.com/v/{VIDEO}",
    ],
)
def test_each_form_is_recognised_as_the_same_page(value):
    page = recognise(value)
    assert page is not None and page.ids == {"id": VIDEO}
    assert page_regexp(value) == page_regexp(f"youtu.be/{VIDEO}")


@pytest.mark.parametrize(
    "value",
    [
        f"youtube.com/watch?v={VIDEO}x",
        f"youtube.com/watch?vv={VIDEO}",
        f"notyoutube.com/watch?v={VIDEO}",
        f"youtube.com/shorts/{VIDEO}/extra",
        f"youtube.com/watch?v={VIDEO}&v={OTHER_VIDEO}",
        "youtube.com/watch",
    ],
)
def test_near_misses_are_no_known_page(value):
    assert recognise(value) is None


def test_the_page_regexp_matches_every_form_with_any_parameters_and_not_the_near_misses():
    pattern = page_regexp(f"youtu.be/{VIDEO}")
    assert pattern is not None
    from common.urls import normalise_url

    for number, link in LINKS.items():
        stored = normalise_url(link)
        assert lucene_matches(pattern, stored) == (number in VIDEO_TWEETS), stored


def test_parameters_are_a_subset_in_the_sorted_order():
    pattern = page_regexp("example.com/a?x=1")
    assert pattern == r"https?://example\.com\/a\?(.*\&)?x\=1(\&.*)?"
    assert lucene_matches(pattern, "https://example.com/a?w=0&x=1&y=2")
    assert not lucene_matches(pattern, "https://example.com/a?x=2")
    assert not lucene_matches(pattern, "https://example.com/a?xx=1")
    assert not lucene_matches(pattern, "https://example.com/a?x=10")
    assert not lucene_matches(pattern, "https://example.com/ab?x=1")
    both = page_regexp("example.com/a?x=1&y=2")
    assert lucene_matches(both, "http://example.com/a?w=0&x=1&xy=3&y=2")
    assert not lucene_matches(both, "http://example.com/a?y=2")


def test_an_address_without_parameters_and_no_known_page_needs_no_regexp():
    assert page_regexp("example.com/a") is None
    assert page_regexp("example.com/a?x=1") is not None


def test_every_character_of_a_url_is_escaped():
    pattern = page_regexp('example.com/a(b)[c]+?k=a~b<c>@d&q="|{1}')
    assert pattern is not None
    body = pattern.removeprefix("https?://")
    # outside the structure this module adds, no character is left unescaped but letters and digits
    structure = body.replace(r"\?(.*\&)?", "").replace(r"\&(.*\&)?", "").replace(r"(\&.*)?", "")
    assert re.fullmatch(r"(?:[A-Za-z0-9]|\\.)*", structure), structure


def test_a_new_site_is_a_data_edit():
    rules = load_rules(
        {
            "pages": [
                {
                    "site": "Facebook",
                    "what": "post",
                    "ids": {"story": "[0-9]+", "owner": "[0-9]+"},
                    "forms": [
                        {
                            "hosts": ["facebook.com", "m.facebook.com"],
                            "path": "/story.php",
                            "params": {"story_fbid": "{story}", "id": "{owner}"},
                        },
                        {
                            "hosts": ["facebook.com"],
                            "path": "/permalink.php",
                            "params": {"story_fbid": "{story}", "id": "{owner}"},
                        },
                    ],
                }
            ]
        }
    )
    page = recognise("m.facebook.com/story.php?id=7&refid=1&story_fbid=42", rules)
    assert page is not None and page.ids == {"story": "42", "owner": "7"}
    pattern = page_regexp("facebook.com/permalink.php?id=7&story_fbid=42", rules)
    assert pattern is not None
    assert lucene_matches(pattern, "https://m.facebook.com/story.php?id=7&story_fbid=42")
    assert lucene_matches(pattern, "https://facebook.com/permalink.php?a=1&id=7&story_fbid=42&z=2")
    assert not lucene_matches(pattern, "https://facebook.com/story.php?id=8&story_fbid=42")
    assert recognise("facebook.com/story.php?story_fbid=42", rules) is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"hosts": ["www.youtube.com"], "path": "/watch", "params": {"v": "{id}"}}, "no www."),
        ({"hosts": ["youtube.com"], "path": "/watch/", "params": {"v": "{id}"}}, "must start"),
        ({"hosts": ["youtube.com"], "path": "/watch"}, "each id"),
        ({"hosts": ["youtube.com"], "path": "/{id}/{id}"}, "each id"),
        ({"path": "/{id}"}, "malformed"),
    ],
)
def test_a_mistake_in_the_rules_is_an_error_naming_the_rule(entry, message):
    data = {"pages": [{"site": "Tube", "what": "video", "ids": {"id": "[a-z]+"}, "forms": [entry]}]}
    with pytest.raises(ValueError, match=f"page rule 1 \\(Tube\\).*{message}"):
        load_rules(data)


def test_split_address_takes_host_path_and_each_parameter_once():
    address = split_address("example.com:8080/a/b?x=1&x=1&y")
    assert (address.host, address.path, address.params) == ("example.com:8080", "/a/b", ("x=1", "y"))
    assert split_address("example.com?x=1").path == ""


def test_an_address_too_long_for_the_server_is_one_clear_error():
    long_value = "example.com/a?q=" + "-" * MAX_REGEXP_LENGTH
    with pytest.raises(AddressTooLong):
        page_regexp(long_value)
    with pytest.raises(QuerySyntaxError, match="too long"):
        parse_query(f"url:{long_value}")
    with pytest.raises(NotAUrl, match="too long"):
        url_target(long_value)


def test_the_url_operator_sends_one_anchored_regexp_without_operators():
    clause = build_query_from_text(f"url:youtu.be/{VIDEO}")["bool"]["filter"][0]["bool"]["should"]
    assert clause[0] == {"terms": {"urls": [f"http://youtu.be/{VIDEO}", f"https://youtu.be/{VIDEO}"]}}
    (regexp,) = [c["regexp"]["urls"] for c in clause if "regexp" in c]
    assert regexp["flags"] == "NONE"
    assert regexp["value"] == page_regexp(f"youtu.be/{VIDEO}")
    assert regexp["value"].startswith("https?://")


def test_a_tco_link_keeps_its_extra_clauses():
    clauses = build_query_from_text("https://t.co/AbC12")["bool"]["filter"][0]["bool"]["should"]
    assert {"terms": {"tco_links": ["http://t.co/AbC12", "https://t.co/AbC12"]}} in clauses
    assert {"match_phrase": {"tweet_text": "t.co/AbC12"}} in clauses
