"""The native fast path changes nothing but speed: read with it, an archive gives the same rows as without it.

Each archive is read twice side by side, with `encoded=True` (as a load reads) and without. For a row the native
encoder took, its document must be byte for byte `orjson.dumps(to_document(record))` of the Python reader's
record; every other row, rejects included, must come out exactly the same. Last, a load into the real server
with and without it must store the same documents and write the same rejects.
"""

from __future__ import annotations

import csv
import gzip
import importlib
import random
import sys
import types
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

import orjson
import pytest
from archive_samples import (
    REORDERED_COLUMNS,
    TWEET_COLUMNS,
    USER_COLUMNS,
    ira_row,
    later_row,
    minimal_csv,
    numbered_rows,
    quoted_csv,
    user_row,
    write,
    write_gzip,
    write_zip,
)

from common.records import ACCOUNT_COLUMNS, EncodedTweets, Reject, TweetRecord
from generator.release import generate_release
from indexer import archive, native
from indexer.archive import discover, read_archive
from indexer.document import DOCUMENT_KEYS, to_document
from indexer.normalise import FIRST_SNOWFLAKE_ID, MEMO_SIZE, PLACEHOLDERS, TWITTER_EPOCH_MS, TweetRowNormaliser

if native.TweetEncoder is None:
    pytest.fail(
        "the native fast path (tweetsearch_native) is not installed, or was built from older sources: run "
        "`make install` with Rust's cargo on PATH (https://rustup.rs)",
        pytrace=False,
    )


@pytest.fixture(autouse=True)
def _fast_path_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the fast path: a `TWEETSEARCH_NATIVE=0` in the caller's environment does not apply."""
    monkeypatch.delenv("TWEETSEARCH_NATIVE", raising=False)


class Encoded(NamedTuple):
    """One row of a run the fast path took."""

    tweetid: str
    source_file: str
    line: int
    document: bytes


def rows_of(items: list) -> list:
    """The reader's output with each run of the fast path taken apart into its rows."""
    rows = []
    for item in items:
        if type(item) is not EncodedTweets:
            rows.append(item)
            continue
        assert len(item.lines) == len(item.ends) and item.ends[-1] == len(item.body)
        for line, start, end in zip(item.lines, [0, *item.ends], item.ends, strict=False):
            action, document, rest = item.body[start:end].split(b"\n")
            assert rest == b"" and list(orjson.loads(action)) == ["index"]
            rows.append(Encoded(orjson.loads(action)["index"]["_id"], item.source_file, line, document))
    return rows


def read_both(
    *paths: Path, skip_lines: dict[str, int] | None = None
) -> tuple[list[Encoded], list[TweetRecord | Reject]]:
    """Reads `paths` with and without the fast path, asserts that they agree, and returns what the fast path
    encoded and every row the Python reader gave."""
    files = discover(list(paths))
    fast = rows_of(list(read_archive(files, skip_lines=skip_lines, encoded=True)))
    slow = list(read_archive(files, skip_lines=skip_lines))
    assert len(fast) == len(slow)
    encoded = []
    for with_native, without in zip(fast, slow, strict=True):
        if type(with_native) is Encoded:
            assert isinstance(without, TweetRecord), (with_native, without)
            assert (with_native.tweetid, with_native.source_file, with_native.line) == (
                without.tweetid,
                without.source_file,
                without.line,
            )
            assert with_native.document == orjson.dumps(to_document(without)), f"line {without.line}"
            encoded.append(with_native)
        else:
            assert with_native == without
    return encoded, slow


