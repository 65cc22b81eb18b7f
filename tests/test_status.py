"""`tweetsearch status` and the behaviour every command shares when the server is missing."""

from __future__ import annotations

import re
import time

import orjson
import pytest
from typer.testing import CliRunner

from search_cli.app import app


def test_status_names_the_server_and_its_version(cli, es):
    expected_version = next(iter(es.nodes.info(node_id="_local").body["nodes"].values()))["version"]

    result = cli("status")

    assert result.exit_code == 0, result.stderr
    assert f"Elasticsearch {expected_version}" in result.stdout
    assert "none yet" in result.stdout


def test_status_as_json_has_the_alias_and_no_index_yet(cli, alias):
    import orjson

    result = cli("status", "--json")

    assert result.exit_code == 0
    data = orjson.loads(result.stdout)
    assert data["alias"] == alias
    assert data["indices"] == []
    assert data["documents"] == 0


@pytest.mark.parametrize(
    "command", [["status"], ["search", "vote"], ["search", "vote", "--count"], ["export", "", "-o", "-"]]
)
def test_unreachable_server_gives_one_line_and_exit_5_quickly(command):
    started = time.monotonic()
    result = CliRunner().invoke(app, command, env={"ELASTICSEARCH_URL": "http://127.0.0.1:9"})
    elapsed = time.monotonic() - started

    assert result.exit_code == 5
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cannot reach Elasticsearch at http://127.0.0.1:9" in lines[0]
    assert "make es-start" in lines[0]
    assert "Traceback" not in result.output
    assert elapsed < 10


def test_credentials_in_the_url_are_never_printed():
    result = CliRunner().invoke(app, ["status"], env={"ELASTICSEARCH_URL": "http://alice:s3cret@127.0.0.1:9"})

    assert result.exit_code == 5
    assert "s3cret" not in result.output
    assert "http://127.0.0.1:9" in result.stderr


def test_status_lists_the_version_a_rebuild_kept_and_drop_replaced_deletes_it(cli, es, alias, tmp_path):
    from archive_samples import ira_row, quoted_csv, write

    folder = tmp_path / "release"
    folder.mkdir()
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row(tweetid=str(300 + n)) for n in range(3)]))
    env = {"TWEETSEARCH_ALIAS": f"{alias}-versions"}
    load = ("index", str(folder), "--rejects", str(tmp_path / "r.jsonl"), "--rebuild")

    assert cli(*load, env=env).exit_code == 0
    kept = cli(*load, env=env)
    status = cli("status", env=env)
    status_json = cli("status", "--json", env=env)
    dropped = cli(*load, "--drop-replaced", env=env)
    after = cli("status", "--json", env=env)
    alone = cli("index", str(folder), "--drop-replaced", env=env)

    assert kept.exit_code == 0 and "switched from" in kept.stderr and "kept" in kept.stderr
    assert f"{alias}-versions-v1: 3 tweets" in status.stdout
    assert [older["name"] for older in orjson.loads(status_json.stdout)["older"]] == [f"{alias}-versions-v1"]
    assert dropped.exit_code == 0, dropped.stderr
    assert "deleted" in dropped.stderr
    assert not es.indices.exists(index=f"{alias}-versions-v2")
    assert [older["name"] for older in orjson.loads(after.stdout)["older"]] == [f"{alias}-versions-v1"]
    assert orjson.loads(after.stdout)["indices"] == [f"{alias}-versions-v3"]
    assert alone.exit_code == 2 and "--drop-replaced goes with --rebuild" in alone.stderr
    assert orjson.loads(after.stdout)["accounts"] == 1
    assert re.search(r"accounts +1 \(with their profiles", status.stdout)
    es.indices.update_aliases(actions=[{"remove": {"index": "*", "alias": f"{alias}-versions-accounts"}}])
    older_load = cli("status", env=env)
    assert "no accounts index (an older load)" in older_load.stdout


def test_names_in_the_status_are_shown_as_they_are_never_as_markup_or_terminal_controls():
    """An alias or index may hold `[` (a closing tag alone made rich raise), and a campaign name comes from the
    archive's files: each is shown as typed, its control characters visible."""
    from rich.console import Console

    from common.connection import ServerInfo
    from search.status import Node, ShardCopy, Status
    from search_cli.render.status import render_status

    node = Node("n[/]1", "127.0.0.1:9200", "dm", True, 1, 2, 3, 4, copies=1)
    status = Status(
        server=ServerInfo("http://127.0.0.1:9200", "c", "9.2.8", "green"),
        alias="t[/]",
        indices=["t[bold]x-v1"],
        documents=3,
        campaigns=[("[red]evil\x1b[2J", 3)],
        layout={"t[bold]x-v1": (1, 1)},
        nodes=[node, Node("n2", "127.0.0.1:9201", "dm", False, 1, 2, 3, 4)],
        shards=[
            ShardCopy("t[bold]x-v1", 0, True, "STARTED", "n[/]1"),
            ShardCopy("t[bold]x-v1", 0, False, "STARTED", "n2"),
        ],
    )
    console = Console(width=200, record=True, force_terminal=False)

    console.print(render_status(status))

    shown = console.export_text()
    assert "t[/]" in shown and "t[bold]x-v1" in shown and "n[/]1" in shown
    assert "[red]evil␛[2J" in shown and "\x1b" not in shown


def test_a_clusters_url_list_is_shown_whole_on_a_narrow_terminal():
    from rich.console import Console

    from common.connection import ServerInfo
    from search.status import Status
    from search_cli.render.status import render_status

    urls = "http://127.0.0.1:9200,http://127.0.0.1:9201,http://127.0.0.1:9202"
    status = Status(server=ServerInfo(urls, "c", "9.2.8", "green"), alias="tweets", indices=[], documents=0)
    console = Console(width=50, record=True, force_terminal=False)

    console.print(render_status(status))

    shown = "".join(line.strip() for line in console.export_text().splitlines())
    assert urls in shown.replace("server", "") and "…" not in shown
