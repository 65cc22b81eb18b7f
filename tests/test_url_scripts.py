"""A page whose address is not in Latin letters is found however it is spelled: as archived (lower-case escapes,
often), as a browser shows it (the letters), as a browser copies it (upper-case escapes), with its host in
Unicode or in punycode. Checked in Arabic, Russian, Persian and Chinese addresses for `url`, `url:`, the web's
URL page and coordination's link key, each against the server; the rules alone are in tests/test_urls.py.
"""

from __future__ import annotations

import orjson
import pytest
from archive_samples import ira_row, quoted_csv, write

# script → (the spellings of one page, one per account, and a page beside it that must not match)
PAGES = {
    "Arabic": (
        [
            "https://www.alarabiya.net/2018/08/08/%d9%87%d9%84-%d8%aa%d8%b9%d9%84%d9%85",
            "https://alarabiya.net/2018/08/08/هل-تعلم/",
            "http://alarabiya.net/2018/08/08/%D9%87%D9%84-%D8%AA%D8%B9%D9%84%D9%85?utm_source=twitter",
        ],
        "https://www.alarabiya.net/2018/08/08/%d9%87%d9%84",
    ),
    "Russian": (
        [
            "http://xn--e1afmkfd.xn--p1ai/%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8",
            "http://пример.рф/новости",
            "https://WWW.ПРИМЕР.РФ/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/",
        ],
        "http://пример.рф/новость",
    ),
    "Persian": (
        [
            "https://www.bbc.com/persian/%d8%a7%db%8c%d8%b1%d8%a7%d9%86-123",
            "https://bbc.com/persian/ایران-123",
            "https://bbc.com/persian/%D8%A7%DB%8C%D8%B1%D8%A7%D9%86-123",
        ],
        "https://bbc.com/persian/ایران-1234",
    ),
    "Chinese": (
        [
            "https://xn--fsqu00a.xn--fiqs8s/%e6%96%b0%e9%97%bb?%e9%a1%b5=2",
            "https://例子.中国/新闻?页=2",
            "https://例子。中国/%E6%96%B0%E9%97%BB?%E9%A1%B5=2",
        ],
        "https://例子.中国/新闻?页=3",
    ),
}
SCRIPTS = list(PAGES)


def tweetid(script: int, number: int) -> str:
    return str(910000000000000000 + 10 * script + number)


@pytest.fixture(scope="module")
def loaded(cli, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("release")
    rows = []
    for script_number, script in enumerate(SCRIPTS):
        forms, beside = PAGES[script]
        for number, link in enumerate([*forms, beside]):
            rows.append(
                ira_row(
                    tweetid=tweetid(script_number, number),
                    userid=str(5000 + 10 * script_number + number),
                    user_screen_name=f"{script.lower()}_{number}",
                    urls=f"[{link}]",
                    tweet_text=f"{script} link {number}",
                    tweet_time=f"2018-08-{script_number * 3 + 1 + number // 3:02d} 16:03",
                )
            )
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv(rows))
    result = cli("index", str(folder), "--json")
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["indexed"] == len(rows)


def found(cli, query: str) -> set[str]:
    result = cli("search", "--format", "jsonl", "--limit", "100", "--", query)
    assert result.exit_code == 0, result.stderr
    return {orjson.loads(line)["tweetid"] for line in result.stdout.splitlines()}


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("form", [0, 1, 2])
def test_every_spelling_finds_every_link_to_the_page_and_not_the_one_beside(cli, loaded, script, form):
    script_number = SCRIPTS.index(script)
    page = PAGES[script][0][form]
    expected = {tweetid(script_number, number) for number in range(3)}
    assert found(cli, f'url:"{page}"') == expected
    result = cli("url", page, "--json")
    assert result.exit_code == 0, result.stderr
    report = orjson.loads(result.stdout)
    assert report["tweets"] == 3 and report["accounts_total"] == 3


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_page_beside_is_found_alone(cli, loaded, script):
    assert found(cli, f'url:"{PAGES[script][1]}"') == {tweetid(SCRIPTS.index(script), 3)}


@pytest.mark.parametrize(
    "host", ["пример.рф", "xn--e1afmkfd.xn--p1ai", "ПРИМЕР.РФ", "例子.中国", "xn--fsqu00a.xn--fiqs8s"]
)
def test_a_host_in_unicode_or_punycode_is_one_host(cli, loaded, host):
    result = cli("url", host, "--json")
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["tweets"] == 4
    assert len(found(cli, f"url:{host}")) == 4


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_web_url_page_finds_the_page_as_a_browser_shows_it(es_url, alias, loaded, script):
    from starlette.testclient import TestClient

    from common.connection import Settings
    from search_web.app import create_app

    web = TestClient(create_app(Settings.from_env(url=es_url, alias=alias)))
    for page in PAGES[script][0]:
        answer = web.get("/url", params={"u": page, "format": "json"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["report"]["tweets"] == 3


def test_coordination_links_the_accounts_that_shared_one_page_in_three_spellings(cli, loaded):
    result = cli("coordination", "--by", "url", "--window", "10s", "--min-repeats", "1", "--json")
    assert result.exit_code == 0, result.stderr
    groups = orjson.loads(result.stdout)["groups"]
    names = sorted(sorted(member["screen_name"] for member in group["members"]) for group in groups)
    assert names == sorted([f"{script.lower()}_{number}" for number in range(3)] for script in SCRIPTS)


def test_a_page_nobody_shared_in_other_letters_says_an_older_index_needs_a_reload(cli, loaded):
    result = cli("url", "https://bbc.com/persian/کسی-نخواند")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "no tweet shares bbc.com/persian/%DA%A9%D8%B3%DB%8C-" in result.stderr
    assert "index --rebuild" in result.stderr
    plain = cli("url", "https://bbc.com/nobody-read-it")
    assert plain.exit_code == 1 and "--rebuild" not in plain.stderr


@pytest.mark.parametrize("prefix", ["alarabiya.net/2018/08/08/هل*", "alarabiya.net/2018/08/08/%d9%87%d9%84*"])
def test_a_prefix_in_letters_or_escapes_finds_the_same_links(cli, loaded, prefix):
    assert found(cli, f'url:"{prefix}"') == {tweetid(0, number) for number in range(4)}
