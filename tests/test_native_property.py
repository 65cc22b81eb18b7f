"""Random rows read with and without the native fast path give the same bytes.

Hypothesis (derandomized, so every run reads the same rows) draws the values of each column from what the
releases publish and from what they should not: ids (digits, hashed, odd), times in every published shape and
bad ones, texts with quotes, commas, line ends, `\\r`, unicode, control characters and unusual spaces, URL lists
in the published list syntaxes, counts, booleans, coordinates and lists. Each batch of rows is written as a tweets
file in one of the two published encodings and read both ways: a row the native encoder takes must be byte for
byte `orjson.dumps(to_document(record))` of the Python reader's record, and every row it declines must come out
of the Python reader exactly as without the fast path (records and rejects alike).
"""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

import orjson
import pytest
from archive_samples import TWEET_COLUMNS, ira_row, later_row, minimal_csv, quoted_csv, write
from hypothesis import given, settings
from hypothesis import strategies as st

from common.records import EncodedTweets, TweetRecord
from indexer import native
from indexer.archive import read_archive
from indexer.document import to_document

if native.TweetEncoder is None:
    pytest.fail("the native fast path (tweetsearch_native) is not installed: run `make install`", pytrace=False)

PLACEHOLDER = st.sampled_from(["", "absent", "[]", "''", '""', "None", "none", "null", "NULL", "nan", "NaN", " "])
DIGIT_IDS = st.integers(min_value=0, max_value=2**70).map(str)
HASHED_IDS = st.one_of(
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    st.text(alphabet=string.ascii_letters + string.digits + "+/", min_size=43, max_size=43).map(lambda s: s + "="),
)
ODD_IDS = st.one_of(
    DIGIT_IDS.map(lambda id_: id_ + ".0"),
    DIGIT_IDS.map(lambda id_: f" {id_} "),
    st.sampled_from(["١٢٣", "12a", "-5", "1e5", ".0", "0.0", "１２", "12\x1c", "\t7\t"]),
    st.text(max_size=12),
)
IDS = st.one_of(DIGIT_IDS, HASHED_IDS, ODD_IDS, PLACEHOLDER)

