"""`tweetsearch export`: every matching tweet, exactly once, in the archive's own columns, and nothing left behind.

Expected rows come from the generated archive itself (read back with the archive reader) and from the
generator's ground truth, never from a previous run.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from elasticsearch import NotFoundError

from common.errors import ExportError, ExportIncomplete, UsageError
from common.records import TWEET_COLUMNS, TweetRecord
from indexer.archive import read_archive
from search.export import (
    csv_record,
    export_format_for,
    export_to_file,
    export_tweets,
)

# Fields that say where a document was loaded from, not what the tweet is: they differ after a re-load.
PROVENANCE = {"campaign", "source_file"}


class RecordingClient:
    """The real client, remembering every point in time opened, optionally dropping one hit of the first page."""

    def __init__(self, es: Any, *, drop_one: bool = False) -> None:
        self._es = es
        self.opened: list[str] = []
        self.drop_one = drop_one

    def open_point_in_time(self, **kwargs: Any) -> Any:
        answer = self._es.open_point_in_time(**kwargs)
        self.opened.append(answer["id"])
        return answer

    def search(self, **kwargs: Any) -> Any:
        answer = self._es.search(**kwargs)
        if self.drop_one and answer.body["hits"]["hits"]:
            answer.body["hits"]["hits"].pop()
            self.drop_one = False
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._es, name)


class FailingSink(io.BytesIO):
    """A sink whose disk fills up on its `fail_on`-th write."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.writes = 0
        self.fail_on = fail_on

    def write(self, data: Any) -> int:
        self.writes += 1
        if self.writes >= self.fail_on:
            raise OSError(28, "No space left on device")
        return super().write(data)


def pit_is_open(es: Any, pit_id: str) -> bool:
    try:
        es.search(pit={"id": pit_id}, size=0)
    except NotFoundError:
        return False
    return True


def no_partial_files(folder: Path) -> bool:
    return not [path for path in folder.iterdir() if path.name.endswith(".part")]


@pytest.fixture(scope="module")
def published(indexed_release) -> dict[str, TweetRecord]:
    """Every valid row of the generated archive, by tweetid, as the reader sees it."""
    records = (item for item in read_archive(indexed_release["folder"]) if isinstance(item, TweetRecord))
    return {record.tweetid: record for record in records}


