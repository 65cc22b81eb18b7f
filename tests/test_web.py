"""`tweetsearch serve`: the search page and its JSON twin through Starlette's test client, against the real server.

The pages are the library's answers rendered: the same totals and rows as the CLI's `--json`, paging past the
10,000 hits `from`/`size` reaches, errors as pages with the right status and never a traceback, archived text
escaped, read-only routes, and nothing loaded from elsewhere.
"""

from __future__ import annotations

import re
import socket
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from starlette.testclient import TestClient

from common.connection import Settings
from common.errors import AddressUnavailable
from search_web.app import create_app
from search_web.listen import check_address, is_loopback
from search_web.paging import decode_after, encode_after

HOSTILE_TEXT = "<script>alert(1)</script> & <b>bold</b> vote \x1b[2J clear \u202eevil"


@pytest.fixture(scope="module")
def web(es_url, alias, indexed_release) -> TestClient:
    return TestClient(create_app(Settings.from_env(url=es_url, alias=alias)))


@pytest.fixture(scope="module")
def truth_total(indexed_release) -> int:
    return indexed_release["truth"]["total_tweets"]


@pytest.fixture(scope="module")
def hostile(es, es_url, alias) -> TestClient:
    """An alias holding one tweet full of markup, control characters and a `javascript:` URL."""
    from common.mapping import ensure_index

    own = f"{alias}-hostile"
    index = ensure_index(es, own)
    document = {
        "tweetid": "666",
        "campaign": "ira",
        "tweet_time": "2016-11-01T10:00:00Z",
        "user_screen_name": "<img src=x onerror=alert(1)>",
        "tweet_text": HOSTILE_TEXT,
        "tweet_language": "en",
        "urls": ["javascript:alert(1)", "https://example.org/?a=1&b=<x>"],
    }
    es.index(index=index, id="666", document=document, refresh=True)
    return TestClient(create_app(Settings.from_env(url=es_url, alias=own)))


def test_the_search_page_lists_the_matching_tweets_with_their_exact_total(web, cli):
    expected = orjson.loads(cli("search", "vote", "--json", "-n", "20").stdout)

    page = web.get("/", params={"q": "vote"})

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f"<strong>{expected['total']:,}</strong> tweets" in page.text
    assert page.text.count('<li class="hit">') == 20
    for row in expected["rows"]:
        assert row["tweetid"] in page.text
    assert "<mark>" in page.text


def test_the_json_twin_carries_the_rows_of_the_cli_json(web, cli):
    expected = orjson.loads(cli("search", "vote lang:en", "--json", "-n", "20").stdout)

    answer = web.get("/", params={"q": "vote lang:en", "format": "json"})

    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    twin = answer.json()
    assert (twin["total"], twin["rows"]) == (expected["total"], expected["rows"])
    assert twin["next"].endswith("format=json") and twin["start"] == 0


def test_every_response_forbids_inline_scripts_and_anything_from_elsewhere(web):
    page = web.get("/", params={"q": "vote"})

    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    loaded = re.findall(r"<(?:script|link|img|iframe|style)\b[^>]*>", page.text)
    assert loaded and not [tag for tag in loaded if re.search(r"(src|href)=\"?(https?:)?//", tag)], loaded
    links = re.findall(r"<a [^>]*href=\"https?:[^>]*>", page.text)
    assert links and all('rel="noopener noreferrer nofollow"' in link for link in links)
    assert web.get("/static/style.css").status_code == 200


def test_archived_markup_and_controls_are_escaped_and_shown(hostile):
    page = hostile.get("/", params={"q": "vote"})

    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "<b>bold" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page.text
    assert "\x1b" not in page.text and "\u202e" not in page.text
    assert "\u241b[2J" in page.text and "&lt;U+202E&gt;evil" in page.text
    assert 'href="javascript:' not in page.text and "javascript:alert(1)" in page.text
    assert '<a href="https://example.org/?a=1&amp;b=&lt;x&gt;" rel="noopener noreferrer nofollow">' in page.text