# Rows that stress what the native encoder does itself (splitting, ids, times, text), next to rows it must leave
# to the Python reader: each becomes one row, in both encodings.
EDGE_ROWS: list[dict[str, str]] = [
    ira_row(),
    later_row(),
    ira_row(tweet_text='He said ""no"", then "yes"', user_profile_description='Say "hi", or not'),
    ira_row(tweet_text="line one\nline two\n\nline four"),
    ira_row(tweet_text="windows\r\nline ends"),
    ira_row(tweet_text="tab\there, bell\x07, escape\x1b, del\x7f, backslash \\ and slash /"),
    ira_row(tweet_text="Выборы в Москве 🇷🇺 — «итоги»"),
    ira_row(tweet_text="   "),
    ira_row(tweet_text="\x1c\x1d"),
    ira_row(tweet_text="\u00a0\u2003"),
    ira_row(tweet_text="\u200b"),
    ira_row(tweet_text=""),
    ira_row(tweet_text="RT @abcdefghijklmno: fifteen"),
    ira_row(tweet_text="RT @abcdefghijklmnop: sixteen"),
    ira_row(tweet_text="RT @no_colon here", is_retweet="false"),
    ira_row(tweet_text="mail a@b.com @Good @good @x@y @@z @toolongnameistoolong _@no (@yes) @end"),
    ira_row(tweet_text="https://t.co/abc… http://t.co/XYZ9 https://t.co/abc https://t.co/ https://t.co/XYZ9"),
    ira_row(tweet_text="hhttps://t.co/Aa1 httpx://t.co/no https://t.co/Bb2é"),
    ira_row(tweetid="877919995476496385.0"),
    ira_row(tweetid=" 877919995476496386 "),
    ira_row(tweetid="kPDnKz2Wf8y+BzV5/gUeGX1PA1qZ1n5t3IBc5vZlYyPc="),
    ira_row(tweetid=""),
    ira_row(tweetid="١٢٣"),
    ira_row(tweet_time="2017-02-30 10:00"),
    ira_row(tweet_time="2016-02-29 23:59:59"),
    ira_row(tweet_time="2017-06-22T16:03"),
    ira_row(tweet_time="2017-06-22 16:03:00+03:00"),
    ira_row(tweet_time="2017-06-22 24:00"),
    ira_row(tweet_time="absent"),
    ira_row(tweet_time=""),
    ira_row(retweet_tweetid="12345", is_retweet="true"),
    ira_row(retweet_tweetid="9" * 30),
    ira_row(retweet_tweetid="9" * 40),
    ira_row(quoted_tweet_tweetid="877919995476496385"),
    ira_row(quoted_tweet_tweetid="29700859247"),
    ira_row(in_reply_to_tweetid="877919995476400000.0", in_reply_to_userid="absent"),
    ira_row(quote_count="12.0", reply_count="007", like_count="absent", retweet_count="1e3"),
    ira_row(like_count="1.5"),
    ira_row(latitude="40.7128", longitude="-74.0060"),
    ira_row(latitude="40.7128", longitude="absent"),
    ira_row(latitude="91", longitude="0"),
    ira_row(is_retweet="TRUE"),
    ira_row(is_retweet="maybe"),
    ira_row(hashtags="['Guaidó', 'ВЫБОРЫ', 'İstanbul']", urls="[]"),
    ira_row(hashtags="[#MAGA, #maga]", urls="[http://a.com/x,y, https://www.B.co.uk:443/p/?b=2&a=1&utm_x=3]"),
    ira_row(hashtags="['it\\'s']", user_mentions="['1', '2']", poll_choices="yes|no"),
    ira_row(userid="999", user_display_name="None", follower_count="", account_creation_date="2013-12-07 10:00:00"),
    ira_row(userid="998", follower_count="many"),
    ira_row(user_display_name="", user_reported_location="", follower_count="", account_language=""),
    ira_row(user_reported_location="\x7f Москва \u2028", tweet_client_name="   "),
    ira_row(tweet_language="und", account_language="ru"),
    ira_row(tweet_language="", account_language=""),
]


@pytest.mark.parametrize("encoding", ["quoted", "minimal"])
def test_edge_rows_read_the_same_with_and_without_the_fast_path(tmp_path: Path, encoding: str) -> None:
    rows = [{**row, "tweetid": row["tweetid"] or ""} for row in EDGE_ROWS]
    to_csv = quoted_csv if encoding == "quoted" else minimal_csv
    tweets = write(tmp_path / "ira_tweets_csv_hashed.csv", to_csv(rows))
    write(tmp_path / "ira_users_csv_hashed.csv", to_csv([user_row(user_display_name="From users")], USER_COLUMNS))

    encoded, read = read_both(tweets)

    lines = {item.line for item in encoded}
    texts = {item.tweet_text for item in read if isinstance(item, TweetRecord) and item.line in lines}
    # The fast path takes the rows with quotes, line breaks, control characters and non-ASCII text...
    assert {row["tweet_text"] for row in EDGE_ROWS[2:7]} <= texts
    # ...and leaves the rows only Python can judge: a non-ASCII tweetid, an impossible date, a bad count.
    rejected = {item.line: item.reason for item in read if isinstance(item, Reject)}
    assert rejected, "the edge rows include bad ones"
    assert not lines & set(rejected)
    assert len(encoded) >= len(read) * 0.6


