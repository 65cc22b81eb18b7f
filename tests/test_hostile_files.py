"""Input files that cost more than they weigh, or lead somewhere else, and the files a load leaves behind.

- a zip of thousands of members is opened once (not once per member: that was quadratic);
- the rejects file is bounded: `--max-rejects` stops a load or a dry run that rejects more rows, with one line
  whose books balance, and each record's text is cut; a small gzip that unpacks to endless bad rows stops there;
- a symbolic link inside a folder or among a glob's matches is not followed (and is listed), one named on the
  command line is;
- file names reach the terminal neutralised and never as markup; the rejects file escapes C1 and bidi controls
  and any JSON reader gives back the exact text;
- a checkpoint changed by hand (another index, other settings, fields of the wrong type) is refused on `--resume`
  before anything is done; the checkpoint and the rejects file are rewritten through temporary files no one can
  foresee, so a link planted at the old fixed names is never written through.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import orjson
import pytest
from archive_samples import USER_COLUMNS, ira_row, numbered_rows, quoted_csv, user_row, write, write_gzip, write_zip
from servers import ROOT

from common.errors import CheckpointError, OutputFailed, TooManyRejects
from common.records import Reject, RejectReason
from indexer.archive import OpenZips, discover, find_archives, open_binary
from indexer.checkpoint import Checkpoint
from indexer.loader import LoadOptions, LoadProgress, validate_archive
from indexer.rejects import (
    MAX_DETAIL_BYTES,
    MAX_RAW_BYTES,
    MAX_REJECTS,
    RejectsWriter,
    clip_text,
    prune_rejects,
    read_rejects,
    reject_json,
)

TWEETS = "ira_tweets_csv_hashed.csv"
SECRET = "root:x:0:0:the secret first bytes of a file outside the folder\n"


def rejects_in(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class CountingZipFile(zipfile.ZipFile):
    """`zipfile.ZipFile`, counting how often one is opened for reading."""

    opened = 0

    def __init__(self, file, mode="r", *args, **kwargs) -> None:
        if mode == "r":
            CountingZipFile.opened += 1
        super().__init__(file, mode, *args, **kwargs)


@pytest.fixture
def count_zip_openings(monkeypatch: pytest.MonkeyPatch) -> type[CountingZipFile]:
    CountingZipFile.opened = 0
    monkeypatch.setattr(zipfile, "ZipFile", CountingZipFile)
    return CountingZipFile


# --- a zip of many members --------------------------------------------------------------------------------------


def test_a_zip_of_thousands_of_members_is_opened_once_to_find_them_and_once_to_read_them(
    tmp_path: Path, count_zip_openings: type[CountingZipFile]
) -> None:
    members = 3_000
    path = write_zip(
        tmp_path / "ira.zip",
        {f"ira_tweets_csv_hashed_{n}.csv": quoted_csv(numbered_rows(1, start=1_000 + n)) for n in range(members)},
    )
    count_zip_openings.opened = 0  # (writing it opened none for reading)

    summary = validate_archive([path], tmp_path / "rejects.jsonl")

    assert (summary.rows_read, summary.indexed, summary.rejected) == (members, members, 0)
    assert len(summary.files) == members
    assert count_zip_openings.opened == 2  # discovery (every header), then reading: not once per member


def test_the_line_counter_and_a_member_read_alone_open_the_zip_once(
    tmp_path: Path, count_zip_openings: type[CountingZipFile]
) -> None:
    from indexer.progress import LineCounter

    path = write_zip(
        tmp_path / "ira.zip", {f"ira_tweets_csv_hashed_{n}.csv": quoted_csv(numbered_rows(2)) for n in range(50)}
    )
    files = discover([path])
    count_zip_openings.opened = 0

    counter = LineCounter(files)
    deadline = time.monotonic() + 60
    while counter.total is None and time.monotonic() < deadline:
        time.sleep(0.01)
    with OpenZips() as zips:
        for file in files[:10]:
            with open_binary(file, zips) as stream:
                stream.read()
    with open_binary(files[0]) as stream:  # without a shared one: this member alone
        stream.read()

    assert counter.total == 50 * 3
    assert count_zip_openings.opened == 3


# --- the rejects file's bounds ----------------------------------------------------------------------------------


def rows_of(rows: list[dict[str, str]]) -> str:
    """The rows as `quoted_csv` writes them, without its header: to follow other lines of a file."""
    return quoted_csv(rows).split("\n", 1)[1]


def junk_lines(count: int) -> str:
    """`count` rows with one field where the header has many: each one a reject."""
    return "".join(f"junk {n}\n" for n in range(count))


def test_a_dry_run_stops_past_max_rejects_saying_the_file_is_not_an_archive(cli, tmp_path: Path) -> None:
    folder = tmp_path / "release"
    write(folder / TWEETS, quoted_csv(numbered_rows(5)) + junk_lines(500) + rows_of(numbered_rows(5)))
    rejects = tmp_path / "rejects.jsonl"

    result = cli("index", str(folder), "--dry-run", "--rejects", str(rejects), "--max-rejects", "100")

    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {TWEETS} is not a tweets archive: more than 100 rows rejected (the last on line")
    assert "line 107: wrong_field_count); stopped after 106 rows read = 5 valid + 101 rejected" in line
    assert "--max-rejects" in line and "Traceback" not in result.stderr
    assert len(rejects_in(rejects)) == 101  # the bound, and the one past it


def test_the_default_bound_is_the_librarys_and_well_above_what_releases_plant() -> None:
    from search_cli.commands.index import MAX_REJECTS as COMMAND_DEFAULT
    from search_cli.commands.index import index

    assert inspect.signature(index).parameters["max_rejects"].default == COMMAND_DEFAULT == MAX_REJECTS
    assert LoadOptions().max_rejects == MAX_REJECTS
    assert MAX_REJECTS >= 100 * 60 * 7  # `generate --malformed 60`, the most any test plants, 100 times over


def test_a_small_gzip_of_endless_bad_rows_stops_at_the_default_bound(tmp_path: Path) -> None:
    content = quoted_csv([]) + "x\n" * 500_000  # 1 MB unpacked
    path = write_gzip(tmp_path / "ira_tweets_csv_hashed.csv.gz", content)
    rejects = tmp_path / "rejects.jsonl"
    assert path.stat().st_size < 4_000

    with pytest.raises(TooManyRejects, match=f"more than {MAX_REJECTS:,} rows rejected"):
        validate_archive([path], rejects)

    assert sum(1 for _ in rejects.open(encoding="utf-8")) == MAX_REJECTS + 1
    assert rejects.stat().st_size < (MAX_REJECTS + 1) * 200


def test_a_load_stops_past_max_rejects_with_its_books_and_resumes_with_a_higher_bound(cli, es, alias, tmp_path):
    folder = tmp_path / "release"
    good = numbered_rows(30, start=5_000)
    write(folder / TWEETS, quoted_csv(good[:10]) + junk_lines(40) + rows_of(good[10:]))
    write(folder / "iranian_tweets_csv_hashed.csv", quoted_csv(numbered_rows(10, start=7_000)))
    rejects = tmp_path / "rejects.jsonl"
    env = {"TWEETSEARCH_ALIAS": f"{alias}-bound"}
    load = ("index", str(folder), "--rejects", str(rejects), "--batch-size", "4", "--in-flight", "1")

    stopped = cli(*load, "--max-rejects", "25", env=env)

    assert stopped.exit_code == 2, stopped.stderr
    (line,) = stopped.stderr.strip().splitlines()
    assert f"{TWEETS} is not a tweets archive: more than 25 rows rejected" in line
    assert "stopped after 36 rows read = 10 indexed + 26 rejected" in line and "--resume" in line
    (index,) = es.indices.get_alias(name=f"{alias}-bound").body
    es.indices.refresh(index=index)
    assert es.count(index=index).body["count"] == 10
    flat = es.indices.get_settings(index=index, flat_settings=True).body[index]["settings"]
    assert flat.get("index.refresh_interval") != "-1", "the index's settings are put back"

    resumed = cli(*load, "--resume", "--max-rejects", "1000", "--json", env=env)

    assert resumed.exit_code == 0, resumed.stderr
    summary = orjson.loads(resumed.stdout)
    assert (summary["rows_read"], summary["indexed"], summary["rejected"]) == (80, 40, 40)
    assert summary["reconciled"] and summary["count_matches"] and summary["index_count"] == 40
    assert sorted(entry["line"] for entry in rejects_in(rejects)) == list(range(12, 52))


def test_a_resumed_load_counts_the_rejects_it_kept_against_the_bound(es, alias, tmp_path):
    from indexer.bulk import BulkOptions
    from indexer.loader import load_archive

    folder = tmp_path / "release"
    write(folder / TWEETS, quoted_csv(numbered_rows(8, start=9_000)) + junk_lines(30))
    rejects = tmp_path / "rejects.jsonl"
    options = LoadOptions(rejects_path=rejects, bulk=BulkOptions(chunk_docs=2, in_flight=1))
    own = f"{alias}-kept"
    summary = load_archive(es, own, [folder], options)
    assert summary.rejected == 30
    # Pretend it was interrupted with the first 10 of its rejects settled (lines 10-19), 20 more to read.
    Checkpoint(index=summary.index, alias=own, inputs=[TWEETS], fresh_index=False, count_before=0,
               lines={TWEETS: 19}, rows_read=18, indexed=8, created=8).save(options.checkpoint)  # fmt: skip

    # 20 more rejects are within a bound of 20, but not with the 10 the file keeps
    with pytest.raises(TooManyRejects, match="more than 20 rows rejected"):
        load_archive(es, own, [folder], LoadOptions(rejects_path=rejects, resume=True, max_rejects=20))
    finished = load_archive(es, own, [folder], LoadOptions(rejects_path=rejects, resume=True, max_rejects=30))

    assert (finished.rows_read, finished.indexed, finished.rejected) == (38, 8, 30)


def test_each_reject_keeps_a_bounded_text_and_says_it_was_cut() -> None:
    row = "\x01" * 70_000  # each one an escape of six bytes in JSON
    detail = "the server says: " + "é" * 5_000 + " caused by: immense term"  # the cause last

    line = reject_json(Reject(TWEETS, 7, RejectReason.SERVER_REJECTED, detail, row))

    entry = json.loads(line)
    assert len(line.encode()) <= MAX_RAW_BYTES + MAX_DETAIL_BYTES + 200
    assert entry["raw"].endswith("… [cut: 70,000 bytes in all]") and entry["raw"].startswith("\x01")
    assert entry["detail"].startswith("the server says: éé") and entry["detail"].endswith("éé caused by: immense term")
    assert f"… [cut: {len(detail.encode()):,} bytes in all] …" in entry["detail"]
    assert clip_text(entry["detail"], MAX_DETAIL_BYTES, middle=True) == entry["detail"]
    assert clip_text(entry["raw"], MAX_RAW_BYTES) == entry["raw"], "clipping twice changes nothing"
    assert clip_text("short", MAX_RAW_BYTES) == "short"


def test_a_long_row_is_cut_in_its_reject_with_its_full_length(tmp_path: Path) -> None:
    huge = '"1","' + "x" * 50_000 + '"\n'
    write(tmp_path / TWEETS, quoted_csv(numbered_rows(1)) + huge)

    with pytest.raises(TooManyRejects):
        validate_archive([tmp_path], tmp_path / "r.jsonl", max_rejects=0)

    (entry,) = rejects_in(tmp_path / "r.jsonl")
    assert entry["raw"].endswith(f"… [cut: {len(huge) - 1:,} bytes in all]")  # (its line end aside)
    assert len(entry["raw"].encode()) <= MAX_RAW_BYTES


# --- symbolic links ---------------------------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the folders given: what a planted link leads to."""
    return write(tmp_path / "elsewhere" / "passwd", SECRET)