@pytest.fixture(scope="module")
def exported_csv(cli, indexed_release, tmp_path_factory) -> dict[str, Any]:
    """Everything exported once through the CLI with the archive's bytes (`--raw-cells`), under a release-like name
    so it can be loaded again."""
    path = tmp_path_factory.mktemp("export") / "ira_tweets_csv_hashed.csv"
    result = cli("export", "-o", str(path), "--page-size", "700", "--raw-cells", "--json")
    assert result.exit_code == 0, result.stderr
    with path.open(newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    return {"path": path, "summary": orjson.loads(result.stdout), "header": header, "rows": rows}


def test_exporting_everything_writes_every_tweet_with_its_published_columns(exported_csv, indexed_release, published):
    truth = indexed_release["truth"]
    rows = exported_csv["rows"]
    ids = [row[0] for row in rows]

    assert exported_csv["summary"]["rows"] == exported_csv["summary"]["total"] == truth["total_tweets"]
    assert len(rows) == truth["total_tweets"]
    assert len(set(ids)) == len(ids)
    expected = {
        tweetid: [record.raw.get(column) or "" for column in TWEET_COLUMNS] for tweetid, record in published.items()
    }
    assert {row[0]: row for row in rows} == expected


def test_the_csv_header_is_the_archive_header_and_rows_run_oldest_first(exported_csv, indexed_release, published):
    with (indexed_release["folder"] / "ira_tweets_csv_hashed.csv").open(newline="", encoding="utf-8") as file:
        archive_header = next(csv.reader(file))
    times = [published[row[0]].tweet_time for row in exported_csv["rows"]]

    assert exported_csv["header"] == archive_header
    assert times == sorted(times)


def test_the_exported_csv_loads_again_as_the_same_tweets(cli, es, alias, exported_csv, tmp_path):
    again = f"{alias}-again"

    result = cli("--alias", again, "index", str(exported_csv["path"]), "--rejects", str(tmp_path / "r.jsonl"), "--json")

    summary = orjson.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert summary["indexed"] == exported_csv["summary"]["total"]
    assert summary["rejected"] == 0
    es.indices.refresh(index=again)

    def documents(name: str) -> dict[str, dict]:
        found = es.search(index=name, size=10000, query={"match_all": {}}).body["hits"]["hits"]
        return {hit["_id"]: {k: v for k, v in hit["_source"].items() if k not in PROVENANCE} for hit in found}

    assert documents(again) == documents(alias)


def test_the_default_export_differs_from_the_raw_one_only_by_a_quote_before_formula_cells(cli, exported_csv):
    result = cli("export", "-o", "-", "--page-size", "700")

    header, *rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    pairs = [zip(raw_row, row, strict=True) for raw_row, row in zip(exported_csv["rows"], rows, strict=True)]
    changed = [(raw, safe) for row in pairs for raw, safe in row if raw != safe]
    assert result.exit_code == 0, result.stderr
    assert header == exported_csv["header"]
    assert changed, "the generated archive has replies (@name …) and texts opening with a dash"
    assert all(safe == "'" + raw and raw.lstrip()[:1] in "=+-@" for raw, safe in changed)


def test_with_campaign_to_stdout_adds_a_leading_campaign_column(cli, indexed_release):
    truth = indexed_release["truth"]

    result = cli("export", "-o", "-", "--with-campaign")

    header, *rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert result.exit_code == 0, result.stderr
    assert header == ["campaign", *TWEET_COLUMNS]
    assert Counter(row[0] for row in rows) == {name: info["tweets"] for name, info in truth["campaigns"].items()}


def test_a_planted_hashtag_exports_to_jsonl_with_exactly_its_tweets(cli, indexed_release, tmp_path):
    tag = max(indexed_release["truth"]["hashtags"], key=lambda tag: tag["count"])
    path = tmp_path / "tag.jsonl"

    result = cli("export", f"#{tag['tag']}", "-o", str(path), "--page-size", "7")

    lines = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert result.exit_code == 0, result.stderr
    assert len(lines) == tag["count"]
    assert sorted(line["tweetid"] for line in lines) == sorted(tag["tweetids"])
    assert Counter(line["campaign"] for line in lines) == tag["campaigns"]
    assert all(line["raw"]["tweetid"] == line["tweetid"] for line in lines)
    # `lang` (the text again, under its language: kept in `_source` for the server's sake) is not for readers
    assert not any("lang" in line for line in lines)
    assert all(line["tweet_text"] == line["raw"]["tweet_text"] for line in lines if "tweet_text" in line)


def test_a_planted_url_exports_to_gzipped_csv(cli, indexed_release, tmp_path):
    url = max(indexed_release["truth"]["urls"], key=lambda url: url["count"])
    path = tmp_path / "links.csv.gz"

    result = cli("export", f"url:{url['url']}", "-o", str(path))

    header, *rows = list(csv.reader(io.StringIO(gzip.decompress(path.read_bytes()).decode(), newline="")))
    assert result.exit_code == 0, result.stderr
    assert sorted(row[0] for row in rows) == sorted(url["tweetids"])
    assert all(url["url"] in row[header.index("urls")] for row in rows)


def test_pages_smaller_than_the_total_give_every_row_once_and_close_the_point_in_time(es, alias, indexed_release):
    client = RecordingClient(es)
    sink = io.BytesIO()
    progress: list[tuple[int, int]] = []

    summary = export_tweets(
        client, alias, "", sink, fmt="jsonl", page_size=100, on_progress=lambda *p: progress.append(p)
    )

    ids = [orjson.loads(line)["tweetid"] for line in sink.getvalue().splitlines()]
    total = indexed_release["truth"]["total_tweets"]
    assert summary.rows == summary.total == len(ids) == len(set(ids)) == total
    assert progress[-1] == (total, total)
    assert len(progress) >= total // 100
    assert summary.pit_closed
    assert client.opened and not any(pit_is_open(es, pit_id) for pit_id in client.opened)


def test_an_interrupted_export_closes_its_point_in_time_and_leaves_the_old_file(es, alias, indexed_release, tmp_path):
    client = RecordingClient(es)
    target = tmp_path / "all.csv"
    target.write_bytes(b"the previous export\n")

    def interrupt(rows: int, total: int) -> None:
        if rows >= 200:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_to_file(client, alias, "", target, fmt="csv", page_size=100, on_progress=interrupt)

    assert target.read_bytes() == b"the previous export\n"
    assert no_partial_files(tmp_path)
    assert len(client.opened) == 1
    assert not pit_is_open(es, client.opened[0])


def test_a_failing_sink_closes_the_point_in_time_and_leaves_no_file(es, alias, indexed_release, tmp_path):
    client = RecordingClient(es)

    with pytest.raises(OSError):
        export_tweets(client, alias, "", FailingSink(fail_on=3), fmt="csv", page_size=100)

    assert len(client.opened) == 1
    assert not pit_is_open(es, client.opened[0])


def test_a_row_count_that_differs_from_the_total_fails_and_writes_no_file(es, alias, indexed_release, tmp_path):
    client = RecordingClient(es, drop_one=True)
    target = tmp_path / "short.jsonl"

    with pytest.raises(ExportIncomplete, match="incomplete"):
        export_to_file(client, alias, "", target, fmt="jsonl", page_size=500)

    assert not target.exists()
    assert no_partial_files(tmp_path)
    assert not pit_is_open(es, client.opened[0])


def test_a_bad_query_gets_one_line_and_exit_2_and_no_file(cli, indexed_release, tmp_path):
    target = tmp_path / "bad.csv"

    result = cli("export", '"unbalanced', "-o", str(target))

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "quote" in result.stderr
    assert not target.exists()


def test_an_unknown_extension_or_missing_folder_gets_one_line(cli, indexed_release, tmp_path):
    unknown = cli("export", "-o", str(tmp_path / "tweets.txt"))
    missing = cli("export", "-o", str(tmp_path / "no" / "such" / "tweets.csv"))

    assert unknown.exit_code == 2
    assert "--format" in unknown.stderr and len(unknown.stderr.strip().splitlines()) == 1
    assert missing.exit_code != 0
    assert "does not exist" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1


def test_the_format_comes_from_the_option_else_the_extension():
    assert export_format_for("a.csv") == "csv"
    assert export_format_for("a.JSONL.gz") == "jsonl"
    assert export_format_for("a.ndjson") == "jsonl"
    assert export_format_for("-") == "csv"
    assert export_format_for("a.csv", "jsonl") == "jsonl"
    with pytest.raises(UsageError):
        export_format_for("a.json")
    with pytest.raises(UsageError):
        export_format_for("a.csv", "xml")


def test_a_document_without_published_columns_cannot_become_a_csv_row():
    with pytest.raises(ExportError, match="jsonl"):
        csv_record({"tweetid": "1", "tweet_text": "hi"})
    assert csv_record({"campaign": "ira", "raw": {"tweetid": "1"}}, with_campaign=True)[:2] == ["ira", "1"]
