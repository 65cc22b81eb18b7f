"""Nothing is lost next to a damaged row: after a runaway quote the reader resynchronises on the next row.

A row whose quoted field never closes (a runaway quote) swallows the lines after it until a later line closes
the field. When that later line is the first line of a genuine multi-line tweet, the joined lines do not split,
and the reader must still see that a well-formed row starts right after the damaged one: only the damaged row
is rejected, the multi-line tweet is read whole. Generated releases carry every kind of damage, and their
`ground_truth.json` says how many well-formed tweets they hold and on which lines the damaged rows start, so the
reader is held to exact numbers: with and without the native fast path, from every resume point near damage,
and in a load into the real server.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from archive_samples import TWEET_COLUMNS, ira_row, quoted_csv, write

from common.records import EncodedTweets, Reject, RejectReason, TweetRecord
from generator.release import MALFORMED_KINDS, generate_release
from indexer.archive import ArchiveFile, discover, read_archive, reading_order

SEEDS = (2, 5, 11)
TWEETS = 25_000
TWEETS_FILE = "ira_tweets_csv_hashed.csv"

# One item of what the reader yields, in a form both paths give alike: ("row", file, line, tweetid) for a row
# read (by the fast path or not), ("reject", file, line, reason) for a reject.
Item = tuple[str, str, int, str]


@pytest.fixture(autouse=True)
def _fast_path_as_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test says whether it reads with the fast path; the caller's `TWEETSEARCH_NATIVE` does not apply."""
    monkeypatch.delenv("TWEETSEARCH_NATIVE", raising=False)


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{seed}" for seed in SEEDS])
def release(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp(f"release-{request.param}")
    summary = generate_release(folder, tweets=TWEETS, seed=request.param, malformed=20)
    return folder, json.loads(summary.ground_truth.read_text(encoding="utf-8"))


def items_of(read: Iterable[object]) -> Iterator[Item]:
    """The reader's output as `Item`s, each run of the fast path taken apart into its rows."""
    for item in read:
        if type(item) is EncodedTweets:
            for line, start, end in zip(item.lines, [0, *item.ends], item.ends, strict=False):
                action = orjson.loads(item.body[start:end].split(b"\n", 1)[0])
                yield ("row", item.source_file, line, action["index"]["_id"])
        elif type(item) is TweetRecord:
            yield ("row", item.source_file, item.line, item.tweetid)
        else:
            assert type(item) is Reject
            yield ("reject", item.file, item.line, item.reason)


def read_items(
    paths: Iterable[Path | ArchiveFile], monkeypatch: pytest.MonkeyPatch, *, native: bool, **options: object
) -> list[Item]:
    """Everything the reader gives for `paths`, read as a load reads, with the fast path on or off."""
    monkeypatch.setenv("TWEETSEARCH_NATIVE", "1" if native else "0")
    return list(items_of(read_archive(list(paths), encoded=True, **options)))  # type: ignore[arg-type]


def tweet_rejects(items: Iterable[Item]) -> list[tuple[str, int, str]]:
    return sorted((file, line, what) for kind, file, line, what in items if kind == "reject" and "_tweets" in file)


def truth_rejects(truth: dict) -> list[tuple[str, int, str]]:
    return sorted((bad["file"], bad["line"], bad["kind"]) for bad in truth["malformed"])


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_every_well_formed_tweet_is_read_and_only_the_damaged_rows_are_rejected(
    release: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch, native: bool
) -> None:
    folder, truth = release
    assert {bad["kind"] for bad in truth["malformed"]} == {*MALFORMED_KINDS, RejectReason.TRUNCATED_ROW}

    items = read_items([folder], monkeypatch, native=native)

    rows = [item for item in items if item[0] == "row"]
    assert len(rows) == truth["well_formed_tweets"] == truth["total_tweets"]
    assert len({tweetid for *_, tweetid in rows}) == len(rows)
    assert tweet_rejects(items) == truth_rejects(truth)


def test_the_fast_path_and_the_python_reader_agree_row_for_row(
    release: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = release
    assert read_items([folder], monkeypatch, native=True) == read_items([folder], monkeypatch, native=False)


def test_reading_from_every_resume_point_near_damage_gives_what_a_straight_read_gives(
    release: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resume re-reads a file after its last settled line: around a runaway quote (the damaged row, the rows
    after it and the lines of a multi-line tweet it would swallow), every line is a possible resume point. Each
    read goes over the file from its start, so the runaway quotes before a multi-line tweet are taken (the
    damage this is about), and the first one of each file."""
    folder, truth = release
    files = {file.display_name: file for file in discover([folder])}
    straight = {name: read_items([files[name]], monkeypatch, native=True) for name in files if "_tweets" in name}
    runaways = [bad for bad in truth["malformed"] if bad["kind"] == RejectReason.RUNAWAY_QUOTE]
    chosen = []
    for bad in runaways:
        name, line = bad["file"], bad["line"]
        follows = [item[2] for item in straight[name] if item[2] > line][:3] + [line + 4] * 3
        multi_line = follows[1] - follows[0] > 1 or follows[2] - follows[1] > 1
        if multi_line or all(other["file"] != name for other in chosen):
            chosen.append({"file": name, "line": line, "last": follows[2]})
    assert any(bad["last"] - bad["line"] > 3 for bad in chosen), "a runaway quote before a multi-line tweet"
    for bad in chosen:
        name, line, last = bad["file"], bad["line"], bad["last"]
        for skip in range(line - 1, last + 1):
            want = [item for item in straight[name] if skip < item[2] <= last + 5]
            for native in (True, False):
                monkeypatch.setenv("TWEETSEARCH_NATIVE", "1" if native else "0")
                resumed = read_archive([files[name]], skip_lines={name: skip}, encoded=True)
                got = []
                for item in items_of(resumed):
                    if item[2] > last + 5:
                        break
                    got.append(item)
                assert got == want, (name, line, skip, native)


def test_a_load_indexes_every_well_formed_tweet(cli, es, alias: str, tmp_path: Path) -> None:
    folder = tmp_path / "release"
    summary = generate_release(folder, tweets=TWEETS, seed=SEEDS[0], malformed=20)
    truth = json.loads(summary.ground_truth.read_text(encoding="utf-8"))
    rejects = tmp_path / "rejects.jsonl"

    result = cli("index", str(folder), "--rejects", str(rejects), "--json")

    assert result.exit_code == 0, result.stderr
    loaded = orjson.loads(result.stdout)
    assert loaded["reconciled"] and loaded["count_matches"]
    assert loaded["indexed"] == truth["well_formed_tweets"]
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == truth["well_formed_tweets"]
    written = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert sorted((reject["file"], reject["line"], reject["reason"]) for reject in written) == truth_rejects(truth)


@pytest.mark.parametrize("stop_after", [-2, 0, 1], ids=["before", "at", "after"])
def test_a_load_stopped_next_to_damage_resumes_to_every_well_formed_tweet(
    es, alias: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop_after: int
) -> None:
    """A load stopped (as by Ctrl-C) once its checkpoint reaches a runaway quote before a multi-line tweet, give or
    take a line or two, resumes to the same books as a load never stopped."""
    from common.errors import LoadInterrupted
    from indexer.bulk import BulkOptions
    from indexer.loader import LoadOptions, load_archive

    folder = tmp_path / "release"
    summary = generate_release(folder, tweets=2_000, seed=SEEDS[0], malformed=10)
    truth = json.loads(summary.ground_truth.read_text(encoding="utf-8"))
    order = [file.display_name for file in reading_order(discover([folder]))]
    lines = {name: (folder / name).read_bytes().split(b"\n") for name in order}
    damage = min(
        (
            bad
            for bad in truth["malformed"]
            if bad["kind"] == RejectReason.RUNAWAY_QUOTE and lines[bad["file"]][bad["line"]].count(b'"') % 2
        ),  # the row after it spans lines (its first line leaves a quoted field open)
        key=lambda bad: (order.index(bad["file"]), bad["line"]),
    )
    name, line = damage["file"], damage["line"]
    options = LoadOptions(rejects_path=tmp_path / "rejects.jsonl", bulk=BulkOptions(chunk_docs=2, in_flight=1))
    own_alias = f"{alias}-stopped{stop_after + 2}"

    def stop_next_to_the_damage(progress: object) -> None:
        settled = orjson.loads(options.checkpoint.read_bytes())["lines"].get(name, 0)
        if settled >= line + stop_after:
            raise KeyboardInterrupt

    with pytest.raises(LoadInterrupted):
        load_archive(es, own_alias, [folder], options, on_progress=stop_next_to_the_damage)
    settled = orjson.loads(options.checkpoint.read_bytes())["lines"][name]
    assert line + stop_after <= settled <= line + stop_after + 6
    resumed = load_archive(es, own_alias, [folder], replace(options, resume=True, bulk=BulkOptions()))

    assert resumed.reconciled and resumed.count_matches
    assert resumed.index_count == resumed.indexed == truth["well_formed_tweets"]
    assert resumed.rows_read == truth["well_formed_tweets"] + len(truth["malformed"])
    written = [orjson.loads(line) for line in options.rejects_path.read_bytes().splitlines()]
    assert sorted((reject["file"], reject["line"], reject["reason"]) for reject in written) == truth_rejects(truth)


# --- the rule, on hand-made files -------------------------------------------------------------------------------


def row(**changes: str) -> bytes:
    """One 2018-style data row (several physical lines when a field has newlines)."""
    return quoted_csv([ira_row(**changes)]).encode().split(b"\n", 1)[1]


def runaway(tweetid: str = "999") -> bytes:
    """A row whose screen name lost its closing quote: its quoted field never closes."""
    return row(tweetid=tweetid).replace(b'"Jenn_Abrams",', b'"Jenn_Abrams,', 1)


def tweets_file(tmp_path: Path, *rows: bytes, name: str = TWEETS_FILE) -> Path:
    """A tweets file holding `rows` after the header (line 1): the first starts on line 2."""
    data = quoted_csv([], TWEET_COLUMNS).encode() + b"".join(rows)
    if name.endswith(".gz"):
        return write(tmp_path / name, gzip.compress(data))
    return write(tmp_path / name, data)


def both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Item]:
    """What the reader gives for `path`, the same with and without the fast path, from every resume point."""
    items = read_items([path], monkeypatch, native=False)
    assert read_items([path], monkeypatch, native=True) == items
    lines = path.read_bytes().count(b"\n") + 2 if path.suffix != ".gz" else 0
    for skip in range(lines):
        want = [item for item in items if item[2] > skip]
        for native in (True, False):
            assert read_items([path], monkeypatch, native=native, skip_lines={path.name: skip}) == want, skip
    return items


def test_a_multi_line_tweet_right_after_a_runaway_quote_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    multi = row(tweetid="555", tweet_text="first\nsecond\nthird")
    path = tweets_file(tmp_path, row(tweetid="1"), runaway(), multi, row(tweetid="2"))

    items = both_ways(path, monkeypatch)

    assert items == [
        ("row", TWEETS_FILE, 2, "1"),
        ("reject", TWEETS_FILE, 3, RejectReason.RUNAWAY_QUOTE),
        ("row", TWEETS_FILE, 4, "555"),
        ("row", TWEETS_FILE, 7, "2"),
    ]


def test_a_multi_line_tweet_whose_text_holds_a_row_is_one_tweet_after_damage_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tweet's text can hold a line that is a whole row by itself (a pasted row of the archive). Read straight,
    the tweet is one row; right after a runaway quote too: the earliest well-formed row wins, and the line inside
    it is part of its text."""
    inner = row(tweetid="777").rstrip(b"\n").decode().replace('"', '""')
    multi = row(tweetid="555", tweet_text=f"pasted:\n{inner}\nend")
    straight = both_ways(tweets_file(tmp_path, multi, row(tweetid="2")), monkeypatch)
    assert straight == [("row", TWEETS_FILE, 2, "555"), ("row", TWEETS_FILE, 5, "2")]

    after = tmp_path / "after"
    after.mkdir()
    items = both_ways(tweets_file(after, runaway(), multi, row(tweetid="2")), monkeypatch)

    assert items == [
        ("reject", TWEETS_FILE, 2, RejectReason.RUNAWAY_QUOTE),
        ("row", TWEETS_FILE, 3, "555"),
        ("row", TWEETS_FILE, 6, "2"),
    ]


@pytest.mark.parametrize(
    "damaged",
    [
        row(tweetid="3", tweet_time="yesterday"),
        row(tweetid="3", tweet_text="nul X").replace(b"X", b"\x00"),
        row(tweetid="3", tweet_text="bad <ff> byte").replace(b"<ff>", b"\xff"),
        row(tweetid="3").replace(b'"Jenn_Abrams",', b"", 1),
    ],
    ids=["bad_date", "nul_byte", "bad_utf8", "wrong_field_count"],
)
def test_a_damaged_row_between_a_runaway_quote_and_a_multi_line_tweet_keeps_its_own_reject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damaged: bytes
) -> None:
    multi = row(tweetid="555", tweet_text="first\nsecond")
    path = tweets_file(tmp_path, runaway(), damaged, multi, row(tweetid="2"))

    items = both_ways(path, monkeypatch)

    assert [item[:3] for item in items] == [
        ("reject", TWEETS_FILE, 2),
        ("reject", TWEETS_FILE, 3),
        ("row", TWEETS_FILE, 4),
        ("row", TWEETS_FILE, 6),
    ]
    assert items[0][3] == RejectReason.RUNAWAY_QUOTE
    assert [item[3] for item in items[2:]] == ["555", "2"]


def test_a_runaway_quote_before_a_multi_line_tweet_at_the_end_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    multi = row(tweetid="555", tweet_text="first\nsecond").rstrip(b"\n")
    items = both_ways(tweets_file(tmp_path, row(tweetid="1"), runaway(), multi), monkeypatch)

    assert items == [
        ("row", TWEETS_FILE, 2, "1"),
        ("reject", TWEETS_FILE, 3, RejectReason.RUNAWAY_QUOTE),
        ("row", TWEETS_FILE, 4, "555"),
    ]


def test_a_damaged_multi_line_row_that_no_row_follows_is_one_reject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines that do not split, where no well-formed row starts after the first, are one damaged row."""
    broken = row(tweetid="3", tweet_text="two\nlines").replace(b'"Jenn_Abrams",', b"", 1)
    items = both_ways(tweets_file(tmp_path, row(tweetid="1"), broken, row(tweetid="2")), monkeypatch)

    assert items == [
        ("row", TWEETS_FILE, 2, "1"),
        ("reject", TWEETS_FILE, 3, RejectReason.WRONG_FIELD_COUNT),
        ("row", TWEETS_FILE, 5, "2"),
    ]


def test_a_compressed_file_damaged_where_the_reader_looks_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking past a runaway quote for the end of a multi-line tweet can reach the damage of a gzip file: the
    damage is reported where it is, as a straight read reports it, and nothing before it is lost."""
    multi = row(tweetid="555", tweet_text="first\n" + "long second line " * 400 + "\nthird")
    data = gzip.compress(quoted_csv([], TWEET_COLUMNS).encode() + row(tweetid="1") + runaway() + multi)
    path = write(tmp_path / (TWEETS_FILE + ".gz"), data[: len(data) - 30])

    for native in (True, False):  # (the two read a damaged stream in blocks of different sizes: compared apart)
        items = read_items([path], monkeypatch, native=native)

        assert items[0] == ("row", TWEETS_FILE + ".gz", 2, "1")
        assert items[1] == ("reject", TWEETS_FILE + ".gz", 3, RejectReason.RUNAWAY_QUOTE)
        assert items[-1][::3] == ("reject", RejectReason.TRUNCATED_ROW)
        assert all(item[0] == "reject" for item in items[1:])


def test_a_runaway_quote_right_before_a_truncated_last_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The open quotes of the two close each other; still, each is its own damaged row, reported on its line."""
    cut = row(tweetid="6", tweet_text="the file ends inside this tweet")[:-60]
    items = both_ways(tweets_file(tmp_path, row(tweetid="1"), runaway(), cut), monkeypatch)

    assert items == [
        ("row", TWEETS_FILE, 2, "1"),
        ("reject", TWEETS_FILE, 3, RejectReason.RUNAWAY_QUOTE),
        ("reject", TWEETS_FILE, 4, RejectReason.TRUNCATED_ROW),
    ]