def test_a_link_inside_a_folder_is_not_followed_and_is_listed(cli, tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "release"
    write(folder / TWEETS, quoted_csv(numbered_rows(3)))
    (folder / "leak_tweets.csv").symlink_to(outside)
    (folder / "more").symlink_to(outside.parent, target_is_directory=True)

    found = find_archives([folder])
    result = cli("index", str(folder), "--dry-run", "--rejects", str(tmp_path / "r.jsonl"))

    assert [file.display_name for file in found.files] == [TWEETS]
    assert found.skipped_links == [folder / "leak_tweets.csv", folder / "more"]
    assert result.exit_code == 0, result.stderr
    assert "the secret" not in result.stderr + result.stdout
    assert "2 symbolic links inside folders or among a pattern's matches, not followed" in result.stderr
    assert "leak_tweets.csv" in result.stderr


def test_a_link_among_a_globs_matches_or_on_its_way_is_not_followed(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "release"
    write(folder / TWEETS, quoted_csv(numbered_rows(3)))
    (folder / "leak_tweets.csv").symlink_to(outside)
    write(tmp_path / "other" / "iranian_tweets_csv_hashed.csv", quoted_csv(numbered_rows(2)))
    (folder / "sub").symlink_to(tmp_path / "other", target_is_directory=True)

    flat = find_archives([str(folder / "*.csv")])
    deep = find_archives([str(folder / "**" / "*.csv")])

    assert [file.display_name for file in flat.files] == [TWEETS]
    assert flat.skipped_links == [folder / "leak_tweets.csv"]
    assert [file.display_name for file in deep.files] == [TWEETS]
    assert deep.skipped_links == [folder / "leak_tweets.csv", folder / "sub"]


def test_a_link_named_on_the_command_line_is_followed(tmp_path: Path) -> None:
    real = write(tmp_path / "downloads" / "real.csv", quoted_csv(numbered_rows(3)))
    link = tmp_path / TWEETS
    link.symlink_to(real)

    found = find_archives([link])
    summary = validate_archive([link], tmp_path / "r.jsonl")

    assert [file.display_name for file in found.files] == [TWEETS] and found.skipped_links == []
    assert summary.rows_read == summary.indexed == 3


def test_a_users_file_beside_a_tweets_file_is_not_read_through_a_link(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "release"
    tweets = write(folder / TWEETS, quoted_csv(numbered_rows(2)))
    write(tmp_path / "elsewhere" / "users.csv", quoted_csv([user_row()], USER_COLUMNS))
    (folder / "ira_users_csv_hashed.csv").symlink_to(tmp_path / "elsewhere" / "users.csv")

    found = find_archives([tweets])

    assert [file.display_name for file in found.files] == [TWEETS]
    assert found.skipped_links == [folder / "ira_users_csv_hashed.csv"]


# --- names and text on the terminal and in the rejects file -----------------------------------------------------

HOSTILE_NAME = "ira_tweets_[bold red]x[blink]\x1b[2J\u202e.csv"  # (no slash: a name holds none)


def test_file_names_in_the_summary_are_neutralised_and_never_markup(cli, tmp_path: Path) -> None:
    folder = tmp_path / "release"
    write(folder / HOSTILE_NAME, quoted_csv(numbered_rows(2)) + "bad row\n")
    rejects = tmp_path / "r[link=x]j[blink].jsonl"

    result = cli("index", str(folder), "--dry-run", "--rejects", str(rejects))

    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "ira_tweets_[bold red]x[blink]␛[2J<U+202E>.csv" in result.stderr
    assert "r[link=x]j[blink].jsonl" in result.stderr


def test_the_progress_line_neutralises_the_file_name() -> None:
    from search_cli.render.load import progress_line

    line = progress_line(LoadProgress(rows_read=1, indexed=1, rejected=0, current_file=HOSTILE_NAME, elapsed=1.0))

    assert line.endswith("— ira_tweets_[bold red]x[blink]␛[2J<U+202E>.csv")


def test_a_name_that_is_not_utf8_is_shown_with_its_bytes_and_fits_every_output(cli, tmp_path: Path) -> None:
    folder = tmp_path / "release"
    folder.mkdir()
    name = os.fsdecode(b"ira_tweets_\xff.csv")
    write(folder / name, quoted_csv(numbered_rows(2)) + "bad\n")
    rejects = tmp_path / "r.jsonl"

    result = cli("index", str(folder), "--dry-run", "--json", "--rejects", str(rejects))

    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["files"] == ["ira_tweets_\\xff.csv"]
    assert [entry["file"] for entry in rejects_in(rejects)] == ["ira_tweets_\\xff.csv"]


def test_the_rejects_file_escapes_c1_and_bidi_controls_and_gives_back_the_exact_text(tmp_path: Path) -> None:
    raw = 'x\x9b2J \u202eevil\u202c \x85 \x7f \u2028 \x1b[31m "q" ok ✓ ناخدا'
    reject = Reject("a\u2066b.csv", 3, RejectReason.BAD_DATE, "tweet_time: \x9b", raw)
    path = tmp_path / "r.jsonl"

    with RejectsWriter(path) as writer:
        writer.write(reject)

    data = path.read_bytes()
    for control in ("\x9b", "\u202e", "\u202c", "\x85", "\x7f", "\u2028", "\u2066", "\x1b"):
        assert control.encode() not in data
    assert b"\\u009b" in data and b"\\u202e" in data
    assert "ok ✓ ناخدا".encode() in data, "printable text in any script stays as it is"
    assert list(read_rejects(path)) == [reject]
    assert orjson.loads(data) == json.loads(data)  # any JSON reader


def test_a_reject_row_with_c1_controls_read_from_an_archive_is_escaped(tmp_path: Path) -> None:
    row = ira_row(tweetid="77", tweet_time="\x9b\u202enot a date")
    write(tmp_path / TWEETS, quoted_csv([row]))

    validate_archive([tmp_path], tmp_path / "r.jsonl")

    data = (tmp_path / "r.jsonl").read_bytes()
    assert "\x9b".encode() not in data and "\u202e".encode() not in data
    (entry,) = rejects_in(tmp_path / "r.jsonl")
    assert "\x9b\u202enot a date" in entry["raw"]


# --- checkpoints and temporary files ----------------------------------------------------------------------------


@pytest.fixture
def stopped_load(es, alias, tmp_path: Path) -> dict:
    """A load interrupted once its rejects are written, with its checkpoint left for a resume."""
    from common.errors import LoadInterrupted
    from indexer.bulk import BulkOptions
    from indexer.loader import load_archive

    folder = tmp_path / "release"
    write(folder / TWEETS, quoted_csv(numbered_rows(6, start=3_000)) + junk_lines(5) + rows_of(numbered_rows(4)))
    rejects = tmp_path / "rejects.jsonl"
    own = f"{alias}-cp-{tmp_path.name[-12:].lower().replace('_', '-')}"
    options = LoadOptions(rejects_path=rejects, bulk=BulkOptions(chunk_docs=2, in_flight=1))

    def stop_after_the_rejects(progress: LoadProgress) -> None:
        if progress.rejected:
            raise KeyboardInterrupt

    with pytest.raises(LoadInterrupted):
        load_archive(es, own, [folder], options, on_progress=stop_after_the_rejects)
    assert options.checkpoint.exists() and len(rejects_in(rejects)) == 5
    load = ("index", str(folder), "--rejects", str(rejects), "--batch-size", "2", "--in-flight", "1")
    return {"load": load, "env": {"TWEETSEARCH_ALIAS": own}, "checkpoint": options.checkpoint, "rejects": rejects}


def tamper(checkpoint: Path, **changes: object) -> None:
    fields = orjson.loads(checkpoint.read_bytes())
    fields.update(changes)
    checkpoint.write_bytes(orjson.dumps(fields))


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"restore_settings": {"blocks.read_only": "true"}}, "it would restore blocks.read_only"),
        ({"restore_settings": {"refresh_interval": "1s", "merge.policy.max_merge_at_once": "x"}}, "to 'x'"),
        ({"restore_settings": {"refresh_interval": {"a": 1}}}, "restore_settings is not a map"),
        ({"indexed": "10"}, "indexed is not a count"),
        ({"fresh_index": 1}, "fresh_index is not true or false"),
        ({"lines": {"/etc/passwd": 3}}, "names files that are not among its inputs"),
        ({"surprise": 1}, "unknown fields surprise"),
        ({"indexed": 10**6}, "more tweets stored than read"),
    ],
    ids=["unknown-setting", "bad-value", "setting-type", "count-type", "flag-type", "stranger", "unknown", "books"],
)
def test_a_checkpoint_changed_by_hand_is_refused_before_anything_is_done(cli, es, stopped_load, changes, why):
    checkpoint, rejects = stopped_load["checkpoint"], stopped_load["rejects"]
    tamper(checkpoint, **changes)
    before = (checkpoint.read_bytes(), rejects.read_bytes())
    (index,) = es.indices.get_alias(name=stopped_load["env"]["TWEETSEARCH_ALIAS"]).body
    settings = es.indices.get_settings(index=index, flat_settings=True).body[index]["settings"]

    result = cli(*stopped_load["load"], "--resume", env=stopped_load["env"])

    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "is not one" in line and why in line and "run the load without --resume" in line
    assert (checkpoint.read_bytes(), rejects.read_bytes()) == before
    assert es.indices.get_settings(index=index, flat_settings=True).body[index]["settings"] == settings


