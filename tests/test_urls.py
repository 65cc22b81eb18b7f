"""URL normalisation: the same page shared in different spellings must match, and nothing is fetched."""

from __future__ import annotations

import re

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


# One page in the spellings it meets: as archived (lower-case escapes), as a browser shows it (letters), as a
# browser copies it (upper-case escapes); hosts in Unicode and in punycode.
SCRIPT_FORMS = {
    "Arabic": (
        "https://www.alarabiya.net/2018/08/08/%d9%87%d9%84-%d8%aa%d8%b9%d9%84%d9%85",
        "https://alarabiya.net/2018/08/08/هل-تعلم/",
        "https://alarabiya.net/2018/08/08/%D9%87%D9%84-%D8%AA%D8%B9%D9%84%D9%85",
    ),
    "Russian": (
        "http://xn--e1afmkfd.xn--p1ai/%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8?id=%d0%b0",
        "http://пример.рф/новости?id=а",
        "http://WWW.ПРИМЕР.РФ/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8?id=%D0%B0&utm_source=t",
    ),
    "Persian": (
        "https://www.bbc.com/persian/%d8%a7%db%8c%d8%b1%d8%a7%d9%86",
        "https://bbc.com/persian/ایران",
        "https://bbc.com/persian/%D8%A7%DB%8C%D8%B1%D8%A7%D9%86",
    ),
    "Chinese": (
        "https://xn--fsqu00a.xn--fiqs8s/%e6%96%b0%e9%97%bb?%e9%a1%b5=2",
        "https://例子.中国/新闻?页=2",
        "https://例子。中国/%E6%96%B0%E9%97%BB?%E9%A1%B5=2",
    ),
}


@pytest.mark.parametrize("script", SCRIPT_FORMS)
def test_a_page_in_any_script_has_one_form_however_it_is_escaped(script: str) -> None:
    forms = {normalise_url(form) for form in SCRIPT_FORMS[script]}
    assert len(forms) == 1, forms
    (form,) = forms
    assert form.isascii() and "%" in form and not re.search("%[0-9A-F]?[a-f]", form)
    assert normalise_url(form) == form, "normalising twice changes nothing"


def test_escapes_are_upper_case_and_unreserved_characters_are_not_escaped() -> None:
    assert normalise_url("https://a.com/%7euser/%41%2d%2e%5f/%2f%3f?q=%26%3d%e2%82%ac") == (
        "https://a.com/~user/A-._/%2F%3F?q=%26%3D%E2%82%AC"
    )
    assert normalise_url("https://a.com/100%/%zz/%4") == "https://a.com/100%/%zz/%4", "a bare % stays"


def test_a_unicode_host_is_punycode_with_its_domain() -> None:
    info = analyse_url("https://новости.пример.рф/a")
    assert info is not None
    assert (info.host, info.domain) == ("xn--b1amnebsh.xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai")
    assert analyse_url("https://xn--b1amnebsh.xn--e1afmkfd.xn--p1ai/a") == info