def test_a_malformed_query_is_the_page_with_the_error_and_400(web):
    page = web.get("/", params={"q": 'vote "unclosed'})
    twin = web.get("/", params={"q": 'vote "unclosed', "format": "json"})

    assert page.status_code == 400 and "column 6" in page.text and 'class="pointer"' in page.text
    assert 'value="vote &#34;unclosed"' in page.text or 'value="vote &quot;unclosed"' in page.text
    assert "Traceback" not in page.text
    assert twin.status_code == 400 and "column 6" in twin.json()["error"]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "sideways"},
        {"n": "0"},
        {"n": "1000"},
        {"n": "²"},
        {"start": "-1"},
        {"start": "٣"},
        {"after": "bm90IGEgbGlzdA"},
        {"after": "%%%"},
    ],
)
def test_a_bad_address_is_400_with_what_is_wrong(web, params):
    page = web.get("/", params={"q": "vote", **params})

    assert page.status_code == 400, page.text
    assert 'class="error"' in page.text and "Traceback" not in page.text


def test_an_unreachable_server_is_a_clear_page_and_503():
    down = TestClient(create_app(Settings.from_env(url="http://127.0.0.1:9", alias="tweets")))

    page = down.get("/", params={"q": "vote"})

    assert page.status_code == 503
    assert "cannot reach Elasticsearch at http://127.0.0.1:9" in page.text and "Traceback" not in page.text
    assert down.get("/", params={"q": "vote", "format": "json"}).status_code == 503


def test_routes_only_read(web):
    assert web.post("/", data={"q": "vote"}).status_code == 405
    assert web.delete("/").status_code == 405


