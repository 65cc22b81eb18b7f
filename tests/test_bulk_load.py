"""The bulk loader under stress, against real servers: nothing lost, nothing duplicated.

- a load killed outright or stopped with Ctrl-C in the middle of a file resumes with `--resume` to the exact
  count;
- a server that refuses most requests (429: a write thread pool of one with a queue of one) is survived;
- a server that finds requests too large (413: a tiny `http.max_content_length`) gets them split;
- a server restarted in the middle of a load is waited for, and the load ends with the exact count;
- `--rebuild` switches the alias atomically while searches keep answering with the full count.
The stressed and restarted servers are small extra ones (started like the main one), so the main server
stays healthy.
"""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from archive_samples import generated_release, ira_row, numbered_rows, quoted_csv, write
from servers import ROOT, start_small_server

from common.errors import UsageError
from indexer.bulk import Actions, BulkOptions, chunk_actions, encode_action

STORM_SETTINGS = "thread_pool.write.size=1 thread_pool.write.queue_size=1 http.max_content_length=300kb"


def test_encode_action_leaves_the_document_untouched():
    document = {"tweetid": "1", "hashtags": ["a"]}
    before = orjson.dumps(document)

    action = encode_action("1", document, ("f.csv", 2), rows_read=1)

    assert orjson.dumps(document) == before
    header, body, end = action.body.split(b"\n")
    assert orjson.loads(header) == {"index": {"_id": "1"}}  # the index is the request's
    assert orjson.loads(body) == document
    assert end == b""
    assert (len(action), action.ref(0), action.rows_read, action.payload(0)) == (1, ("f.csv", 2), 1, action.body)


def run_of(first: int, count: int, *, size: int = 100, rows_read: int | None = None) -> Actions:
    """`count` actions of `size` bytes each for rows `first`.. of `f.csv`, as one run of the fast path gives."""
    payloads = [b"%-*d\n" % (size - 1, first + n) for n in range(count)]
    ends = [size * (n + 1) for n in range(count)]
    lines = list(range(first, first + count))
    return Actions(
        b"".join(payloads), ends, ["f.csv"] * count, lines, first + count if rows_read is None else rows_read
    )


def test_chunks_respect_both_the_count_and_the_byte_limits():
    actions = [run_of(n, 1) for n in range(10)]

    by_count = [len(chunk) for chunk in chunk_actions(actions, max_docs=4, max_bytes=10_000)]
    by_bytes = [len(chunk) for chunk in chunk_actions(actions, max_docs=100, max_bytes=250)]

    assert by_count == [4, 4, 2]
    assert by_bytes == [2, 2, 2, 2, 2]


def test_runs_are_sent_whole_where_they_fit_and_cut_where_they_cannot():
    runs = [run_of(0, 3), run_of(3, 1), run_of(4, 5), run_of(9, 12), run_of(21, 2)]

    chunks = list(chunk_actions(runs, max_docs=5, max_bytes=10_000))

    # 3+1 fit; 5 would not fit beside them, so their request ends early; 12 are cut into 5, 5, 2, and the last 2
    # go with the rest of them.
    assert [len(chunk) for chunk in chunks] == [4, 5, 5, 5, 4]
    assert [chunk.lines for chunk in chunks] == [
        list(range(n, n + len(c))) for n, c in zip([0, 4, 9, 14, 19], chunks, strict=True)
    ]
    # each chunk knows how many rows were read once its last action was: checkpoints rely on it
    assert [chunk.rows_read for chunk in chunks] == [4, 9, 14, 19, 23]
    for chunk in chunks:
        assert chunk.body == b"".join(chunk.payload(n) for n in range(len(chunk)))
        assert [int(chunk.payload(n)) for n in range(len(chunk))] == chunk.lines
    by_bytes = list(chunk_actions([run_of(0, 7)], max_docs=100, max_bytes=250))
    assert [len(chunk) for chunk in by_bytes] == [2, 2, 2, 1]
    huge = list(chunk_actions([run_of(0, 2, size=400)], max_docs=100, max_bytes=250))
    assert [len(chunk) for chunk in huge] == [1, 1]  # a request holds one action, however large


def test_a_selection_keeps_each_action_with_its_row():
    chunk = Actions.join([run_of(0, 3), run_of(3, 2, size=50)])

    again = chunk.select([4, 1])

    assert [int(again.payload(n)) for n in range(2)] == [4, 1]
    assert [again.ref(n) for n in range(2)] == [("f.csv", 4), ("f.csv", 1)]
    assert again.body == chunk.payload(4) + chunk.payload(1)


