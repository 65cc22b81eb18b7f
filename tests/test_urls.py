"""URL normalisation: the same page shared in different spellings must match, and nothing is fetched."""

from __future__ import annotations

import pytest

from common.urls import analyse_url, normalise_url, registered_domain, tco_links


@pytest.mark.parametrize(
    ("published", "normalised"),
    [
        ("http://www.BBC.co.uk/news/world-123/", "http://bbc.co.uk/news/world-123"),
        ("HTTPS://Example.COM:443/a/b/#comments", "https://example.com/a/b"),
        ("http://example.com:80", "http://example.com"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/?b=2&a=1", "https://example.com?a=1&b=2"),
        (
            "https://example.com/story?utm_source=twitter&utm_medium=social&id=7&fbclid=IwAR0x&gclid=abc",
            "https://example.com/story?id=7",
        ),
        ("https://example.com/story?utm_campaign=x", "https://example.com/story"),
        ("example.com/page", "http://example.com/page"),
        ("https://ru.wikipedia.org/wiki/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0", None),
    ],
)
def test_normalise_url_gives_one_spelling_per_page(published: str, normalised: str | None) -> None:
    expected = normalised or published  # None: already normalised, and percent-encoding is kept as is
    assert normalise_url(published) == expected
    assert normalise_url(expected) == expected, "normalising twice changes nothing"


def test_http_and_https_stay_distinct_but_www_and_case_do_not() -> None:
    assert normalise_url("http://WWW.rt.com/news") == normalise_url("http://rt.com/news/")
    assert normalise_url("http://rt.com/news") != normalise_url("https://rt.com/news")


def test_query_values_are_kept_byte_for_byte() -> None:
    assert normalise_url("https://example.com/s?q=a%20b&tag=%23maga") == "https://example.com/s?q=a%20b&tag=%23maga"


def test_blank_url_is_none() -> None:
    assert analyse_url("   ") is None
    assert normalise_url("") is None


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("bbc.co.uk", "bbc.co.uk"),
        ("www.theguardian.com", "theguardian.com"),
        ("m.facebook.com", "facebook.com"),
        ("edition.cnn.com", "cnn.com"),
        ("www.abc.net.au", "abc.net.au"),
        ("www3.nhk.or.jp", "nhk.or.jp"),
        ("noticias.uol.com.br", "uol.com.br"),
        ("www.hurriyet.com.tr", "hurriyet.com.tr"),
        ("timesofindia.indiatimes.com", "indiatimes.com"),
        ("www.ndtv.co.in", "ndtv.co.in"),
        ("ria.ru", "ria.ru"),
        ("www.pravda.com.ua", "pravda.com.ua"),
        ("lenta.com.ru", "lenta.com.ru"),
        ("service.gov.uk", "service.gov.uk"),
        ("www.ox.ac.uk", "ox.ac.uk"),
        ("192.168.1.10", "192.168.1.10"),
        ("localhost", "localhost"),
    ],
)
def test_registered_domain_uses_the_public_suffix(host: str, domain: str) -> None:
    assert registered_domain(host) == domain


def test_analyse_url_gives_host_and_domain() -> None:
    info = analyse_url("https://www.News.BBC.co.uk/world?utm_source=tw")
    assert info is not None
    assert (info.normalised, info.host, info.domain) == ("https://news.bbc.co.uk/world", "news.bbc.co.uk", "bbc.co.uk")
    ipv6 = analyse_url("http://[2001:db8::1]:8080/x")
    assert ipv6 is not None and ipv6.host == "[2001:db8::1]"


def test_tco_links_found_in_text_in_order_once() -> None:
    text = "Look https://t.co/AbC123xyz0 and http://t.co/Old1 again https://t.co/AbC123xyz0"
    assert tco_links(text) == ["https://t.co/AbC123xyz0", "http://t.co/Old1"]


def test_tco_link_cut_by_the_truncation_ellipsis_is_not_a_link() -> None:
    text = "RT @user: long text https://t.co/AbCdEf https://t.co/Zx9…"
    assert tco_links(text) == ["https://t.co/AbCdEf"]


def test_tco_links_absent() -> None:
    assert tco_links("no links here, see example.co/x") == []
    assert tco_links(None) == []