def test_a_checkpoint_naming_another_index_is_refused_and_that_index_left_alone(cli, es, alias, stopped_load):
    other = f"{alias}-someone-elses"
    es.options(ignore_status=400).indices.create(index=other, settings={"refresh_interval": "7s"})
    tamper(stopped_load["checkpoint"], index=other, fresh_index=True, restore_settings={"refresh_interval": "-1"})

    result = cli(*stopped_load["load"], "--resume", env=stopped_load["env"])

    assert result.exit_code == 2, result.stderr
    assert f"its index {other} is neither a version of the alias" in result.stderr
    flat = es.indices.get_settings(index=other, flat_settings=True).body[other]["settings"]
    assert flat["index.refresh_interval"] == "7s" and es.count(index=other).body["count"] == 0


def test_an_untouched_checkpoint_resumes(cli, es, stopped_load):
    result = cli(*stopped_load["load"], "--resume", "--json", env=stopped_load["env"])

    assert result.exit_code == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert (summary["rows_read"], summary["indexed"], summary["rejected"]) == (15, 10, 5)


def test_an_unreadable_checkpoint_or_one_not_an_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    for content in (b"{not json", b"[1, 2]", b'{"index": "x"}'):
        path.write_bytes(content)
        with pytest.raises(CheckpointError, match="run the load without --resume"):
            Checkpoint.load(path)


