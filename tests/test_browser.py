"""The web interface in a real browser: Debian's `chromium`, driven by Playwright (no browser is downloaded).

A person's round: type a query, narrow it with a facet, page forward, open a tweet, check a quote and copy its
citation, download the search as CSV. Screenshots of the search and quote pages are left in
`test-output/screenshots/` for a person to look at.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from servers import ROOT

from common.connection import Settings
from search_web.app import create_app

SCREENSHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def site(es_url, alias, indexed_release) -> Iterator[str]:
    """`tweetsearch serve`'s application on a free loopback port, for the module's alias."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings.from_env(url=es_url, alias=alias))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the web application did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Chromium from the system's packages; the suite fails (never skips) without it, saying how to get it."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "chromium is not installed: `make test` installs it with apt-get when run as root; otherwise "
            "`sudo apt-get install chromium` (Debian's package; no browser is downloaded by the tests)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"] if os.geteuid() == 0 else []
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site, accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield opened
    context.close()
    assert errors == [], errors  # no script error, no resource the Content-Security-Policy had to refuse


def _total(page) -> int:
    return int(re.sub(r"\D", "", page.locator(".summary strong").first.inner_text()))


def test_search_narrow_with_a_facet_page_forward_and_open_a_tweet(page):
    page.goto("/")
    page.get_by_label("query").fill("vote")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=vote"))
    everything = _total(page)
    assert everything > 20 and page.locator("li.hit").count() == 20 and page.locator("mark").count() > 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "search.png", full_page=True)

    facet = page.locator("aside.facets section.facet").first.locator("a").first
    facet.click()
    page.wait_for_url(re.compile(r"campaign"))
    narrowed = _total(page)
    assert 0 < narrowed <= everything and "campaign:" in page.get_by_label("query").input_value()

    first_page = page.locator("li.hit .tweetid").all_inner_texts()
    page.get_by_role("link", name=re.compile(r"^next")).click()
    page.wait_for_url(re.compile(r"after="))
    second_page = page.locator("li.hit .tweetid").all_inner_texts()
    assert second_page and not set(first_page) & set(second_page)
    assert page.locator("ol.hits").get_attribute("start") == "21"

    tweetid = second_page[0]
    page.locator("li.hit .tweetid").first.click()
    page.wait_for_url(re.compile(rf"/tweet/{tweetid}$"))
    assert page.get_by_role("heading", name="The row as published").is_visible()


def test_check_a_quote_and_copy_its_citation(page, indexed_release):
    planted = indexed_release["truth"]["quotes"][0]["text"]

    page.goto("/quote")
    page.get_by_label("Did the archived accounts post this?").fill(planted)
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(re.compile(r"/quote\?text="))
    assert page.locator(".verdict h2").inner_text().startswith("EXACT")
    from playwright.sync_api import expect

    page.get_by_role("button", name="Copy the citation").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#citation").inner_text() and planted.split()[0] in copied
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "quote.png", full_page=True)


def test_download_the_search_as_csv_with_as_many_rows_as_shown(page, tmp_path: Path):
    page.goto("/?q=vote")
    shown = _total(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    saved = tmp_path / "tweets.csv"
    download.value.save_as(saved)

    with saved.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == shown and len({row["tweetid"] for row in rows}) == shown


@pytest.mark.parametrize("width", [1280, 375])
def test_a_facet_count_is_never_broken_beside_a_long_name_or_address(browser, site, width):
    """542 must never read as 5 / 4 / 2: each count stays on one line however long the name or address beside it,
    on a desktop window and on a phone."""
    import json
    import urllib.request
    from urllib.parse import quote

    with urllib.request.urlopen(f"{site}/?format=json") as answer:
        domain = json.load(answer)["facets"]["domains"]["counts"][0]["value"]
    context = browser.new_context(base_url=site, viewport={"width": width, "height": 900})
    opened = context.new_page()
    measured = []
    try:
        for address in ("/", f"/url?u={quote(domain)}"):
            opened.goto(address)
            measured += [
                (address, *box)
                for box in opened.eval_on_selector_all(
                    "aside.facets .count",
                    "els => els.map(e => [e.textContent, e.getBoundingClientRect().height,"
                    " parseFloat(getComputedStyle(e).fontSize)])",
                )
            ]
    finally:
        context.close()

    assert len(measured) > 20
    broken = [(address, text, height) for address, text, height, font in measured if height >= 2 * font]
    assert not broken, broken[:5]
