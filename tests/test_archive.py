"""Reading archives: finding the files, reading both encodings, and never losing or stopping on a bad row."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from archive_samples import (
    IRA_HASH,
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

from common.errors import ArchiveError
from common.records import Reject, RejectReason, TweetRecord
from indexer.archive import MAX_ROW_BYTES, ROW_TOO_LONG, ArchiveFile, discover, iter_rows, read_archive
from indexer.rejects import RejectsWriter, count_rejects, prune_rejects, read_rejects

TWEETS = "ira_tweets_csv_hashed.csv"


def read_all(paths: Iterable[str | Path | ArchiveFile], **options: object) -> tuple[list[TweetRecord], list[Reject]]:
    records: list[TweetRecord] = []
    rejects: list[Reject] = []
    for item in read_archive(list(paths), **options):  # type: ignore[arg-type]
        (rejects if isinstance(item, Reject) else records).append(item)  # type: ignore[arg-type]
    return records, rejects


def with_bad_line(tmp_path: Path, bad: bytes, *, before: int = 3, after: int = 3) -> Path:
    """A 2018-style tweets file: `before` good rows, the bad bytes (starting on line before + 2), `after` rows."""
    header, *lines = quoted_csv(numbered_rows(before + after)).encode().splitlines(keepends=True)
    return write(tmp_path / TWEETS, header + b"".join(lines[:before]) + bad + b"".join(lines[before:]))


def good_line(**changes: str) -> bytes:
    """One 2018-style data row (several physical lines when its text has newlines)."""
    return quoted_csv([ira_row(**changes)]).encode().split(b"\n", 1)[1]


def runaway_line() -> bytes:
    """A row whose screen name lost its closing quote: its quoted field never closes."""
    return good_line(tweetid="999").replace(b'"Jenn_Abrams",', b'"Jenn_Abrams,', 1)


# --- finding files ---------------------------------------------------------------------------------------------


def test_discover_takes_campaign_and_kind_from_file_names(tmp_path: Path) -> None:
    for name in (
        "china_082019_1_tweets_csv_hashed_10.csv",
        "china_082019_1_tweets_csv_hashed_2.csv",
        "iranian_tweets_csv_hashed.csv",
        TWEETS,
    ):
        write(tmp_path / name, quoted_csv([ira_row()]))
    write(tmp_path / "ira_users_csv_hashed.csv", quoted_csv([user_row()], USER_COLUMNS))

    files = discover([tmp_path])

    assert [(file.display_name, file.campaign, file.kind) for file in files] == [
        ("china_082019_1_tweets_csv_hashed_2.csv", "china_082019_1", "tweets"),
        ("china_082019_1_tweets_csv_hashed_10.csv", "china_082019_1", "tweets"),
        (TWEETS, "ira", "tweets"),
        ("ira_users_csv_hashed.csv", "ira", "users"),
        ("iranian_tweets_csv_hashed.csv", "iranian", "tweets"),
    ]
    assert files[0].columns == TWEET_COLUMNS
    assert files[0].size == (tmp_path / "china_082019_1_tweets_csv_hashed_2.csv").stat().st_size


def test_zip_members_and_gzip_files_are_found(tmp_path: Path) -> None:
    write_zip(
        tmp_path / "ira.zip",
        {
            "ira/ira_tweets_csv_hashed.csv": quoted_csv([ira_row()]),
            "ira/ira_users_csv_hashed.csv": quoted_csv([user_row()], USER_COLUMNS),
            "ira/README.txt": "Twitter elections integrity data",
            "__MACOSX/ira/._ira_tweets_csv_hashed.csv": b"\x00\x05\x16\x07",
        },
    )
    write_gzip(tmp_path / "iranian_tweets_csv_hashed.csv.gz", quoted_csv([ira_row()]))

    files = discover([tmp_path / "ira.zip", tmp_path / "iranian_tweets_csv_hashed.csv.gz"])

    assert [(file.display_name, file.member, file.kind) for file in files] == [
        ("ira.zip/ira/ira_tweets_csv_hashed.csv", "ira/ira_tweets_csv_hashed.csv", "tweets"),
        ("ira.zip/ira/ira_users_csv_hashed.csv", "ira/ira_users_csv_hashed.csv", "users"),
        ("iranian_tweets_csv_hashed.csv.gz", None, "tweets"),
    ]
    assert [file.campaign for file in files] == ["ira", "ira", "iranian"]


def test_globs_and_repeated_paths(tmp_path: Path) -> None:
    write(tmp_path / "a" / TWEETS, quoted_csv([ira_row()]))
    write(tmp_path / "a" / "iranian_tweets_csv_hashed.csv", quoted_csv([ira_row()]))

    files = discover([str(tmp_path / "a" / "ira_*.csv"), tmp_path / "a" / TWEETS])

    assert [file.display_name for file in files] == [TWEETS]


def test_users_file_next_to_a_named_tweets_file_is_included(tmp_path: Path) -> None:
    tweets = write(tmp_path / TWEETS, quoted_csv([ira_row()]))
    write(tmp_path / "ira_users_csv_hashed.csv", quoted_csv([user_row()], USER_COLUMNS))
    write(tmp_path / "iranian_users_csv_hashed.csv", quoted_csv([user_row()], USER_COLUMNS))

    assert [file.display_name for file in discover([tweets])] == [TWEETS, "ira_users_csv_hashed.csv"]


def test_file_named_freely_is_classified_by_its_header(tmp_path: Path) -> None:
    sample = write(tmp_path / "sample.csv", minimal_csv([later_row()], REORDERED_COLUMNS))
    (file,) = discover([sample])
    assert (file.campaign, file.kind) == ("sample", "tweets")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (TWEETS, "id,text,date\n1,hello,2017-06-22\n", "no tweetid and tweet_text"),
        ("notes.csv", "a,b\n1,2\n", "notes.csv: not a tweets file"),
        ("ira_users_csv_hashed.csv", "screen_name,followers\nx,1\n", "no userid"),
        (TWEETS, "", "empty"),
        (TWEETS, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ira_tweets_csv_hashed.csv"),
        ("ira_tweets_csv_hashed.zip", b"PK\x03\x04 not really a zip", "not a readable zip"),
        ("ira_tweets_csv_hashed.csv.gz", b"not gzip data at all\n", "ira_tweets_csv_hashed.csv.gz"),
    ],
)
def test_unrecognised_file_is_refused_up_front(tmp_path: Path, name: str, content: str | bytes, message: str) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(ArchiveError, match=message) as raised:
        discover([path])
    assert name in str(raised.value)


def test_missing_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no such file"):
        discover([tmp_path / "nowhere.csv"])
    with pytest.raises(ArchiveError, match="no file matches"):
        discover([str(tmp_path / "*.csv")])


def test_two_files_with_the_same_name_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "a" / TWEETS, quoted_csv([ira_row()]))
    write(tmp_path / "b" / TWEETS, quoted_csv([ira_row()]))
    with pytest.raises(ArchiveError, match="both named"):
        discover([tmp_path / "a", tmp_path / "b"])


# --- reading ---------------------------------------------------------------------------------------------------


def test_2018_file_is_read_with_the_line_each_row_starts_on(tmp_path: Path) -> None:
    rows = [
        ira_row(tweetid="1", tweet_text='She said ""hi"" — and "left" 🇺🇸'),
        ira_row(tweetid="2", tweet_text="first line\nsecond line\n\nfourth line"),
        ira_row(tweetid="3", tweet_text="مرحبا بالعالم #إيران", tweet_language="ar"),
        ira_row(tweetid="4", userid=IRA_HASH, user_screen_name=IRA_HASH),
    ]
    path = write(tmp_path / TWEETS, quoted_csv(rows))

    records, rejects = read_all([path])

    assert rejects == []
    assert [(record.tweetid, record.line) for record in records] == [("1", 2), ("2", 3), ("3", 7), ("4", 8)]
    assert records[0].tweet_text == 'She said ""hi"" — and "left" 🇺🇸'
    assert records[1].tweet_text == "first line\nsecond line\n\nfourth line"
    assert records[2].tweet_text == "مرحبا بالعالم #إيران"
    assert records[3].userid == IRA_HASH
    assert {record.campaign for record in records} == {"ira"}
    assert {record.source_file for record in records} == {TWEETS}


def test_later_encoding_with_reordered_columns_reads_by_header_name(tmp_path: Path) -> None:
    row = later_row(tweet_text='Line one,\n"quoted" line two')
    reordered = write(tmp_path / "china_082019_1_tweets_csv_hashed.csv", minimal_csv([row], REORDERED_COLUMNS))
    usual = write(tmp_path / "china_082019_2_tweets_csv_hashed.csv", minimal_csv([row], TWEET_COLUMNS))

    (first, second), rejects = read_all([reordered, usual])

    assert rejects == []
    assert first.tweet_text == 'Line one,\n"quoted" line two'
    assert (first.campaign, second.campaign) == ("china_082019_1", "china_082019_2")
    first.campaign = second.campaign = first.source_file = second.source_file = ""
    first.raw = second.raw = {}
    assert first == second


def test_zip_gzip_and_plain_give_the_same_records(tmp_path: Path) -> None:
    text = quoted_csv(numbered_rows(50, tweet_text="multi\nline"))
    plain = write(tmp_path / "plain" / TWEETS, text)
    gzipped = write_gzip(tmp_path / "gz" / (TWEETS + ".gz"), text)
    zipped = write_zip(tmp_path / "zip" / "ira_tweets.zip", {TWEETS: text})

    def essentials(path: Path) -> list[tuple[str, int, str | None]]:
        records, rejects = read_all([path])
        assert rejects == []
        return [(record.tweetid, record.line, record.tweet_text) for record in records]

    assert len(essentials(plain)) == 50
    assert essentials(plain) == essentials(gzipped) == essentials(zipped)


def test_crlf_line_ends_and_bom(tmp_path: Path) -> None:
    text = quoted_csv([ira_row(tweet_text="a\r\nb"), ira_row(tweetid="2")], line_end="\r\n")
    path = write(tmp_path / TWEETS, b"\xef\xbb\xbf" + text.encode())

    assert discover([path])[0].columns[0] == "tweetid"
    records, rejects = read_all([path])
    assert rejects == []
    assert [record.tweetid for record in records] == ["877919995476496385", "2"]
    assert records[0].tweet_text == "a\r\nb"
    assert records[1].line == 4
    assert "tweetid" in records[0].raw


def test_last_row_without_a_line_end_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / TWEETS, quoted_csv(numbered_rows(2)).rstrip("\n"))
    records, rejects = read_all([path])
    assert (len(records), rejects) == (2, [])


def test_users_file_fills_account_fields_missing_from_tweet_rows(tmp_path: Path) -> None:
    columns = ("tweetid", "userid", "tweet_text", "tweet_time", "tweet_language")
    tweets = [ira_row(tweetid="1"), ira_row(tweetid="2", userid="404")]
    write_zip(
        tmp_path / "ira.zip",
        {
            TWEETS: quoted_csv(tweets, columns),
            "ira_users_csv_hashed.csv": quoted_csv([user_row(user_reported_location="Nashville")], USER_COLUMNS),
        },
    )

    (known, unknown), rejects = read_all([tmp_path / "ira.zip"])

    assert rejects == []
    assert (known.user_screen_name, known.follower_count, known.user_reported_location) == (
        "Jenn_Abrams",
        54485,
        "Nashville",
    )
    assert set(known.raw) == set(columns), "raw keeps only what the tweets file published"
    assert (unknown.userid, unknown.user_screen_name) == ("404", None)


def test_archive_files_from_discover_can_be_passed_to_read_archive(tmp_path: Path) -> None:
    write(tmp_path / TWEETS, quoted_csv(numbered_rows(3)))
    files = discover([tmp_path])
    records, _ = read_all(files)
    assert [file.name for file in files] == [TWEETS]
    assert len(records) == 3


def test_iter_rows_gives_published_strings_by_column(tmp_path: Path) -> None:
    path = write(tmp_path / TWEETS, minimal_csv([later_row()], REORDERED_COLUMNS))
    (row,) = iter_rows(discover([path])[0])
    assert row.line == 2
    assert row.values == later_row()
    assert row.text.startswith("RT @HKPoliceForce")


# Field values that make splitting a row hard: quotes anywhere, the `","` that separates quoted fields, commas,
# line breaks inside fields, non-ASCII text.
AWKWARD_VALUES = ['a","b', '"', '""', '","', "x,y", "", " ", 'end"', '"start', "new\nline", '香港, "HK"', ","]


@pytest.mark.parametrize(
    ("encode", "values"),
    # csv.writer leaves a carriage return unquoted (a row no reader accepts), so only the 2018 encoding has one.
    [(quoted_csv, [*AWKWARD_VALUES, "cr\rin"]), (minimal_csv, AWKWARD_VALUES)],
    ids=["quoted", "minimal"],
)
def test_rows_split_exactly_as_the_csv_module_reads_them(
    tmp_path: Path, encode: Callable[..., str], values: list[str]
) -> None:
    # The reader splits the common row shapes itself, without the csv module: its fields must be the module's.
    rows = [
        ira_row(tweetid=str(number), tweet_text=text, user_profile_description=description)
        for number, (text, description) in enumerate(itertools.product(values, repeat=2))
    ]
    content = encode(rows)
    path = write(tmp_path / TWEETS, content)

    header, *expected = csv.reader(io.StringIO(content, newline=""))
    read = list(iter_rows(discover([path])[0]))

    assert tuple(header) == TWEET_COLUMNS
    assert [list(row.values.values()) for row in read] == expected
    records, rejects = read_all([path])
    assert rejects == []
    assert [(record.tweet_text, record.user_profile_description) for record in records] == [
        (text if text.strip() else None, description if description.strip() else None)
        for text, description in itertools.product(values, repeat=2)
    ]


def test_carriage_return_in_an_unquoted_field_is_rejected_as_the_csv_module_does(tmp_path: Path) -> None:
    plain = {"hashtags": "[]", "urls": "[]", "user_mentions": "[]", "tweet_text": "plain text"}
    content = minimal_csv([later_row(**plain), later_row(tweetid="2", **plain)])
    assert '"' not in content, "a row without quotes: the shape the reader splits itself"
    path = write(tmp_path / "china_082019_1_tweets_csv_hashed.csv", content.replace("for Android", "for\rAndroid", 1))

    records, rejects = read_all([path])

    assert [(reject.line, reject.reason) for reject in rejects] == [(2, RejectReason.WRONG_FIELD_COUNT)]
    assert "new-line character seen in unquoted field" in rejects[0].detail
    assert [record.tweetid for record in records] == ["2"]


# --- bad rows ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "reason", "detail"),
    [
        (good_line().replace(b'16:03",', b'16:03","extra",'), RejectReason.WRONG_FIELD_COUNT, "32 fields"),
        (good_line(tweet_time="22/06/2017 16:03"), RejectReason.BAD_DATE, "tweet_time"),
        (good_line(like_count="twelve"), RejectReason.BAD_NUMBER, "like_count"),
        (good_line(is_retweet="yes please"), RejectReason.BAD_BOOLEAN, "is_retweet"),
        (good_line(tweetid=""), RejectReason.MISSING_TWEETID, "tweetid"),
        (good_line(tweet_text="caf<e9>").replace(b"<e9>", b"\xe9"), RejectReason.BAD_UTF8, "0xe9"),
        (good_line(tweet_text="nul X here").replace(b"X", b"\x00"), RejectReason.NUL_BYTE, "NUL"),
        (b"x" * (MAX_ROW_BYTES + 10) + b"\n", ROW_TOO_LONG, "longer than any row"),
    ],
    ids=["fields", "date", "number", "boolean", "tweetid", "utf8", "nul", "too-long"],
)  # fmt: skip
def test_bad_row_is_rejected_and_the_next_row_read(tmp_path: Path, bad: bytes, reason: str, detail: str) -> None:
    path = with_bad_line(tmp_path, bad)

    records, rejects = read_all([path])

    assert [(reject.file, reject.line, reject.reason) for reject in rejects] == [(TWEETS, 5, reason)]
    assert detail in rejects[0].detail
    assert rejects[0].raw, "the reject shows the row"
    assert len(rejects[0].raw) < 2_100
    assert [record.line for record in records] == [2, 3, 4, 6, 7, 8]


def test_broken_utf8_reject_shows_the_bytes(tmp_path: Path) -> None:
    path = with_bad_line(tmp_path, good_line(tweet_text="caf<e9>").replace(b"<e9>", b"\xe9"))
    (reject,) = read_all([path])[1]
    assert "caf\\xe9" in reject.raw


def test_truncated_last_row(tmp_path: Path) -> None:
    cut = good_line(tweetid="999", tweet_text="the file ends\ninside this tweet")[:-60]
    path = with_bad_line(tmp_path, b"", after=0)
    path.write_bytes(path.read_bytes() + cut)

    records, rejects = read_all([path])

    assert len(records) == 3
    assert [(reject.line, reject.reason) for reject in rejects] == [(5, RejectReason.TRUNCATED_ROW)]
    assert rejects[0].raw.startswith('"999"')
    assert "inside this tweet" in rejects[0].raw


def test_runaway_quote_is_undone_after_it_grows_too_large(tmp_path: Path) -> None:
    after = MAX_ROW_BYTES // 400 + 20  # more than MAX_ROW_BYTES of good rows follow the broken one
    path = with_bad_line(tmp_path, runaway_line(), after=after)

    records, rejects = read_all([path])

    assert [(reject.line, reject.reason) for reject in rejects] == [(5, RejectReason.RUNAWAY_QUOTE)]
    assert "line 6" in rejects[0].detail
    assert rejects[0].raw.startswith('"999"')
    assert len(records) == 3 + after
    assert [record.line for record in records] == [2, 3, 4, *range(6, 6 + after)]


def test_runaway_quote_closed_by_a_later_multi_line_tweet_is_undone(tmp_path: Path) -> None:
    multi = good_line(tweetid="555", tweet_text="first\nsecond\nthird")
    path = with_bad_line(tmp_path, runaway_line() + good_line(tweetid="1") + good_line(tweetid="2") + multi)

    records, rejects = read_all([path])

    assert [(reject.line, reject.reason) for reject in rejects] == [(5, RejectReason.RUNAWAY_QUOTE)]
    assert [(record.tweetid, record.line) for record in records][3:6] == [("1", 6), ("2", 7), ("555", 8)]
    assert records[5].tweet_text == "first\nsecond\nthird"
    assert [record.line for record in records][6:] == [11, 12, 13]


def test_runaway_quote_near_the_end_of_the_file_is_undone(tmp_path: Path) -> None:
    path = with_bad_line(tmp_path, runaway_line(), after=2)

    records, rejects = read_all([path])

    assert [(reject.line, reject.reason) for reject in rejects] == [(5, RejectReason.RUNAWAY_QUOTE)]
    assert [record.line for record in records] == [2, 3, 4, 6, 7]


def test_damaged_gzip_ends_with_a_reject_not_an_exception(tmp_path: Path) -> None:
    data = gzip.compress(quoted_csv(numbered_rows(300)).encode())
    path = write(tmp_path / (TWEETS + ".gz"), data[: len(data) - 40])

    records, rejects = read_all([path])

    assert 0 < len(records) < 300
    assert [reject.reason for reject in rejects] == [RejectReason.TRUNCATED_ROW]
    assert "damaged" in rejects[0].detail


def test_blank_lines_are_not_rows(tmp_path: Path) -> None:
    path = with_bad_line(tmp_path, b"\n\r\n")
    records, rejects = read_all([path])
    assert (len(records), rejects) == (6, [])


def test_bad_users_rows_are_rejected_and_the_rest_still_enrich(tmp_path: Path) -> None:
    users = [user_row(userid="1", follower_count="lots"), user_row(userid=""), user_row(user_screen_name="Jenn")]
    write(tmp_path / "ira_users_csv_hashed.csv", quoted_csv(users, USER_COLUMNS))
    write(tmp_path / TWEETS, quoted_csv([ira_row(user_screen_name="")]))

    (record,), rejects = read_all([tmp_path])

    assert [(reject.file, reject.line, reject.reason) for reject in rejects] == [
        ("ira_users_csv_hashed.csv", 2, RejectReason.BAD_NUMBER),
        ("ira_users_csv_hashed.csv", 3, RejectReason.MISSING_USERID),
    ]
    assert record.user_screen_name == "Jenn"


def test_every_data_row_is_a_record_or_a_reject(tmp_path: Path) -> None:
    lines = [
        good_line(tweetid="1"),
        good_line(tweetid="2", tweet_text="two\nlines"),
        good_line(like_count="x"),
        good_line(tweet_text="bad <ff> byte").replace(b"<ff>", b"\xff"),
        runaway_line(),
        good_line(tweetid="3"),
        good_line(tweet_time="yesterday"),
        good_line(tweetid="4", tweet_text="nul X").replace(b"X", b"\x00"),
        good_line(tweetid="5"),
        good_line(tweetid="6")[:40],
    ]
    path = write(tmp_path / TWEETS, quoted_csv([], TWEET_COLUMNS).encode() + b"".join(lines))

    records, rejects = read_all([path])

    assert len(records) + len(rejects) == len(lines)
    assert [record.tweetid for record in records] == ["1", "2", "3", "5"]
    assert Counter(reject.reason for reject in rejects) == {
        RejectReason.BAD_NUMBER: 1,
        RejectReason.BAD_UTF8: 1,
        RejectReason.RUNAWAY_QUOTE: 1,
        RejectReason.BAD_DATE: 1,
        RejectReason.NUL_BYTE: 1,
        RejectReason.TRUNCATED_ROW: 1,
    }
    assert [reject.line for reject in rejects] == [5, 6, 7, 9, 10, 12]


# --- resuming ---------------------------------------------------------------------------------------------------


def test_skip_lines_resumes_after_the_last_loaded_line(tmp_path: Path) -> None:
    lines = [
        good_line(tweetid="1"),
        good_line(tweetid="2", tweet_text="two\nlines"),
        good_line(like_count="x"),
        good_line(tweetid="3"),
        good_line(tweetid="4", tweet_text="four\nlines"),
    ]
    path = write(tmp_path / TWEETS, quoted_csv([], TWEET_COLUMNS).encode() + b"".join(lines))
    records, rejects = read_all([path])
    assert [(record.tweetid, record.line) for record in records] == [("1", 2), ("2", 3), ("3", 6), ("4", 7)]

    records, rejects = read_all([path], skip_lines={TWEETS: 5})
    assert [record.tweetid for record in records] == ["3", "4"]
    assert rejects == [], "the reject on line 5 was written by the earlier run"

    records, rejects = read_all([path], skip_lines={TWEETS: 3})
    assert [record.tweetid for record in records] == ["3", "4"]
    assert [reject.line for reject in rejects] == [5]

    records, _ = read_all([path], skip_lines={"other_file.csv": 100})
    assert len(records) == 4


def test_skipped_users_file_still_enriches(tmp_path: Path) -> None:
    write(tmp_path / "ira_users_csv_hashed.csv", quoted_csv([user_row(), user_row(userid="")], USER_COLUMNS))
    write(tmp_path / TWEETS, quoted_csv([ira_row(user_screen_name="")]))

    (record,), rejects = read_all([tmp_path], skip_lines={"ira_users_csv_hashed.csv": 99})

    assert record.user_screen_name == "Jenn_Abrams"
    assert rejects == []


# --- the rejects file -------------------------------------------------------------------------------------------


def test_rejects_writer_appends_json_lines_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "out" / "load.rejects.jsonl"
    first = Reject(TWEETS, 5, RejectReason.BAD_DATE, "tweet_time: not a date", '"1","naïve ✓"')
    second = Reject(TWEETS, 9, RejectReason.NUL_BYTE, "NUL byte at offset 3", "x\\x00")

    with RejectsWriter(path) as writer:
        assert not path.exists(), "no file until there is a reject"
        writer.write(first)
        writer.write(second)
        writer.write(first)
        assert writer.counts == {RejectReason.BAD_DATE: 2, RejectReason.NUL_BYTE: 1}
        assert writer.total == 3

    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert entries[0] == {
        "file": TWEETS,
        "line": 5,
        "reason": "bad_date",
        "detail": "tweet_time: not a date",
        "raw": '"1","naïve ✓"',
    }
    assert list(read_rejects(path)) == [first, second, first]
    assert count_rejects(path) == 3

    with RejectsWriter(path) as writer:
        writer.write(second)
    assert count_rejects(path) == 4, "a resumed load appends"


def test_prune_rejects_keeps_what_a_resume_will_not_write_again(tmp_path: Path) -> None:
    path = tmp_path / "load.rejects.jsonl"
    with RejectsWriter(path) as writer:
        for file, line in ((TWEETS, 5), (TWEETS, 50), ("ira_users_csv_hashed.csv", 3), ("other.csv", 2)):
            writer.write(Reject(file, line, RejectReason.BAD_DATE, "", ""))

    dropped = prune_rejects(path, {TWEETS: 10, "other.csv": 2})

    assert dropped == 2
    assert [(reject.file, reject.line) for reject in read_rejects(path)] == [(TWEETS, 5), ("other.csv", 2)]
    assert prune_rejects(tmp_path / "absent.jsonl", {}) == 0
    assert count_rejects(tmp_path / "absent.jsonl") == 0