def test_paging_goes_past_ten_thousand_tweets_each_once_newest_first(es_url, alias, cli, tmp_path):
    from generator.release import generate_release

    own = f"{alias}-paged"
    summary = generate_release(tmp_path / "release", tweets=10_400, seed=3, malformed=0)
    loaded = cli(
        "index", str(tmp_path / "release"), "--rejects", str(tmp_path / "r.jsonl"), env={"TWEETSEARCH_ALIAS": own}
    )
    assert loaded.exit_code == 0, loaded.stderr
    total = orjson.loads(summary.ground_truth.read_bytes())["well_formed_tweets"]
    web = TestClient(create_app(Settings.from_env(url=es_url, alias=own)))

    seen, times, address, pages = [], [], "/?n=100&format=json", 0
    while address:
        answer = web.get(address).json()
        assert answer["total"] == total and answer["start"] == len(seen)
        seen += [row["tweetid"] for row in answer["rows"]]
        times += [row["time"] or "" for row in answer["rows"]]
        address, pages = answer["next"], pages + 1
    assert len(seen) == len(set(seen)) == total > 10_000 and pages == -(-total // 100)
    assert times == sorted(times, reverse=True)


def test_a_page_address_token_round_trips_and_refuses_anything_else():
    assert decode_after(encode_after([1478563200000, "796123"], 20)) == ([1478563200000, "796123"], 20)
    for token in (
        "",
        "bnVsbA",
        encode_after([True], 20),
        encode_after([[1]], 20),
        encode_after([1, 2, 3, 4, 5], 20),
        encode_after([1], 0),
        encode_after([1], -5),
        "WzEsIjIiXQ",  # a bare list of sort values: the row it starts at is not in it
    ):
        with pytest.raises(Exception, match="damaged"):
            decode_after(token)


@pytest.mark.parametrize("fmt", ["json", None])
def test_a_page_shows_the_rows_its_numbers_say_or_is_refused(web, fmt):
    """`start` alone (no `after` token) or past the results is refused; a start that disagrees with the token is
    too: a page never shows the first rows under other rows' numbers."""
    extra = {"format": fmt} if fmt else {}
    first = web.get("/", params={"q": "vote", "n": 20, "format": "json"}).json()
    second_address = first["next"].replace("&format=json", "")
    total = first["total"]

    for params in ({"start": 740}, {"start": 99_999_999}, {"start": 1}):
        refused = web.get("/", params={"q": "vote", **params, **extra})
        assert refused.status_code == 400, params
        assert "start=" in refused.text and "first page" in refused.text

    with_format = (lambda address: address + "&format=json") if fmt else (lambda address: address)
    second = web.get(with_format(second_address))
    assert second.status_code == 200
    if fmt:
        assert second.json()["start"] == 20 and second.json()["rows"][0] != first["rows"][0]
    else:
        assert "21–" in second.text or "21-" in second.text

    forged = second_address.replace("start=20", "start=40")
    assert "start=40" in forged and web.get(with_format(forged)).status_code == 400
    after, _ = decode_after(parse_qs(urlsplit(second_address).query)["after"][0])
    past = web.get("/", params={"q": "vote", "after": encode_after(after, total + 5), "start": total + 5, **extra})
    assert past.status_code == 400 and "past the" in past.text


@pytest.mark.parametrize("fmt", ["xml", "JSON", "csv"])
def test_a_format_other_than_the_json_twin_is_400(web, fmt):
    answer = web.get("/", params={"q": "vote", "format": fmt})

    assert answer.status_code == 400 and "format=json" in answer.text


def test_serving_elsewhere_than_loopback_is_known_and_a_taken_port_is_one_line(cli):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(AddressUnavailable, match=f"127.0.0.1:{port}"):
            check_address("127.0.0.1", port)
        result = cli("serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_facets_beside_the_results_count_the_matches_and_each_link_narrows_to_its_count(web, cli):
    twin = web.get("/", params={"q": "vote", "format": "json"}).json()
    top = orjson.loads(cli("top", "campaigns", "vote", "--json", "-n", "5").stdout)

    campaigns = twin["facets"]["campaigns"]
    assert [(row["value"], row["count"]) for row in campaigns["counts"]] == [
        (row["value"], row["count"]) for row in top["counts"]
    ]
    assert campaigns["refinements"][0] == f"campaign:{campaigns['counts'][0]['value']}"
    assert set(twin["facets"]) == {"campaigns", "languages", "clients", "hashtags", "domains", "mentions", "accounts"}

    page = web.get("/", params={"q": "vote"})
    first = campaigns["counts"][0]
    link = re.search(r'<a href="(/\?q=vote\+campaign%3A' + first["value"] + r'[^"]*)">', page.text)
    assert link, page.text
    narrowed = web.get(link.group(1).replace("&amp;", "&") + "&format=json").json()
    assert narrowed["total"] == first["count"]


def test_the_whole_archive_has_facets_too_and_accounts_carry_their_names(web, truth_total):
    twin = web.get("/", params={"format": "json"}).json()

    assert twin["total"] == truth_total
    accounts = twin["facets"]["accounts"]["counts"]
    assert accounts and all(row["screen_name"] for row in accounts)
    assert all(text and text.startswith("userid:") for text in twin["facets"]["accounts"]["refinements"])


def test_the_tweet_page_has_every_archived_field_and_the_row_as_published(web, cli):
    row = orjson.loads(cli("search", "vote", "--json", "-n", "1").stdout)["rows"][0]

    page = web.get(f"/tweet/{row['tweetid']}")
    twin = web.get(f"/tweet/{row['tweetid']}", params={"format": "json"}).json()

    assert page.status_code == 200 and "The row as published" in page.text
    assert twin["tweet"] == row and twin["fields"]["tweetid"] == row["tweetid"]
    assert twin["raw"]["tweetid"] == row["tweetid"] and "lang" not in twin["fields"]
    for name in twin["raw"]:
        assert f'<th scope="row">{name}</th>' in page.text
    assert web.get("/tweet/1").status_code == 404
    assert web.get("/tweet/12ab").status_code == 400
    assert web.get("/tweet/١٢٣").status_code == 400  # digits, but not a tweet id as published


def test_the_quote_page_gives_the_verdict_and_a_citation_to_copy(web, cli, indexed_release):
    planted = indexed_release["truth"]["quotes"][0]["text"]
    expected = orjson.loads(cli("quote", planted, "--json").stdout)

    page = web.get("/quote", params={"text": planted})
    twin = web.get("/quote", params={"text": planted, "format": "json"}).json()

    assert page.status_code == 200 and f"<h2>{expected['verdict']}" in page.text
    assert (twin["verdict"], twin["tweets"], twin["accounts"]) == (
        expected["verdict"],
        expected["tweets"],
        expected["accounts"],
    )
    assert twin["citation"]["copies"] and '<pre id="citation" class="citation">' in page.text
    assert '<script src="/static/copy.js" defer></script>' in page.text and "<script>" not in page.text
    assert web.get("/static/copy.js").status_code == 200
    assert web.get("/quote").status_code == 200 and "<textarea" in web.get("/quote").text
    assert web.get("/quote", params={"text": "   "}).status_code == 400


def test_the_url_page_says_who_shared_it_first_and_how_often_over_time(web, cli, indexed_release):
    planted = indexed_release["truth"]["urls"][0]["url"]
    expected = orjson.loads(cli("url", planted, "--json").stdout)

    page = web.get("/url", params={"u": planted})
    twin = web.get("/url", params={"u": planted, "format": "json"}).json()

    assert page.status_code == 200
    assert (twin["report"]["tweets"], twin["report"]["first"]) == (expected["tweets"], expected["first"])
    assert sum(bucket["count"] for bucket in twin["timeline"]["buckets"]) == expected["tweets"]
    assert f"<strong>{expected['tweets']:,}</strong> tweets shared" in page.text and "<svg" in page.text
    assert expected["first"]["tweetid"] in page.text
    assert web.get("/url", params={"u": "not a url at all"}).status_code == 400
    assert web.get("/url").status_code == 200


def test_the_account_page_has_the_profile_and_activity_and_takes_any_id(web, cli):
    row = orjson.loads(cli("search", "vote", "--json", "-n", "1").stdout)["rows"][0]
    expected = orjson.loads(cli("account", row["userid"], "--json").stdout)

    page = web.get(f"/account/{row['userid']}")
    twin = web.get(f"/account/{row['userid']}", params={"format": "json"}).json()

    assert page.status_code == 200 and twin["report"]["tweets"] == expected["tweets"]
    assert sum(bucket["count"] for bucket in twin["timeline"]["buckets"]) == expected["tweets"]
    assert f"<strong>{expected['tweets']:,}</strong> tweets" in page.text
    assert web.get("/account/nobody-has-this-name").status_code == 404


def test_hashed_ids_with_slashes_and_plus_signs_reach_their_account_page(es, hostile):
    from search_web.app import account_href

    assert account_href("ab/c+d=") == "/account/ab%2Fc%2Bd%3D"
    answer = hostile.get(account_href("ab/c+d="))
    assert answer.status_code == 404 and "no account" in answer.text.lower()  # the account page said it, not the router


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_download_has_every_matching_tweet_as_many_as_the_page_counts(web, fmt):
    import csv
    import io

    shown = web.get("/", params={"q": "vote", "format": "json"}).json()["total"]
    page = web.get("/", params={"q": "vote"})
    link = re.search(rf'<a href="(/download\.{fmt}\?[^"]+)" download>', page.text)
    assert link, page.text

    answer = web.get(link.group(1).replace("&amp;", "&"))

    assert answer.status_code == 200 and answer.headers["x-tweets"] == str(shown)
    assert f'filename="tweets-vote.{fmt}"' in answer.headers["content-disposition"]
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"))))
        assert "tweetid" in rows[0]
    else:
        rows = [orjson.loads(line) for line in answer.content.splitlines()]
    assert len(rows) == shown > 20 and len({row["tweetid"] for row in rows}) == shown


def test_a_download_of_a_malformed_query_is_the_error_page_and_an_unknown_format_404(web):
    malformed = web.get("/download.csv", params={"q": 'vote "unclosed'})
    assert malformed.status_code == 400 and 'class="pointer"' in malformed.text
    assert web.get("/download.xml", params={"q": "vote"}).status_code == 404


def test_an_export_that_fails_ends_the_stream_with_its_error_and_a_reader_who_leaves_stops_it(es, alias, web):
    import threading
    import time

    from search_web.downloads import stream_export

    with pytest.raises(Exception, match="no-such-alias"):
        list(stream_export(es, "no-such-alias", "", "csv"))

    stream = stream_export(es, alias, "", "jsonl", page_size=50)  # 60 pages: far more than the queue holds
    assert next(stream)
    stream.close()
    deadline = time.monotonic() + 10
    while any(thread.name == "export" for thread in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(thread.name == "export" for thread in threading.enumerate())


def test_the_search_page_draws_its_tweets_over_time_and_splits_them_by_campaign(web, truth_total):
    twin = web.get("/", params={"interval": "year", "format": "json"}).json()
    split = web.get("/", params={"interval": "year", "by": "campaign"})

    assert sum(bucket["count"] for bucket in twin["timeline"]["buckets"]) == twin["total"] == truth_total
    assert split.status_code == 200 and 'class="legend"' in split.text
    for name in twin["timeline"]["campaigns"]:
        assert f"{name} {twin['timeline']['campaigns'][name]:,}</li>" in split.text
    assert web.get("/", params={"interval": "fortnight"}).status_code == 400
    assert web.get("/", params={"by": "colour"}).status_code == 400


def test_tweetsearch_serve_answers_over_http_and_says_when_it_listens_beyond_this_machine(es_url, alias, web):
    """The command itself: uvicorn serving the pages, and a warning on start for any address but loopback."""
    import subprocess
    import time
    import urllib.request

    from servers import ROOT

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(ROOT / ".venv" / "bin" / "tweetsearch"), "--url", es_url, "--alias", alias, "serve"]
    server = subprocess.Popen([*command, "--host", "0.0.0.0", "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        said = [server.stderr.readline(), server.stderr.readline()]
        deadline, answer = time.monotonic() + 20, None
        while answer is None and time.monotonic() < deadline:
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/?q=vote&format=json", timeout=5)
            except OSError:
                time.sleep(0.2)
        assert answer is not None and answer.status == 200
        assert (
            orjson.loads(answer.read())["total"] == web.get("/", params={"q": "vote", "format": "json"}).json()["total"]
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert said[0].startswith("warning: listening on 0.0.0.0, not only on this machine"), said
    assert f"at http://0.0.0.0:{port}/" in said[1], said


@pytest.mark.parametrize("query", ["выборы", "انتخابات", "انتخابات lang:fa", "<script>alert(1)</script>", "-vote"])
def test_queries_in_any_script_or_holding_markup_are_answered_and_echoed_escaped(web, query):
    page = web.get("/", params={"q": query})

    assert page.status_code == 200, page.text
    assert "<script>alert(1)</script>" not in page.text
    escaped = query.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f'value="{escaped}"' in page.text
    twin = web.get("/", params={"q": query, "format": "json"}).json()
    assert twin["query"] == query and twin["total"] >= 0


@pytest.mark.parametrize("query", ["vote OR election", "-vote", "(vote OR election) -filter:retweets"])
def test_a_facet_link_narrows_any_query_to_exactly_the_count_it_shows(web, query):
    """`a OR b` narrowed by `campaign:x` must read `(a OR b) campaign:x`, never `a OR (b campaign:x)`."""
    twin = web.get("/", params={"q": query, "format": "json"}).json()
    page = web.get("/", params={"q": query})

    for field in ("campaigns", "languages", "hashtags"):
        first = twin["facets"][field]["counts"][0]
        shown = re.search(r'<a href="([^"]+)">' + re.escape(first["value"]) + r'</a> <span class="count">', page.text)
        assert shown, (field, page.text)
        narrowed = web.get(shown.group(1).replace("&amp;", "&") + "&format=json").json()
        assert narrowed["total"] == first["count"], (field, narrowed["query"])


def test_a_page_whose_facets_or_timeline_lost_a_shard_says_its_counts_are_incomplete(es, es_url, alias):
    """Two indices behind one alias, `campaign` a keyword in one and text in the other: the tweets are found
    on both shards, but counting campaigns fails on one. The page must not show short counts as whole."""
    name = f"{alias}-halfcounted"
    base = {"tweetid": {"type": "keyword"}, "tweet_time": {"type": "date"}, "tweet_text": {"type": "text"}}
    for suffix, campaign in (("good", {"type": "keyword"}), ("odd", {"type": "text"})):
        es.indices.create(index=f"{name}-{suffix}", mappings={"properties": {**base, "campaign": campaign}})
        document = {"tweetid": suffix, "tweet_time": "2016-11-01T10:00:00Z", "tweet_text": "vote", "campaign": "ira"}
        es.index(index=f"{name}-{suffix}", id=suffix, document=document, refresh=True)
    es.indices.put_alias(index=f"{name}-good,{name}-odd", name=name)
    web = TestClient(create_app(Settings.from_env(url=es_url, alias=name)))

    page = web.get("/", params={"q": "vote"})
    twin = web.get("/", params={"q": "vote", "format": "json"}).json()

    assert twin["total"] == 2 and twin["partial_reason"] == "1 of 2 shards failed; the results are incomplete"
    assert page.status_code == 200 and '<p class="warning" role="alert">1 of 2 shards failed' in page.text


def test_facets_counted_over_several_shards_show_how_short_they_may_be(cli, es_url, alias, generated_release, tmp_path):
    """A terms count over several shards may be short (the server's error bound): the page shows the range,
    never the lower end alone as if it were exact."""
    folder, _ = generated_release
    own = f"{alias}-sharded"
    loaded = cli(
        "index", str(folder), "--rejects", str(tmp_path / "r"), "--shards", "4", env={"TWEETSEARCH_ALIAS": own}
    )
    assert loaded.exit_code == 0, loaded.stderr
    web = TestClient(create_app(Settings.from_env(url=es_url, alias=own)))

    twin = web.get("/", params={"q": "vote", "format": "json"}).json()
    page = web.get("/", params={"q": "vote"})

    bounded = [row for facet in twin["facets"].values() for row in facet["counts"] if row["error"]]
    assert bounded, twin["facets"]
    for row in bounded:
        assert f'{row["count"]:,}<span class="bound"' in page.text
        assert f" to {row['count'] + row['error']:,}</span>" in page.text


@pytest.mark.parametrize("sort", ["oldest", "relevance"])
def test_paging_in_any_order_gives_every_match_once(web, sort):
    seen, address = [], f"/?q=vote&sort={sort}&n=50&format=json"
    while address:
        answer = web.get(address).json()
        seen += [row["tweetid"] for row in answer["rows"]]
        address = answer["next"]
    assert len(seen) == len(set(seen)) == answer["total"] > 50


@pytest.mark.parametrize(
    ("method", "address", "status"),
    [("GET", "/no-such-page", 404), ("GET", "/static/no-such-file.css", 404), ("POST", "/", 405)],
)
def test_an_address_no_page_answers_is_the_sites_own_error_page(web, method, address, status):
    answer = web.request(method, address)

    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert '<div class="error" role="alert">' in answer.text and "content-security-policy" in answer.headers
    if status == 405:
        assert "GET" in answer.headers["allow"]
    twin = web.request(method, address + "?format=json")
    assert twin.status_code == status and twin.json()["status"] == status


def test_the_tweet_and_account_pages_show_values_as_a_reader_reads_them_not_as_python_writes_them(web, cli):
    row = orjson.loads(cli("search", "filter:links", "--json", "-n", "1").stdout)["rows"][0]

    page = web.get(f"/tweet/{row['tweetid']}").text.split("The row as published")[0]  # that one is as published
    account = web.get(f"/account/{row['userid']}").text

    for text in (page, account):
        assert "True<" not in text and "False<" not in text and "None<" not in text
    assert "['" not in page and "&#39;]" not in page and "[&#39;" not in page
    assert ">false<" in page or ">true<" in page
    followers = orjson.loads(web.get(f"/account/{row['userid']}", params={"format": "json"}).text)["report"]
    count = followers["profile"]["followers"]
    if count is not None and count >= 1000:
        assert f">{count:,}<" in account


def test_a_value_is_shown_in_a_readers_words():
    from search_web.app import shown_value

    assert shown_value(True) == "true" and shown_value(None) == ""
    assert shown_value(12345) == "12,345"
    assert shown_value(["https://a.example/", "https://b.example/"]) == "https://a.example/, https://b.example/"
    assert shown_value({"lat": 38.9, "lon": -77.03}) == "38.9, -77.03"
    assert shown_value("a\x1b[2Jb") == "a␛[2Jb"


@pytest.mark.parametrize(
    ("query", "ascii_name", "whole"),
    [
        ("vote lang:en", "tweets-vote-lang-en.csv", "tweets-vote-lang-en.csv"),
        ("", "tweets.csv", "tweets.csv"),
        ('../../etc/passwd "\x1b[2J" \r\n', "tweets-etc-passwd-2j.csv", "tweets-etc-passwd-2j.csv"),
        ("выборы #Крым", "tweets.csv", "tweets-%D0%B2%D1%8B%D0%B1%D0%BE%D1%80%D1%8B-%D0%BA%D1%80%D1%8B%D0%BC.csv"),
        ("café", "tweets-cafe.csv", "tweets-caf%C3%A9.csv"),
    ],
)
def test_a_download_is_named_after_its_query_and_nothing_in_the_query_escapes_the_name(query, ascii_name, whole):
    from search_web.downloads import attachment

    header = attachment("tweets", query, "csv")

    assert header == f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{whole}"
    assert "/" not in header.split("filename", 1)[1].replace("UTF-8''", "") and "\x1b" not in header
    assert len(attachment("tweets", "word " * 100, "csv")) < 200