def test_an_encoded_bulk_body_is_sent_as_it_is():
    from common.connection import Settings, connect

    client = connect(Settings(url="http://127.0.0.1:9"))  # nothing is sent: only the client's serializer is used
    ndjson = client.transport.serializers.get_serializer("application/vnd.elasticsearch+x-ndjson")
    body = b'{"index":{}}\n{"a":1}\n'

    assert ndjson.dumps(body) is body  # megabytes per request: not copied
    assert ndjson.dumps([{"index": {}}, {"a": 1}]) == body  # anything else is encoded as before
    assert ndjson.dumps(b"x") == b"x\n"


def test_the_next_request_is_built_while_the_earlier_ones_are_in_flight(es, alias):
    from common.mapping import ensure_index
    from indexer.bulk import load_actions

    index = ensure_index(es, f"{alias}-ahead")
    read: list[int] = []

    def actions() -> Iterator[Actions]:
        for number in range(20):
            read.append(number)
            yield encode_action(str(number), {"tweetid": str(number)}, ("f.csv", number + 2))

    read_at_each_result = []
    results = []
    for result in load_actions(es, index, actions(), BulkOptions(chunk_docs=2, in_flight=2)):
        read_at_each_result.append(len(read))
        results.append(result)

    # When the first answer is handed back, requests 1-2 were sent, the third waits to be sent as soon as one of
    # them is answered, and the fourth is built.
    assert read_at_each_result[0] == 8
    assert [line - 2 for result in results for line in result.actions.lines] == list(range(20))
    assert sum(result.created for result in results) == 20


@pytest.mark.parametrize("field,value", [("chunk_docs", 0), ("in_flight", 0), ("retry_seconds", -1)])
def test_bulk_options_say_which_value_is_wrong(field, value):
    with pytest.raises(UsageError, match=f"'{field}' must"):
        BulkOptions(**{field: value})


@pytest.fixture(scope="module")
def big_release(tmp_path_factory) -> tuple[Path, dict]:
    return generated_release(tmp_path_factory.mktemp("big"), tweets=20_000, seed=5, malformed=1)


def _tweetsearch(*args: str, url: str, alias: str) -> list[str]:
    return [str(ROOT / ".venv" / "bin" / "tweetsearch"), "--url", url, "--alias", alias, *args]


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_a_load_stopped_mid_file_resumes_to_the_exact_count(es, es_url, alias, big_release, tmp_path, cli, stop):
    folder, truth = big_release
    own_alias = f"{alias}-resume-{stop.name.lower()}"
    rejects = tmp_path / "rejects.jsonl"
    checkpoint = tmp_path / "rejects.jsonl.checkpoint.json"
    command = _tweetsearch(
        "index", str(folder), "--rejects", str(rejects), "--batch-size", "200", "--in-flight", "1",
        url=es_url, alias=own_alias,
    )  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if checkpoint.exists() and orjson.loads(checkpoint.read_bytes())["indexed"] >= 4000:
                break
            assert process.poll() is None, "the load ended before it could be interrupted"
            time.sleep(0.05)
        process.send_signal(stop)
    finally:
        _, stderr = process.communicate()
    assert checkpoint.exists(), f"no checkpoint after {stop.name}, exit {process.returncode}: {stderr.decode()[-2000:]}"
    killed_at = orjson.loads(checkpoint.read_bytes())
    assert 0 < killed_at["indexed"] < truth["total_tweets"]
    index = killed_at["index"]
    flat = es.indices.get_settings(index=index, flat_settings=True).body[index]["settings"]
    refresh = flat.get("index.refresh_interval")
    if stop == signal.SIGINT:  # stopped by the user: one line, and the index's settings put back at once
        assert process.returncode == 130
        message = stderr.decode()
        assert "interrupted" in message.strip().splitlines()[-1] and "Traceback" not in message, message
        assert refresh != "-1" and "index.merge.policy.segments_per_tier" not in flat
    else:  # killed outright: the fast-load settings stay until the resume restores them
        assert refresh == "-1" and flat["index.merge.policy.segments_per_tier"] == "30"

    resume = ("index", str(folder), "--rejects", str(rejects), "--resume", "--json")
    result = cli(*resume, env={"TWEETSEARCH_ALIAS": own_alias})

    assert result.exit_code == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert summary["index_count"] == truth["total_tweets"]
    assert summary["rows_read"] == truth["total_tweets"] + len(truth["malformed"])
    assert summary["rejected"] == len(truth["malformed"])
    assert summary["reconciled"]
    assert summary["count_matches"]
    lines = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert len(lines) == len({(r["file"], r["line"]) for r in lines}) == len(truth["malformed"])
    restored = es.indices.get_settings(index=index, flat_settings=True).body[index]["settings"]
    assert restored.get("index.refresh_interval", "1s") != "-1"
    assert not any(key.startswith("index.merge.policy.") for key in restored)  # the server's defaults again
    assert not checkpoint.exists()