def test_a_generated_release_with_damaged_rows_reads_the_same(tmp_path: Path) -> None:
    generate_release(tmp_path, tweets=3000, seed=11, malformed=60)

    encoded, read = read_both(tmp_path)

    records = [item for item in read if isinstance(item, TweetRecord)]
    assert sum(isinstance(item, Reject) for item in read) >= 30
    assert len(encoded) >= 0.95 * len(records), "the fast path should take nearly every good row"


def test_a_reordered_header_is_read_by_name(tmp_path: Path) -> None:
    path = write(tmp_path / "x_tweets_csv_hashed.csv", minimal_csv([later_row(), ira_row()], REORDERED_COLUMNS))

    encoded, _ = read_both(path)

    assert len(encoded) == 2


def test_a_header_without_every_column_is_left_to_the_python_reader(tmp_path: Path) -> None:
    columns = [column for column in TWEET_COLUMNS if column != "poll_choices"]
    path = write(tmp_path / "x_tweets_csv_hashed.csv", minimal_csv([ira_row()], columns))

    encoded, read = read_both(path)

    assert encoded == [] and len(read) == 1


def encoder_for(columns: tuple[str, ...], **changes: object) -> tuple[native.RowEncoder, TweetRowNormaliser]:
    """A native encoder for a file with this header, made with the constants `encoder_constants` gives, each of
    `changes` replacing one of them."""
    normaliser = TweetRowNormaliser(columns, campaign="ira", source_file="ira_tweets_csv_hashed.csv")
    given = {**native.encoder_constants(normaliser), **changes}
    return native.TweetEncoder(list(columns), csv.field_size_limit(), native._Lookups(normaliser), given), normaliser


def encode_one(encoder: native.RowEncoder, columns: tuple[str, ...], row: dict[str, str]) -> dict | None:
    """The document `encoder` gives for `row` written as the one row of a file, or None if it leaves the row."""
    data = quoted_csv([row], columns).encode().split(b"\n", 1)[1]
    action = encoder.encode(data, data.count(b'"'))
    return None if action is None else orjson.loads(action.split(b"\n")[1])


def test_the_encoder_holds_the_python_sides_constants() -> None:
    encoder, normaliser = encoder_for(REORDERED_COLUMNS)

    given = encoder.given

    assert given["placeholders"] == sorted(PLACEHOLDERS)
    assert given["snowflakes"] == (TWITTER_EPOCH_MS, FIRST_SNOWFLAKE_ID)
    assert given["memo_size"] == MEMO_SIZE
    assert given["positions"] == {name: REORDERED_COLUMNS.index(name) for name in TWEET_COLUMNS}
    assert given["account_columns"] == list(ACCOUNT_COLUMNS)
    assert given["document_keys"] == list(DOCUMENT_KEYS)
    assert native.row_encoder(normaliser).given == given, "a load's encoder is made the same way"


def test_document_keys_are_the_order_to_document_writes() -> None:
    record = TweetRecord(
        "1", "ira", "f.csv", 2, "u", "name", "screen", "place", "about", "http://a.com", 1, 2, date(2014, 6, 8), "en",
        "en", "RT @screen: hi @x http://t.co/Ab1", datetime(2017, 6, 22, tzinfo=UTC), "web", "3", "4", "5", True,
        "6", "7", 1.5, 2.5, 1, 2, 3, 4, ["tag"], ["8"], ["http://a.com"], ["yes"], ["x"], ["http://a.com"],
        ["a.com"], ["a.com"], ["http://t.co/Ab1"], "screen", datetime(2017, 6, 22, tzinfo=UTC),
        datetime(2017, 6, 22, tzinfo=UTC), {"tweetid": "1"},
    )  # fmt: skip

    assert list(to_document(record)) == list(DOCUMENT_KEYS)