MOMENTS = st.datetimes()
TIMES = st.one_of(
    MOMENTS.map(lambda moment: moment.strftime("%Y-%m-%d %H:%M")),
    MOMENTS.map(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S")),
    MOMENTS.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
    MOMENTS.map(lambda moment: moment.isoformat()),
    MOMENTS.map(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S+03:00")),
    MOMENTS.map(lambda moment: moment.strftime("%Y-%m-%d")),
    st.sampled_from(
        [
            "2017-02-30 10:00",
            "2017-06-22 24:00",
            "2017-06-22 16:60:00",
            "0000-01-01 00:00",
            "2017-6-22 16:03:00",
            "2017/06/22 16:03",
            "２017-06-22 16:03",
            " 2017-06-22 16:03 ",
        ]
    ),
    PLACEHOLDER,
    st.text(max_size=20),
)

# Characters the CSV and JSON writers and the parsers treat specially, next to ordinary and unusual text.
SPECIAL = st.sampled_from([*list("\",\n\r\t\\'@#:/.…\x00\x07\x1b\x1c\x1f\x7f\u00a0\u2003\u200b\u2028\ufeff"), "RT @"])
TEXTS = st.one_of(
    st.lists(
        st.one_of(SPECIAL, st.text(max_size=8), st.sampled_from(["http://t.co/Ab1", "https://t.co/", "@Name"]))
    ).map("".join),
    PLACEHOLDER,
)

HOSTS = st.sampled_from(
    ["a.com", "www.B.co.uk", "news.example.org:8080", "10.0.0.1", "[::1]", "é.com", "x.com:", "", "пример.рф",
     "xn--e1afmkfd.xn--p1ai", "例子.中国"]
)  # fmt: skip
URLS = st.builds(
    lambda scheme, host, path, query: f"{scheme}{host}{path}{query}",
    st.sampled_from(["http://", "https://", "HTTP://", "", "//", "ftp://"]),
    HOSTS,
    st.sampled_from(["", "/", "/a/b/", "/x,y", "/é", "/%d9%87%d9%84-", "/%D9%87%D9%84-", "/هل-", "/%7e%41%2f%", "/%4"]),
    st.sampled_from(["", "?b=2&a=1", "?utm_source=x&id=3", "?fbclid=1", "#top", "?q=%d8%a7&a=%2f", "?%75tm_x=1"]),
)
URL_LISTS = st.one_of(
    st.lists(URLS, max_size=4).map(lambda urls: "[" + ", ".join(urls) + "]"),
    st.lists(URLS, max_size=4).map(lambda urls: "[" + ", ".join(f"'{url}'" for url in urls) + "]"),
    st.lists(URLS, max_size=4).map(",".join),
    PLACEHOLDER,
)
COUNTS = st.one_of(
    st.integers(min_value=0, max_value=10**12).map(str),
    st.integers(min_value=0, max_value=10**6).map(lambda number: f"{number}.0"),
    st.sampled_from(["1.5", "1e3", "-1", " 7 ", "many", "0x10", "inf"]),
    PLACEHOLDER,
)
BOOLEANS = st.sampled_from(["true", "false", "True", "FALSE", "t", "1", "0", "1.0", "yes", "n", "maybe", ""])
COORDINATES = st.one_of(
    st.floats(min_value=-200, max_value=200, allow_nan=False).map(str), st.sampled_from(["absent", "nan", "x"])
)
LISTS = st.one_of(
    st.lists(st.text(alphabet=string.ascii_letters + "#é ", max_size=6), max_size=3).map(lambda items: str(items)),
    st.lists(st.text(alphabet=string.ascii_letters + "#", max_size=6), max_size=3).map(
        lambda items: "[" + ", ".join(items) + "]"
    ),
    PLACEHOLDER,
)

COLUMN_VALUES = {
    **dict.fromkeys(["tweetid", "in_reply_to_tweetid", "quoted_tweet_tweetid", "retweet_tweetid"], IDS),
    **dict.fromkeys(["in_reply_to_userid", "retweet_userid", "userid"], IDS),
    **dict.fromkeys(["tweet_time", "account_creation_date"], TIMES),
    **dict.fromkeys(["tweet_text", "tweet_client_name", "user_display_name", "user_profile_description"], TEXTS),
    **dict.fromkeys(["quote_count", "reply_count", "like_count", "retweet_count", "follower_count"], COUNTS),
    **dict.fromkeys(["latitude", "longitude"], COORDINATES),
    **dict.fromkeys(["hashtags", "user_mentions", "poll_choices"], LISTS),
    "urls": URL_LISTS,
    "is_retweet": BOOLEANS,
    "tweet_language": st.sampled_from(["en", "ru", "und", "zh-cn", "", "EN_gb"]),
}


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    """A published row with some of its columns replaced by drawn values."""
    row = draw(st.sampled_from([ira_row, later_row]))()
    for column in draw(st.lists(st.sampled_from(sorted(COLUMN_VALUES)), max_size=6, unique=True)):
        row[column] = draw(COLUMN_VALUES[column])
    return row


def read_both_ways(path: Path) -> tuple[int, int]:
    """Asserts that `path` reads the same with and without the fast path; returns (rows, rows encoded natively)."""
    fast = list(read_archive(path, encoded=True))
    slow = list(read_archive(path))
    items = []
    for item in fast:
        if type(item) is not EncodedTweets:
            items.append(item)
            continue
        for start, end in zip([0, *item.ends[:-1]], item.ends, strict=True):
            _action, document, rest = item.body[start:end].split(b"\n")
            assert rest == b""
            items.append(document)
    assert len(items) == len(slow)
    encoded = 0
    for with_native, without in zip(items, slow, strict=True):
        if type(with_native) is bytes:
            assert isinstance(without, TweetRecord), (with_native, without)
            assert with_native == orjson.dumps(to_document(without)), without.raw
            encoded += 1
        else:
            assert with_native == without
    return len(slow), encoded


def test_random_rows_read_the_same_with_and_without_the_fast_path() -> None:
    totals = {"rows": 0, "encoded": 0}

    @settings(derandomize=True, max_examples=600, deadline=None, database=None)
    @given(batch=st.lists(rows(), min_size=1, max_size=8), quoted=st.booleans(), crlf=st.booleans())
    def check(batch: list[dict[str, str]], quoted: bool, crlf: bool) -> None:
        control = ira_row(tweetid="877919995476496999")  # a plain row, which the fast path must take
        written = [control, *batch]
        content = quoted_csv(written, line_end="\r\n" if crlf else "\n") if quoted else minimal_csv(written)
        with tempfile.TemporaryDirectory() as folder:
            read, encoded = read_both_ways(write(Path(folder) / "ira_tweets_csv_hashed.csv", content))
        assert encoded >= 1, "the fast path took the plain row"
        totals["rows"] += read - 1
        totals["encoded"] += encoded - 1

    check()

    # Not vacuous: the drawn rows meet both paths, the native encoder and the Python reader.
    assert 0.2 * totals["rows"] < totals["encoded"] < 0.9 * totals["rows"], totals


assert set(COLUMN_VALUES) <= set(TWEET_COLUMNS)