def test_a_resume_does_not_count_again_the_trailing_rejects_of_a_finished_file(es, alias, tmp_path):
    """The first file ends with two bad rows and the load stops once a request holding rows of the second file
    is stored: the resume must pass over the first file, whose rejects the books already count."""
    from common.errors import LoadInterrupted
    from indexer.loader import LoadOptions, load_archive

    folder = tmp_path / "release"
    folder.mkdir()
    broken = '"only","three","fields"\n' * 2
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv(numbered_rows(3, start=500)) + broken)
    write(folder / "iranian_tweets_csv_hashed.csv", quoted_csv(numbered_rows(6, start=600)))
    rejects = tmp_path / "rejects.jsonl"
    options = LoadOptions(rejects_path=rejects, bulk=BulkOptions(chunk_docs=2, in_flight=1))
    own_alias = f"{alias}-finished"
    stored: list[int] = []

    def stop_in_the_second_file(progress) -> None:
        stored.append(progress.indexed)
        if progress.current_file == "iranian_tweets_csv_hashed.csv":
            raise KeyboardInterrupt

    with pytest.raises(LoadInterrupted):
        load_archive(es, own_alias, [folder], options, on_progress=stop_in_the_second_file)
    checkpoint = orjson.loads(options.checkpoint.read_bytes())
    summary = load_archive(es, own_alias, [folder], replace(options, resume=True))

    assert checkpoint["finished"] == ["ira_tweets_csv_hashed.csv"]
    # the first file's 5 rows (3 stored, 2 rejected), then the second file's rows up to the last stored one
    assert checkpoint["rows_read"] == 5 + checkpoint["lines"]["iranian_tweets_csv_hashed.csv"] - 1 < 11
    assert (summary.rows_read, summary.indexed, summary.rejected) == (11, 9, 2)
    assert summary.reconciled and summary.count_matches and summary.index_count == 9
    kept = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert sorted((r["file"], r["line"]) for r in kept) == [("ira_tweets_csv_hashed.csv", line) for line in (5, 6)]


def test_resume_without_a_checkpoint_is_refused(cli, big_release, tmp_path):
    folder, _ = big_release

    result = cli("index", str(folder), "--rejects", str(tmp_path / "none.jsonl"), "--resume")

    assert result.exit_code == 2
    assert "nothing to resume" in result.stderr


def test_a_document_the_server_refuses_goes_to_the_rejects_file(cli, alias, tmp_path):
    immense = "http://example.com/" + "a" * 33_000  # a keyword term over Lucene's 32,766-byte limit
    rows = [ira_row(tweetid=str(900 + n)) for n in range(3)]
    rows[1]["urls"] = f"[{immense}]"
    folder = tmp_path / "release"
    folder.mkdir()
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv(rows))
    rejects = tmp_path / "rejects.jsonl"

    load = ("index", str(folder), "--rejects", str(rejects), "--json")
    result = cli(*load, env={"TWEETSEARCH_ALIAS": f"{alias}-refused"})

    assert result.exit_code == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert (summary["rows_read"], summary["indexed"], summary["rejected"]) == (3, 2, 1)
    assert summary["rejected_by_reason"] == {"server_rejected": 1}
    assert summary["index_count"] == 2
    (entry,) = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert (entry["file"], entry["line"], entry["reason"]) == ("ira_tweets_csv_hashed.csv", 3, "server_rejected")
    assert "immense term" in entry["detail"]


def test_a_read_only_index_stops_the_load_instead_of_rejecting_every_row(cli, es, alias, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, start in ((first, 1000), (second, 2000)):
        folder.mkdir()
        write(folder / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row(tweetid=str(start + n)) for n in range(4)]))
    env = {"TWEETSEARCH_ALIAS": f"{alias}-blocked"}
    rejects = tmp_path / "r.jsonl"
    assert cli("index", str(first), "--rejects", str(tmp_path / "first.jsonl"), env=env).exit_code == 0
    (index,) = es.indices.get_alias(name=f"{alias}-blocked").body

    es.indices.put_settings(index=index, settings={"index.blocks.write": True})
    try:
        stopped = cli("index", str(second), "--rejects", str(rejects), "--json", env=env)
    finally:
        es.indices.put_settings(index=index, settings={"index.blocks.write": False})
    resumed = cli("index", str(second), "--rejects", str(rejects), "--json", "--resume", env=env)

    assert stopped.exit_code == 3, stopped.stderr
    assert "refused to store documents" in stopped.stderr and "--resume" in stopped.stderr
    assert len(stopped.stderr.strip().splitlines()) == 1
    assert not rejects.exists() or rejects.read_text() == ""
    assert resumed.exit_code == 0, resumed.stderr
    summary = orjson.loads(resumed.stdout)
    assert (summary["rows_read"], summary["indexed"], summary["rejected"]) == (4, 4, 0)
    assert es.count(index=index).body["count"] == 8


