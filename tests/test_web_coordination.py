"""`tweetsearch serve`'s coordination page and its network files, against the real server.

The groups the generator plants (`ground_truth.json`'s `coordination`) must be listed with their accounts and
items, each item leading to its tweets; the page must say what the terminal says about how it compared; bad
input is one line and a 400; archived text is escaped; the network files parse back in networkx with the
accounts and weights of the page's pairs, and the CSV is the one `tweetsearch network` writes.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import networkx as nx
import orjson
import pytest
from archive_samples import ira_row, minimal_csv, write
from starlette.testclient import TestClient
from test_browser import browser, page, site  # noqa: F401 (the browser tests' fixtures, over this module's alias)

from common.connection import Settings
from indexer.normalise import TWITTER_EPOCH_MS
from search.coordination import format_seconds
from search_web.app import create_app

KINDS = ("text", "retweet", "url", "hashtags")
HOSTILE_TEXT = "<script>alert(1)</script> & <b>bold</b> vote \x1b[2J clear \u202eevil"
RTL_TEXT = "انتخابات حرة الآن <i>x</i>"
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
MINUTE_TEXT = "Posted under old ids, the same minute"
LEGACY_IDS = 1_000_000_001
"""Tweet ids from before snowflakes: they carry no time, so their tweets are timed to the minute."""


def snowflake(moment: datetime, sequence: int = 0) -> str:
    """A tweet id carrying `moment` to the millisecond, as Twitter's ids do."""
    return str(((round(moment.timestamp() * 1000) - TWITTER_EPOCH_MS) << 22) + sequence)


def error_line(page_text: str) -> str:
    found = re.search(r'<div class="error" role="alert">\s*<p>(.*?)</p>', page_text, re.S)
    assert found, page_text
    return html.unescape(found.group(1))


def unescaped(link: str) -> str:
    return html.unescape(link)


@pytest.fixture(scope="module")
def web(es_url, alias, indexed_release) -> TestClient:
    return TestClient(create_app(Settings.from_env(url=es_url, alias=alias)))


@pytest.fixture(scope="module")
def planted(indexed_release) -> list[dict]:
    return indexed_release["truth"]["coordination"]["groups"]


def planted_group(planted: list[dict], by: str, campaign: str = "ira") -> dict:
    return next(group for group in planted if group["by"] == by and group["campaign"] == campaign)


@pytest.fixture(scope="module")
def hostile(es_url, alias, cli, tmp_path_factory) -> TestClient:
    """Three accounts (one named with markup) posting a text full of markup, controls and an RTL override within
    two seconds, an Arabic text with markup a day later, and a third text in one minute under ids from before
    snowflakes (timed to the minute): one coordinated group of three items."""
    own = f"{alias}-hostile"
    start = datetime(2016, 11, 1, 10, 0, tzinfo=UTC)
    accounts = (("1001", HOSTILE_NAME), ("1002", "plain_second"), ("1003", "third_account"))
    rows = []
    for day, text in ((0, HOSTILE_TEXT), (1, RTL_TEXT), (2, MINUTE_TEXT)):
        for position, (userid, name) in enumerate(accounts):
            moment = start + timedelta(days=day, seconds=position)
            rows.append(
                ira_row(
                    tweetid=snowflake(moment, position) if text != MINUTE_TEXT else str(LEGACY_IDS + position),
                    userid=userid,
                    user_screen_name=name,
                    user_display_name=name,
                    tweet_text=text,
                    tweet_time=moment.strftime("%Y-%m-%d %H:%M"),
                    hashtags="[]",
                    urls="[]",
                )
            )
    folder = tmp_path_factory.mktemp("hostile")
    write(folder / "ira_tweets_csv_hashed.csv", minimal_csv(rows))
    loaded = cli("index", str(folder), "--rejects", str(folder / "rejects.jsonl"), env={"TWEETSEARCH_ALIAS": own})
    assert loaded.exit_code == 0, loaded.stderr
    return TestClient(create_app(Settings.from_env(url=es_url, alias=own)))


@pytest.mark.parametrize("by", KINDS)
def test_the_page_lists_each_planted_group_with_its_accounts_and_items(web, cli, planted, by):
    group = planted_group(planted, by)
    params = {"q": f"campaign:{group['campaign']}", "by": by, "window": "60s"}

    rendered = web.get("/coordination", params=params)
    twin = web.get("/coordination", params={**params, "format": "json"}).json()

    assert rendered.status_code == 200, rendered.text
    found = [shown for shown in twin["groups"] if {m["userid"] for m in shown["members"]} == set(group["userids"])]
    assert len(found) == 1, twin["groups"]
    assert found[0]["co_actions"] >= group["repeats"] * len(group["userids"]) * (len(group["userids"]) - 1) // 2
    for userid in group["userids"]:
        assert f'<a class="account" href="/account/{userid}">' in rendered.text
        assert f"<code>{userid}</code>" in rendered.text
    planted_posts = {tweetid for posts in group["tweetids"] for tweetid in posts}
    assert {item["first_tweetid"] for item in found[0]["items"]} <= planted_posts
    for item in found[0]["items"]:
        assert f'<a class="tweetid" href="/tweet/{item["first_tweetid"]}">' in rendered.text
    expected = orjson.loads(cli("coordination", params["q"], "--by", by, "--json").stdout)
    assert {**twin, "took_ms": 0} == {**expected, "took_ms": 0}