def test_constants_given_from_python_are_the_ones_used() -> None:
    row = ira_row(in_reply_to_tweetid="n/a", tweet_time="n/a", retweet_tweetid="877919995476496385")
    usual, _ = encoder_for(TWEET_COLUMNS)
    other, _ = encoder_for(
        TWEET_COLUMNS,
        placeholders=[*sorted(PLACEHOLDERS), "n/a"],
        snowflakes=(TWITTER_EPOCH_MS + 1000, FIRST_SNOWFLAKE_ID),
        document_keys=list(reversed(DOCUMENT_KEYS)),
    )

    assert encode_one(usual, TWEET_COLUMNS, row) is None, "n/a is no time: left to the Python reader"
    document = encode_one(other, TWEET_COLUMNS, row)
    assert document is not None and "in_reply_to_tweetid" not in document and "tweet_time" not in document
    assert document["retweeted_time"] == "2017-06-22T16:03:33.543000+00:00"  # one second later than Python's
    keys = [key for key in reversed(DOCUMENT_KEYS) if key in document]
    assert list(document) == keys


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"document_keys": [key for key in DOCUMENT_KEYS if key != "lang"]}, 'the document keys lack "lang"'),
        ({"document_keys": [*DOCUMENT_KEYS, "extra"]}, 'does not write the document key "extra"'),
        ({"positions": {name: 0 for name in TWEET_COLUMNS}}, "is not where the header has it"),
    ],
)
def test_constants_that_do_not_fit_are_refused(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encoder_for(TWEET_COLUMNS, **change)


def test_turned_off_by_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row()]))
    monkeypatch.setenv("TWEETSEARCH_NATIVE", "0")

    assert not native.native_enabled()
    assert [type(item) for item in read_archive(path, encoded=True)] == [TweetRecord]


def test_a_load_stores_the_same_documents_and_rejects_with_and_without_the_fast_path(
    cli, es, alias: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "ira_tweets_csv_hashed.csv", quoted_csv(EDGE_ROWS))
    write(tmp_path / "ira_users_csv_hashed.csv", quoted_csv([user_row(user_display_name="From users")], USER_COLUMNS))
    encoded = []

    def counting(normaliser):  # the load's encoder, counting the rows it takes
        encoder = native.row_encoder(normaliser)

        class Counted:
            def take(self, *args):
                taken = encoder.take(*args)
                encoded.append(len(taken[3]))
                return taken

            def encode(self, *args):
                document = encoder.encode(*args)
                encoded.append(document is not None)
                return document

        return Counted() if encoder else None

    monkeypatch.setattr(archive, "row_encoder", counting)
    loads = {}
    for name, switch in (("fast", "1"), ("python", "0")):
        rejects = tmp_path / f"{name}.jsonl"
        env = {"TWEETSEARCH_ALIAS": f"{alias}-{name}", "TWEETSEARCH_NATIVE": switch}
        done = cli("index", str(tmp_path), "--rejects", str(rejects), "--json", env=env)
        assert done.exit_code == 0, done.stderr
        hits = es.search(index=f"{alias}-{name}", size=100, sort=["tweetid"]).body["hits"]["hits"]
        summary = orjson.loads(done.stdout)
        loads[name] = (
            [(hit["_id"], hit["_source"]) for hit in hits],
            rejects.read_text(),
            {key: summary[key] for key in ("rows_read", "indexed", "rejected", "rejected_by_reason", "reconciled")},
        )

    assert sum(encoded) >= len(EDGE_ROWS) * 0.6, "the load should have used the fast path"
    assert loads["fast"] == loads["python"]
    assert loads["fast"][2]["reconciled"] and loads["fast"][2]["rejected"] > 0


def odd_file(tmp_path: Path) -> Path:
    """A tweets file with everything a line reader can meet: rows over several lines (with `\\r\\n` too), blank
    lines, a line longer than any row, runaway quotes (one closed by a later multi-line row), a bad row, and a
    last row without its line end."""
    header, *rows = quoted_csv(numbered_rows(40, tweet_text="one line")).encode().splitlines(keepends=True)
    multi = quoted_csv([ira_row(tweetid="555", tweet_text="first\nsecond\r\nthird")]).encode().split(b"\n", 1)[1]
    runaway = rows[0].replace(b'"Jenn_Abrams",', b'"Jenn_Abrams,', 1).replace(b"877919995476496385", b"999")
    pieces = [
        header, *rows[:3], multi, b"\n", b"\r\n", *rows[3:6], b"x" * (archive.MAX_ROW_BYTES + 10) + b"\n",
        *rows[6:9], runaway, *rows[9:12], multi, *rows[12:15], b'"only","three","fields"\n', *rows[15:20],
        runaway, *rows[20:40], multi, rows[-1].rstrip(b"\n"),
    ]  # fmt: skip
    return write(tmp_path / "ira_tweets_csv_hashed.csv", b"".join(pieces))