def test_resume_with_other_files_is_refused(cli, alias, big_release, tmp_path):
    from indexer.checkpoint import Checkpoint

    folder, _ = big_release
    rejects = tmp_path / "r.jsonl"
    Checkpoint(index=f"{alias}-v1", alias=alias, inputs=["other.csv"], fresh_index=True, count_before=0).save(
        tmp_path / "r.jsonl.checkpoint.json"
    )

    result = cli("index", str(folder), "--rejects", str(rejects), "--resume")

    assert result.exit_code == 2
    assert "for other input files or another alias" in result.stderr


@pytest.fixture(scope="module")
def storm_url() -> Iterator[str]:
    with start_small_server("storm", 9251, STORM_SETTINGS) as server:
        yield server.url


def test_a_server_restart_during_a_load_is_ridden_out_with_nothing_lost(big_release, tmp_path):
    from common.connection import Settings, connect

    folder, truth = big_release
    checkpoint = tmp_path / "r.jsonl.checkpoint.json"
    own_alias = f"restart-{uuid.uuid4().hex[:6]}"
    with start_small_server("restart", 9252, "") as server:
        command = _tweetsearch(
            "index", str(folder), "--rejects", str(tmp_path / "r.jsonl"), "--json", "--batch-size", "200",
            "--in-flight", "1", "--retry-seconds", "240", url=server.url, alias=own_alias,
        )  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while not (checkpoint.exists() and orjson.loads(checkpoint.read_bytes())["indexed"] >= 2000):
                assert process.poll() is None and time.monotonic() < deadline, "the load ended before the restart"
                time.sleep(0.05)
            server.restart()
            stdout, stderr = process.communicate(timeout=300)
        finally:
            process.kill()
        client = connect(Settings(url=server.url))  # the small server keeps its data: leave nothing behind
        if created := list(client.indices.get(index=f"{own_alias}-v*", allow_no_indices=True).body):
            client.indices.delete(index=",".join(created))

    assert process.returncode == 0, stderr.decode()[-2000:]
    summary = orjson.loads(stdout)
    assert summary["retries"] > 0, "the load never met the stopped server: the test proves nothing"
    assert summary["index_count"] == truth["total_tweets"]
    assert summary["rows_read"] == truth["total_tweets"] + len(truth["malformed"])
    assert summary["reconciled"] and summary["count_matches"]


def test_a_storm_of_429s_and_413s_is_survived_with_nothing_lost(storm_url, big_release, tmp_path):
    folder, truth = big_release
    command = _tweetsearch(
        "index", str(folder), "--rejects", str(tmp_path / "r.jsonl"), "--json", "--batch-size", "1000",
        "--in-flight", "6", url=storm_url, alias="storm",
    )  # fmt: skip

    done = subprocess.run(command, capture_output=True, check=False, timeout=600)

    assert done.returncode == 0, done.stderr.decode()[-2000:]
    summary = orjson.loads(done.stdout)
    assert summary["retries"] > 0, "the small server never refused a request: the test proves nothing"
    assert summary["splits"] > 0, "no request was too large: the test proves nothing"
    assert summary["index_count"] == truth["total_tweets"]
    assert summary["reconciled"]


def test_rebuild_switches_the_alias_while_searches_keep_answering(es, es_url, alias, indexed_release, tmp_path):
    from common.connection import Settings, connect
    from indexer.loader import LoadOptions, load_archive

    total = indexed_release["truth"]["total_tweets"]
    before = sorted(es.indices.get_alias(name=alias).body)
    outcome: dict[str, object] = {}

    def rebuild() -> None:
        client = connect(Settings(url=es_url))
        options = LoadOptions(rejects_path=tmp_path / "r.jsonl", rebuild=True, bulk=BulkOptions(chunk_docs=200))
        outcome["summary"] = load_archive(client, alias, [indexed_release["folder"]], options)

    worker = threading.Thread(target=rebuild)
    worker.start()
    counts = []
    while worker.is_alive():
        counts.append(es.count(index=alias).body["count"])
        time.sleep(0.02)
    worker.join()

    summary = outcome["summary"]
    after = sorted(es.indices.get_alias(name=alias).body)
    assert len(counts) > 5
    assert set(counts) == {total}
    assert after != before and summary.replaced == before
    assert es.count(index=alias).body["count"] == total