def test_the_page_says_what_was_compared_how_and_with_which_times(web):
    twin = web.get("/coordination", params={"q": "campaign:ira", "window": "auto", "format": "json"}).json()
    rendered = web.get("/coordination", params={"q": "campaign:ira", "window": "auto"})

    assert rendered.status_code == 200
    header = re.search(r'<ul class="header">(.*?)</ul>', rendered.text, re.S)
    assert header
    said = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", header.group(1))))
    window = format_seconds(twin["window"]["seconds"])
    assert f"the same text (retweets aside), by different accounts within {window}" in said
    assert f"{twin['tweets']:,} tweets matching campaign:ira carry one" in said
    assert f"{twin['candidate_items']:,} items were posted by two or more accounts" in said
    assert f"{len(twin['pairs']):,} coordinated pair" in said and f"in {len(twin['groups']):,} group" in said
    assert f"(auto): {twin['window']['basis']}" in said and "CooRnet" in said
    used = twin["time_used"]
    assert f"{used['snowflake']:,} tweets to the millisecond (their ids), {used['tweet_time']:,} to the minute" in said
    assert "at least 2 times each" in said


def test_tweets_timed_to_the_minute_are_counted_and_the_minute_rule_said(hostile):
    twin = hostile.get("/coordination", params={"q": "", "window": "10s", "format": "json"}).json()
    rendered = hostile.get("/coordination", params={"q": "", "window": "10s"})

    assert (twin["time_used"]["snowflake"], twin["time_used"]["tweet_time"]) == (6, 3)
    assert "6 tweets to the millisecond (their ids), 3 to the minute (tweet_time)" in rendered.text
    assert twin["minute_note"].endswith("a window of 10 s means the same minute")
    assert f'<li class="note">{twin["minute_note"]}</li>' in rendered.text
    assert rendered.text.count('<li class="item">') == 3


@pytest.mark.parametrize("by", KINDS)
def test_each_item_leads_to_its_tweets(web, planted, by):
    group = planted_group(planted, by)
    rendered = web.get("/coordination", params={"q": f"campaign:{group['campaign']}", "by": by})
    items = re.findall(r'<li class="item">(.*?)</li>', rendered.text, re.S)
    assert items
    planted_posts = [set(posts) for posts in group["tweetids"]]

    for item in items:
        first = re.search(r'<a class="tweetid" href="(/tweet/\d+)">', item)
        assert first and web.get(first.group(1)).status_code == 200
        link = re.search(r'<a class="search" href="([^"]+)">', item)
        if by == "retweet":
            assert link is None  # the query language has no operator for the retweeted tweet's id
            continue
        assert link, item
        target = unescaped(link.group(1))
        if by == "url":
            assert target.startswith("/url?u=")
            report = web.get(target + "&format=json").json()["report"]
            assert report["tweets"] >= len(group["userids"])
            continue
        assert target.startswith("/?q=") and "sort=oldest" in target
        found = web.get(target + "&n=100&format=json").json()
        shown = {row["tweetid"] for row in found["rows"]}
        assert any(posts <= shown for posts in planted_posts), (target, found["query"])
        assert first.group(1).rsplit("/", 1)[1] in shown


def test_the_search_page_links_to_the_coordination_of_its_query(web, planted):
    group = planted_group(planted, "text")
    rendered = web.get("/", params={"q": "campaign:ira"})

    link = re.search(r'<a class="coordination" href="([^"]+)">coordination</a>', rendered.text)
    assert link and unescaped(link.group(1)) == "/coordination?q=campaign%3Aira"
    followed = web.get(unescaped(link.group(1)))
    assert followed.status_code == 200 and all(userid in followed.text for userid in group["userids"])