def test_the_checkpoint_is_not_written_through_a_link_at_its_old_temporary_name(tmp_path: Path) -> None:
    victim = write(tmp_path / "victim.txt", "keep me\n")
    path = tmp_path / "r.jsonl.checkpoint.json"
    (tmp_path / "r.jsonl.checkpoint.json.tmp").symlink_to(victim)
    state = Checkpoint(index="tweets-v1", alias="tweets", inputs=[TWEETS], fresh_index=True, count_before=0)

    state.save(path)
    state.indexed = state.rows_read = 5
    state.save(path)

    assert victim.read_text() == "keep me\n"
    assert Checkpoint.load(path) == state and not path.is_symlink()
    left = sorted(entry.name for entry in tmp_path.iterdir())
    assert left == ["r.jsonl.checkpoint.json", "r.jsonl.checkpoint.json.tmp", "victim.txt"]  # no temporary file


def test_pruning_the_rejects_is_not_written_through_a_link_at_its_old_temporary_name(tmp_path: Path) -> None:
    victim = write(tmp_path / "victim.txt", "keep me\n")
    path = tmp_path / "r.jsonl"
    with RejectsWriter(path) as writer:
        for line in (3, 9):
            writer.write(Reject(TWEETS, line, RejectReason.BAD_DATE, "", "x"))
    path.chmod(0o640)
    (tmp_path / "r.jsonl.tmp").symlink_to(victim)

    assert prune_rejects(path, {TWEETS: 5}) == 1

    assert victim.read_text() == "keep me\n"
    assert [reject.line for reject in read_rejects(path)] == [3]
    assert path.stat().st_mode & 0o777 == 0o640, "the rewritten file keeps its mode"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["r.jsonl", "r.jsonl.tmp", "victim.txt"]