def test_index_name_and_shards_are_honoured(cli, es, alias, tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row(tweetid=str(700 + n)) for n in range(5)]))
    own_alias, named = f"{alias}-options", f"{alias}-options-named"
    env = {"TWEETSEARCH_ALIAS": own_alias}

    sharded = cli("index", str(folder), "--rejects", str(tmp_path / "a.jsonl"), "--shards", "2", "--json", env=env)
    into_named = cli("index", str(folder), "--rejects", str(tmp_path / "b.jsonl"), "--index-name", named, env=env)

    assert sharded.exit_code == 0, sharded.stderr
    created = orjson.loads(sharded.stdout)["index"]
    assert es.indices.get_settings(index=created).body[created]["settings"]["index"]["number_of_shards"] == "2"
    assert into_named.exit_code == 0, into_named.stderr
    assert es.count(index=named).body["count"] == 5
    mapped = es.indices.get_mapping(index=named).body[named]["mappings"]
    assert mapped["properties"]["tweet_text"]["analyzer"] == "folded"
    assert sorted(es.indices.get_alias(name=own_alias).body) == [created]


def test_a_server_that_keeps_refusing_stops_the_load_and_resume_finishes_it(storm_url, big_release, tmp_path):
    folder, truth = big_release
    rejects = tmp_path / "r.jsonl"
    load = ("index", str(folder), "--rejects", str(rejects), "--json", "--batch-size", "1000", "--in-flight", "6")

    stopped = subprocess.run(
        _tweetsearch(*load, "--retry-seconds", "0", url=storm_url, alias="storm-stop"), capture_output=True, check=False
    )
    resumed = subprocess.run(
        _tweetsearch(*load, "--resume", url=storm_url, alias="storm-stop"), capture_output=True, check=False
    )

    assert stopped.returncode == 3, stopped.stderr.decode()
    message = stopped.stderr.decode().strip().splitlines()
    assert len(message) == 1 and "--resume" in message[0] and "Traceback" not in stopped.stderr.decode()
    assert resumed.returncode == 0, resumed.stderr.decode()
    summary = orjson.loads(resumed.stdout)
    assert summary["index_count"] == truth["total_tweets"]
    assert summary["reconciled"] and summary["count_matches"]


def _segments(es, index: str) -> int:
    """Segments per primary shard, at most (one shard on one node; one per data node on a cluster)."""
    stats = es.indices.stats(index=index, metric="segments", level="shards").body["indices"][index]["shards"]
    primaries = [
        copy["segments"]["count"] for copies in stats.values() for copy in copies if copy["routing"]["primary"]
    ]
    return max(primaries)


def test_a_load_leaves_its_index_sorted_by_time_and_merges_it_into_one_segment(cli, es, alias, big_release, tmp_path):
    """Newest first is the order of the index itself (a search stops comparing once the first page is full),
    and the load ends by starting the merge into one segment, which `status` reports."""
    folder, truth = big_release
    own = f"{alias}-merged"
    env = {"TWEETSEARCH_ALIAS": own}

    loaded = cli("index", str(folder), "--rejects", str(tmp_path / "r.jsonl"), "--json", env=env)

    assert loaded.exit_code == 0, loaded.stderr
    summary = orjson.loads(loaded.stdout)
    index = summary["index"]
    sort = es.indices.get_settings(index=index).body[index]["settings"]["index"]["sort"]
    assert sort == {"field": ["tweet_time", "tweetid"], "order": ["desc", "asc"], "missing": ["_last", "_last"]}
    assert summary["merge_task"]
    deadline = time.monotonic() + 120
    while (segments := _segments(es, index)) > 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert segments == 1 and es.count(index=own).body["count"] == truth["well_formed_tweets"]
    shards = int(es.indices.get_settings(index=index).body[index]["settings"]["index"]["number_of_shards"])
    status = cli("status", env=env)
    across = "" if shards == 1 else rf" across {shards} primary shards"
    assert re.search(rf"^segments\s+{shards}{across}\s*$", status.stdout, flags=re.MULTILINE), status.stdout
    assert orjson.loads(cli("status", "--json", env=env).stdout)["segments"] == shards

    again = cli("index", str(folder), "--rejects", str(tmp_path / "r2.jsonl"), env=env)
    assert again.exit_code == 0 and "merging     into one segment in the background" in again.stderr, again.stderr