def test_without_parameters_the_page_is_the_form_and_no_group_is_said_plainly(web):
    form = web.get("/coordination")
    none = web.get("/coordination", params={"q": "campaign:ira", "min_repeats": "1000"})

    assert form.status_code == 200 and "Find groups" in form.text and 'class="coordination-report"' not in form.text
    assert none.status_code == 200 and "<strong>No coordinated groups</strong>" in none.text
    assert 'class="group"' not in none.text


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"by": "colour"}, 'unknown by "colour"; choose one of: text, retweet, url, hashtags'),
        ({"window": "0"}, "the window must be longer than 0 seconds"),
        ({"window": "0s"}, "the window must be longer than 0 seconds"),
        ({"window": "soon"}, "cannot read the window 'soon'"),
        ({"window": "9d"}, "the window must be at most a week"),
        ({"min_repeats": "0"}, "min_repeats must be a whole number 1 or more"),
        ({"min_repeats": "²"}, "min_repeats must be a whole number 1 or more"),
        ({"q": 'vote "unclosed'}, "unclosed quote (column 6)"),
        ({"q": "form:x"}, 'unknown operator "form:"'),
    ],
)
def test_bad_input_is_one_line_and_400_on_the_page_its_twin_and_its_downloads(web, params, said):
    asked = {"q": "campaign:ira", **params}

    rendered = web.get("/coordination", params=asked)
    twin = web.get("/coordination", params={**asked, "format": "json"})
    download = web.get("/coordination/network.gexf", params=asked)

    for answer in (rendered, download):
        assert answer.status_code == 400, answer.text
        line = error_line(answer.text)
        assert said in line and "\n" not in line and "Traceback" not in answer.text
        assert 'action="/coordination"' in answer.text  # the form, filled as it was, to correct it
    assert twin.status_code == 400 and said in twin.json()["error"]
    if params.get("q", "").startswith("vote"):
        assert 'class="pointer"' in rendered.text and 'class="pointer"' in download.text


def test_an_unknown_network_kind_is_400_and_an_unknown_format_404(web):
    kind = web.get("/coordination/network.csv", params={"q": "campaign:ira", "kind": "friendship"})
    fmt = web.get("/coordination/network.xml", params={"q": "campaign:ira"})

    assert kind.status_code == 400 and 'unknown kind "friendship"' in error_line(kind.text)
    assert fmt.status_code == 404 and ".gexf, .graphml or .csv" in error_line(fmt.text)


def network_links(page_text: str) -> dict[tuple[str, str], str]:
    found = re.findall(r'<a href="(/coordination/network\.(\w+)\?[^"]+)" download>', page_text)
    links = {}
    for link, fmt in found:
        target = unescaped(link)
        kind = re.search(r"kind=(\w+)", target)
        assert kind
        links[(kind.group(1), fmt)] = target
    return links


@pytest.mark.parametrize("by", ["text", "url"])
def test_the_network_files_parse_back_with_the_pages_accounts_and_weights(web, planted, by):
    group = planted_group(planted, by)
    params = {"q": f"campaign:{group['campaign']}", "by": by}
    twin = web.get("/coordination", params={**params, "format": "json"}).json()
    links = network_links(web.get("/coordination", params=params).text)
    assert set(links) == {(kind, fmt) for kind in ("coordination", "retweet", "mention", "reply")
                          for fmt in ("gexf", "graphml", "csv")}  # fmt: skip
    pairs = {frozenset((pair["a"], pair["b"])): pair["co_actions"] for pair in twin["pairs"]}
    accounts = {userid for pair in pairs for userid in pair}
    assert set(group["userids"]) <= accounts

    for fmt, read in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        answer = web.get(links[("coordination", fmt)])
        assert answer.status_code == 200
        assert f'filename="network-coordination-{by}' in answer.headers["content-disposition"]
        assert answer.headers["content-disposition"].split(";")[1].strip().endswith(f'.{fmt}"')
        assert answer.headers["x-accounts"] == str(len(accounts)) and answer.headers["x-edges"] == str(len(pairs))
        graph = read(io.BytesIO(answer.content))
        assert not graph.is_directed() and set(graph.nodes) == accounts
        assert {frozenset((a, b)): int(weight) for a, b, weight in graph.edges(data="weight")} == pairs
        for userid in group["userids"]:
            assert graph.nodes[userid]["campaign"] == group["campaign"] and int(graph.nodes[userid]["tweets"]) > 0

    answer = web.get(links[("coordination", "csv")])
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8"))))
    assert rows[0] == ["source", "source_screen_name", "source_campaign", "target", "target_screen_name",
                       "target_campaign", "weight", "items"]  # fmt: skip
    assert {frozenset((row[0], row[3])): int(row[6]) for row in rows[1:]} == pairs


@pytest.mark.parametrize("kind", ["retweet", "mention", "reply"])
def test_the_interaction_networks_are_what_the_network_command_writes(web, cli, kind):
    links = network_links(web.get("/coordination", params={"q": "campaign:iranian"}).text)

    answer = web.get(links[(kind, "csv")])
    written = cli("network", "campaign:iranian", "--kind", kind, "--out", "-")
    graph = nx.read_gexf(io.BytesIO(web.get(links[(kind, "gexf")]).content))

    assert answer.status_code == 200 and written.exit_code == 0, written.stderr
    assert answer.content.decode("utf-8") == written.stdout
    assert f'filename="network-{kind}-campaign-iranian.csv"' in answer.headers["content-disposition"]
    assert graph.is_directed() and graph.number_of_edges() == len(written.stdout.splitlines()) - 1