def test_the_rejects_file_is_not_appended_to_through_a_link(tmp_path: Path) -> None:
    victim = write(tmp_path / "victim.txt", "keep me\n")
    path = tmp_path / "r.jsonl"
    path.symlink_to(victim)

    with RejectsWriter(path) as writer, pytest.raises(OutputFailed, match="it is a symbolic link"):
        writer.write(Reject(TWEETS, 3, RejectReason.BAD_DATE, "", "x"))

    assert victim.read_text() == "keep me\n"


def test_a_rejects_file_that_is_not_one_is_refused_on_resume(tmp_path: Path) -> None:
    path = write(tmp_path / "r.jsonl", '{"file": "a.csv", "line": 3, "reason": "bad_date"}\n' + SECRET)

    with pytest.raises(CheckpointError, match="holds a line that is not a reject"):
        prune_rejects(path, {"a.csv": 5})

    assert path.read_text().endswith(SECRET)


def test_a_checkpoint_that_is_a_link_is_not_read_through(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl.checkpoint.json"
    path.symlink_to("/dev/zero")

    with pytest.raises(CheckpointError, match="unreadable \\(it is a symbolic link\\)"):
        Checkpoint.load(path)


def test_a_rejects_file_that_is_a_link_is_not_rewritten_on_resume(tmp_path: Path) -> None:
    victim = write(tmp_path / "victim.jsonl", '{"file": "a.csv", "line": 3, "reason": "bad_date"}\n')
    path = tmp_path / "r.jsonl"
    path.symlink_to(victim)

    with pytest.raises(OutputFailed, match="it is a symbolic link"):
        prune_rejects(path, {"a.csv": 5})

    assert path.is_symlink() and victim.read_text().startswith('{"file": "a.csv"')


# --- zips: what their members' names may hold ------------------------------------------------------------------


def test_a_members_name_that_would_escape_the_folder_is_only_a_name(tmp_path: Path) -> None:
    """Members are read from the zip as they stream and never written anywhere, so a name with `..` or a leading
    slash leads nowhere: it names the member in messages and rejects, as any other does."""
    path = write_zip(
        tmp_path / "in" / "ira.zip",
        {
            "../../escaped/ira_tweets_csv_hashed.csv": quoted_csv(numbered_rows(2)) + "bad\n",
            "/absolute/iranian_tweets_csv_hashed.csv": quoted_csv(numbered_rows(1, start=9)),
        },
    )

    summary = validate_archive([path], tmp_path / "r.jsonl")

    assert summary.files == [
        "ira.zip/../../escaped/ira_tweets_csv_hashed.csv",
        "ira.zip//absolute/iranian_tweets_csv_hashed.csv",
    ]
    assert (summary.rows_read, summary.indexed, summary.rejected) == (4, 3, 1)
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["in", "r.jsonl"]
    assert sorted(entry.name for entry in (tmp_path / "in").iterdir()) == ["ira.zip"]


def test_a_member_with_an_endless_name_is_refused(tmp_path: Path) -> None:
    from common.errors import ArchiveError

    path = write_zip(tmp_path / "ira.zip", {"a" * 5_000 + "_tweets.csv": quoted_csv(numbered_rows(1))})

    with pytest.raises(ArchiveError, match="a member's name is 5,011 characters long"):
        discover([path])


def test_the_zip_benchmark_prints_seconds_per_member_count() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_zip.py"), "--members", "20,40"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["shape", "members", "rows", "seconds", "ms/member"]
    assert [line.split()[:3] for line in lines[1:]] == [
        ["same", "20", "20"], ["same", "40", "40"], ["own", "20", "20"], ["own", "40", "40"]
    ]  # fmt: skip


def test_a_checkpoints_settings_are_checked_for_every_setting_a_load_changes() -> None:
    from indexer.loader import _SETTING_VALUES, LOADING_SETTINGS, _foreign_settings

    assert set(_SETTING_VALUES) == set(LOADING_SETTINGS)
    assert _foreign_settings({key: str(value) for key, value in LOADING_SETTINGS.items()}) is None
    assert _foreign_settings(dict.fromkeys(LOADING_SETTINGS)) is None  # the server's defaults
    assert _foreign_settings({"refresh_interval": "1s", "merge.policy.segments_per_tier": 10}) is None