def test_odd_lines_and_every_resume_point_read_the_same(tmp_path: Path) -> None:
    path = odd_file(tmp_path)
    lines = path.read_bytes().count(b"\n") + 1

    encoded, read = read_both(path)
    for skip in range(0, lines + 1):
        read_both(path, skip_lines={path.name: skip})

    reasons = {item.reason for item in read if isinstance(item, Reject)}
    assert {"runaway_quote", "row_too_long", "wrong_field_count"} <= reasons
    assert sum(isinstance(item, TweetRecord) and item.tweetid == "555" for item in read) == 3
    assert len(encoded) == sum(isinstance(item, TweetRecord) for item in read), "every good row, multi-line ones too"


def test_runs_end_at_their_size_and_carry_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "FAST_RUN_ROWS", 7)
    path = odd_file(tmp_path)

    runs = [item for item in read_archive(path, encoded=True) if type(item) is EncodedTweets]
    encoded, _ = read_both(path)

    assert max(len(run.lines) for run in runs) == 7
    assert sum(len(run.lines) for run in runs) == len(encoded)
    every = [line for run in runs for line in run.lines]
    assert every == sorted(every) and len(set(every)) == len(every)


def test_a_run_goes_on_over_the_encoders_pauses(tmp_path: Path) -> None:
    """The encoder hands the interpreter back every few hundred rows; the run it is encoding goes on."""
    path = write(tmp_path / "ira_tweets_csv_hashed.csv", quoted_csv(numbered_rows(1_300)))

    runs = [item for item in read_archive(path, encoded=True) if type(item) is EncodedTweets]
    encoded, _ = read_both(path)

    assert [len(run.lines) for run in runs] == [1_300]
    assert len(encoded) == 1_300


def test_a_damaged_gzip_file_reads_the_same(tmp_path: Path) -> None:
    data = gzip.compress(quoted_csv(numbered_rows(600)).encode())
    path = write(tmp_path / "ira_tweets_csv_hashed.csv.gz", data[: len(data) - 40])

    encoded, read = read_both(path)

    (reject,) = [item for item in read if isinstance(item, Reject)]
    assert reject.reason == "truncated_row" and "compressed data is damaged" in reject.detail
    assert 500 < len(encoded) < 600


@pytest.mark.parametrize("kind", ["plain", "gzip", "zip"])
def test_native_lines_are_the_lines_of_the_stream(tmp_path: Path, kind: str) -> None:
    """Lines longer than a read block and longer than the limit, line ends of each kind, no line end at the end."""
    block = 1 << 20
    lines = [b"a\n", b"\n", b"b\r\n", b"c" * (block + 5) + b"\n", b"d" * 300 + b"\n", b"e" * (2 * block) + b"\n"]
    data = b"".join(lines * 2) + b"last"
    name = "ira_tweets_csv_hashed.csv"
    if kind == "gzip":
        target, member = write_gzip(tmp_path / f"{name}.gz", data), None
    elif kind == "zip":
        target, member = write_zip(tmp_path / "ira.zip", {name: data}), name
    else:
        target, member = write(tmp_path / name, data), None
    file = archive.ArchiveFile(target, member, "ira", "tweets", name, (), len(data))

    for limit in (100, block + 1, 4 * block):
        with archive.open_binary(file) as stream:
            expected = list(iter(lambda: stream.readline(limit), b""))  # noqa: B023
        with archive.open_binary(file) as stream:
            source = native.Lines(stream)
            got = list(iter(lambda: source.readline(limit), b""))  # noqa: B023
        assert got == expected, limit