def test_archived_markup_controls_and_rtl_text_are_escaped_and_shown(hostile):
    rendered = hostile.get("/coordination", params={"q": "", "by": "text", "window": "10s"})

    assert rendered.status_code == 200, rendered.text
    assert rendered.text.count('<section class="group"') == 1
    for markup in ("<script>alert(1)", "<b>bold", "<img src=x", "<i>x"):
        assert markup not in rendered.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in rendered.text
    assert "\x1b" not in rendered.text and "\u202e" not in rendered.text
    assert "\u241b[2J" in rendered.text and "&lt;U+202E&gt;evil" in rendered.text
    assert f'<p class="text" dir="auto">{html.escape(RTL_TEXT, quote=False)}</p>' in rendered.text
    assert "&lt;img src=x onerror=alert(1)&gt;</a>" in rendered.text
    links = re.findall(r'<a class="search" href="([^"]+)">', rendered.text)
    assert len(links) == 3
    for link in links:
        found = hostile.get(unescaped(link) + "&format=json").json()
        assert found["total"] == 3, found["query"]

    graph = nx.read_graphml(io.BytesIO(hostile.get("/coordination/network.graphml", params={"q": ""}).content))
    assert graph.nodes["1001"]["screen_name"] == HOSTILE_NAME and set(graph.nodes) == {"1001", "1002", "1003"}
    assert {int(weight) for _, _, weight in graph.edges(data="weight")} == {3}


def test_in_a_browser_open_the_coordination_of_a_search_and_follow_an_account(page, planted):  # noqa: F811
    group = planted_group(planted, "text")

    page.goto("/?q=campaign%3Aira")
    page.get_by_role("link", name="coordination", exact=True).click()
    page.wait_for_url(re.compile(r"/coordination\?q=campaign%3Aira$"))
    assert page.locator("section.group").count() >= 1 and page.get_by_role("button", name="Find groups").is_visible()
    shown = page.locator("section.group").filter(has=page.locator(f'a[href="/account/{group["userids"][0]}"]'))
    assert shown.locator("table.members tbody tr").count() == len(group["userids"])

    shown.locator(f'a[href="/account/{group["userids"][0]}"]').click()
    page.wait_for_url(re.compile(rf"/account/{group['userids'][0]}$"))
    assert group["userids"][0] in page.locator("table.fields").inner_text()


def test_a_link_item_leads_to_its_page_only_when_its_address_is_known() -> None:
    """A link item is named by a hash when its address was not read back (or by its page, `YouTube video ID`,
    for a page of several addresses): a link to `/url?u=<that name>` would be a wrong, empty page."""
    from search.coordination import SharedItem
    from search_web.app import item_link

    known = SharedItem("url", "0123456789abcdef", "https://example.org/a", 2, 2, "2018-01-01T00:00:00Z", "1",
                       url="https://example.org/a")  # fmt: skip
    unknown = SharedItem("url", "0123456789abcdef", "0123456789abcdef", 2, 2, "2018-01-01T00:00:00Z", "1")
    found = item_link(known)
    assert found is not None and "example.org" in found[0]
    assert item_link(unknown) is None


def test_every_network_kind_and_format_has_its_words_on_the_page() -> None:
    from search.choices import NETWORK_FORMATS, NETWORK_KINDS
    from search_web.app import FORMAT_NAMES, NETWORK_LABELS

    assert set(NETWORK_LABELS) == set(NETWORK_KINDS) and set(FORMAT_NAMES) == set(NETWORK_FORMATS)


def test_the_page_shows_its_times_as_every_page_does_in_utc_not_as_iso(web):
    twin = web.get("/coordination", params={"q": "campaign:ira", "format": "json"}).json()
    rendered = web.get("/coordination", params={"q": "campaign:ira"}).text

    assert twin["groups"], "no group: the test proves nothing"
    first = twin["groups"][0]["first_time"]  # the twin keeps ISO 8601, for scripts
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first)
    shown = re.findall(r"<time datetime=\"([^\"]+)\">([^<]+)</time>", rendered)
    assert shown and all(text == f"{iso[:10]} {iso[11:-1]} UTC" for iso, text in shown), shown[:3]


def test_the_timeline_caption_counts_tweets_rather_than_reading_as_a_rate(web):
    search_page = web.get("/", params={"q": "vote"}).text

    caption = re.search(r"<figcaption>(.*?)</figcaption>", search_page, re.S)
    assert caption and "tweets by month" in caption.group(1) and "per month" not in caption.group(1)