URL_LISTS = [
    "[]",
    "",
    "absent",
    "None",
    "[ ]",
    "[none]",
    "[http://a.com]",
    "http://a.com",
    "http://a.com, http://b.com",
    "[HTTP://User:Pw@WWW.Example.COM:80/a/b//?Utm_Source=x&z=1&a=2&&fbclid=3#frag]",
    "[example.com/path, //cdn.site.org/x, ftp://files.example.org:21/f, https://news.bbc.co.uk./a/]",
    "[http://192.168.0.1/x, http://[::1]:8080/y, http://h:abc/]",
    "[https://t.co/abc , , none ,http://x.y.z.co.jp/a?x=1&x=0]",
    "[https://www.www.example.com, http://a..b/, http://../, http://:80/, http://host:/p, http://@h/]",
    "[mailto:someone@example.com, javascript:alert(1), http:/one-slash, ://nothing]",
    "[https://ru.wikipedia.org/wiki/Москва]",
    "['http://quoted.example.com']",
    "[http://a.com?q=1#f?g, http://b.com#x/y?z, http://c.com/?]",
    "[https://a.com/%20x?utm_=1&UTM_MEDIUM=2&ref_src=3&Ref=4&__twitter_impression=true]",
    "[http://a.com,http://a.com/,HTTP://A.COM, https://a.com:443/]",
    "[[http://a.com]]",
]


def random_url_lists(count: int, seed: int) -> list[str]:
    """URL lists built from the parts that normalising treats each in its own way."""
    rng = random.Random(seed)
    schemes = ["http://", "https://", "HTTPS://", "ftp://", "", "//", "x+y.z-1://"]
    users = ["", "", "", "u@", "u:p@", "@"]
    hosts = ["example.com", "www.Example.com", "news.bbc.co.uk", "a.b.c.d.gov.uk", "localhost", "t.co", "x.co.jp.",
             "www.", "1.2.3.4", "WWW.WWW.x.org", "", "site.ru", "a-b.com.tr"]  # fmt: skip
    ports = ["", "", ":80", ":443", ":8080", ":", ":21"]
    paths = ["", "/", "/a/b/", "/a,b", "/a b", "//", "/p%2F?", "/x.html", "/%d9%87%d9%84-/", "/%7e%41%2f", "/%4"]
    queries = ["", "", "?b=2&a=1", "?utm_source=t&id=7", "?FBCLID=1", "?&&", "?a", "?ref_src=x&Z=1&z=1", "?q=%d8%a7"]
    fragments = ["", "", "#top", "#a?b=1"]
    lists = []
    for _ in range(count):
        urls = [
            "".join(rng.choice(part) for part in (schemes, users, hosts, ports, paths, queries, fragments))
            for _ in range(rng.randint(1, 4))
        ]
        joined = "".join(url + rng.choice([",", ", ", " , ", ",,", ", , "]) for url in urls).rstrip(", ")
        lists.append(f"[{joined}]" if rng.random() < 0.8 else joined)
    return lists


def test_url_lists_are_read_the_same_and_mostly_natively(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []

    def counted(value: object) -> tuple[bytes, bytes]:
        asked.append(value)
        return native_urls(value)

    native_urls = native._urls
    monkeypatch.setattr(native, "_urls", counted)
    lists = URL_LISTS + random_url_lists(400, seed=5)
    rows = [ira_row(tweetid=str(877919995476496385 + n), urls=value) for n, value in enumerate(lists)]
    path = write(tmp_path / "ira_tweets_csv_hashed.csv", quoted_csv(rows))

    encoded, read = read_both(path)

    assert len(encoded) == len(read) == len(lists)
    # The random lists meet IP-like hosts and empty ports on purpose, which go to the Python parser.
    assert 0 < len(asked) < len(lists) * 0.5, "the native encoder reads most URL lists itself"


def test_a_module_built_from_older_sources_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a `git pull` without `make install`, the installed module may lack what this code calls: the
    Python reader then does all the work instead of the load failing half-way."""
    older = types.ModuleType("tweetsearch_native")
    older.TweetEncoder, older.Lines = native.TweetEncoder, native.Lines  # as a build without `API` had them
    monkeypatch.setitem(sys.modules, "tweetsearch_native", older)
    try:
        reloaded = importlib.reload(native)
        assert reloaded.TweetEncoder is None and not reloaded.native_enabled()
    finally:
        monkeypatch.undo()
        importlib.reload(native)
    assert native.native_enabled(), "the installed module is used again"
