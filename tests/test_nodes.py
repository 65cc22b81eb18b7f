"""Several nodes: ELASTICSEARCH_URL as a list, the layout a new index gets from the cluster's size, the health
said in words, and the local cluster script's arguments. (A real cluster that loses nodes: tests/cluster/.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from common.connection import parse_hosts
from common.errors import UsageError
from common.mapping import cluster_layout
from search.status import Health, health_meaning
from search_cli.app import app

ROOT = Path(__file__).resolve().parent.parent


def test_several_nodes_are_read_from_one_setting_with_spaces_around_commas():
    assert parse_hosts("http://a:9200, http://b:9201 ,https://c:443") == [
        "http://a:9200",
        "http://b:9201",
        "https://c:443",
    ]
    assert parse_hosts("http://localhost:9200") == ["http://localhost:9200"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "is empty"),
        (" , ", "is empty"),
        ("http://a:9200,,http://b:9200", "empty entry"),
        ("localhost:9200", "'localhost:9200'"),
        ("ftp://a:21", "'ftp://a:21'"),
        ("http://a:99999", "'http://a:99999'"),
        ("http://", "'http://'"),
    ],
)
def test_a_bad_node_address_is_a_usage_error_naming_it(text, said):
    with pytest.raises(UsageError, match="ELASTICSEARCH_URL") as raised:
        parse_hosts(text)
    assert said in str(raised.value)


def test_a_bad_address_never_shows_its_password():
    with pytest.raises(UsageError) as raised:
        parse_hosts("http://a:9200,http://alice:s3cret@b:notaport")
    assert "s3cret" not in str(raised.value) and "b:notaport" in str(raised.value)


@pytest.mark.parametrize("url", ["not a url", "http://127.0.0.1:9200,,", "http://127.0.0.1:9200, ftp://x"])
def test_the_cli_says_a_bad_url_in_one_line_and_exits_2(url):
    result = CliRunner().invoke(app, ["status"], env={"ELASTICSEARCH_URL": url})

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "ELASTICSEARCH_URL (or --url)" in result.stderr
    assert "internal error" not in result.stderr


def test_a_node_that_does_not_answer_is_passed_over_for_one_that_does(cli, es_url):
    """The first node of the list refuses every connection: the request goes to the next, and nothing is said."""
    dead_then_live = f"http://127.0.0.1:9,{es_url}"

    results = [cli("--url", dead_then_live, "status", "--json") for _ in range(3)]

    for result in results:
        assert result.exit_code == 0, result.stderr
        assert orjson.loads(result.stdout)["server"]["url"] == f"http://127.0.0.1:9,{es_url}"


@pytest.mark.parametrize(("data_nodes", "layout"), [(0, (1, 0)), (1, (1, 0)), (2, (2, 1)), (3, (3, 1)), (5, (5, 1))])
def test_a_new_index_gets_a_primary_per_data_node_and_a_replica_once_a_second_node_can_hold_it(data_nodes, layout):
    assert cluster_layout(data_nodes) == layout


def test_a_new_index_gets_the_layout_of_the_cluster_it_is_made_on_and_status_says_its_health_in_words(
    cli, es, alias, tmp_path
):
    """On the suite's single node: one shard, no replica (on a cluster, a shard per data node and a replica)."""
    from archive_samples import ira_row, quoted_csv, write

    folder = tmp_path / "release"
    folder.mkdir()
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row(tweetid=str(500 + n)) for n in range(4)]))
    assert cli("index", str(folder), "--rejects", str(tmp_path / "r.jsonl")).exit_code == 0
    data_nodes = es.cluster.health().body["number_of_data_nodes"]
    shards, replicas = cluster_layout(data_nodes)
    es.cluster.health(index=f"{alias}*", wait_for_status="green", timeout="60s")

    data = orjson.loads(cli("status", "--json").stdout)
    shown = cli("status").stdout

    (index,) = data["indices"]
    assert data["layout"] == {index: [shards, replicas]}
    assert data["health"]["index"] == "green"
    assert data["health"]["meaning"] == health_meaning(Health(**{**data["health"], "meaning": ""}))
    assert sorted(copy["primary"] for copy in data["shards"]) == [False] * (shards * replicas) + [True] * shards
    assert sum(copy["documents"] for copy in data["shards"] if copy["primary"]) == 4
    assert f"{shards} primary shard{'s' if shards > 1 else ''}, {replicas} replica" in shown
    assert "searches are complete" in shown


def _health(index: str, **counts: int) -> Health:
    values = {"cluster": index, "nodes": 3, "data_nodes": 3, "unassigned_primaries": 0, "unassigned_replicas": 0}
    values.update({"initializing": 0, "relocating": 0, **counts})
    return Health(index=index, **values)


def test_health_in_words_says_what_each_colour_means_for_a_search():
    green = health_meaning(_health("green"))
    yellow = health_meaning(_health("yellow", unassigned_replicas=2))
    alone = health_meaning(_health("yellow", data_nodes=1, nodes=1, unassigned_replicas=1))
    red = health_meaning(_health("red", unassigned_primaries=1, unassigned_replicas=1))
    other = health_meaning(_health("green", cluster="red"))

    assert green.startswith("green:") and "searches are complete" in green
    assert yellow.startswith("yellow:") and "searches are complete" in yellow and "2 replicas" in yellow
    assert "losing the node" in yellow
    assert "one data node" in alone and "--replicas 0" in alone
    assert red.startswith("red:") and "1 shard has no copy" in red and "partial" in red and "exits 4" in red
    assert "another index makes the cluster red" in other


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["start", "--nodes", "x"], "--nodes takes a number"),
        (["start", "--nodes", "0"], "--nodes takes a number"),
        (["stop", "--node", "two"], "--node takes a node's number"),
        (["frobnicate"], "usage: scripts/elasticsearch"),
    ],
)
def test_the_cluster_script_refuses_bad_arguments_before_doing_anything(args, said):
    done = subprocess.run([str(ROOT / "scripts" / "elasticsearch"), *args], capture_output=True, text=True)

    assert done.returncode != 0
    assert said in done.stderr


def test_a_node_that_ended_and_is_not_reaped_yet_is_not_taken_for_running(tmp_path):
    """A node killed a moment ago is a zombie until its parent collects it: `start` took it for running, started
    nothing and waited for a node that had gone. A zombie is not running; a live process is."""
    import time

    ended = subprocess.Popen(["true"])  # not waited for: a zombie of this process
    living = subprocess.Popen(["sleep", "30"])
    try:
        time.sleep(0.3)
        instance = tmp_path / "elasticsearch" / "instances" / "zombies"
        for node, process in ((1, ended), (2, living)):
            (instance / f"node-{node}").mkdir(parents=True)
            (instance / f"node-{node}" / "elasticsearch.pid").write_text(str(process.pid))
        env = {"PATH": "/usr/bin:/bin", "TWEETSEARCH_CACHE": str(tmp_path), "TWEETSEARCH_ES_NAME": "zombies",
               "TWEETSEARCH_ES_PORT": "9400"}  # fmt: skip
        script = str(ROOT / "scripts" / "elasticsearch")
        done = subprocess.run([script, "pids"], capture_output=True, text=True, env=env)
        assert Path(f"/proc/{ended.pid}/status").read_text().count("zombie") == 1, "the first is a zombie"
        assert done.stdout.split() == ["2", str(living.pid), "http://127.0.0.1:9401"], done.stderr
    finally:
        living.kill()
        living.wait()
        ended.wait()


def test_the_cluster_script_prints_every_node_of_a_cluster_for_elasticsearch_url():
    env = {"PATH": "/usr/bin:/bin", "TWEETSEARCH_ES_PORT": "9400", "TWEETSEARCH_ES_NAME": "never-started"}
    done = subprocess.run(
        [str(ROOT / "scripts" / "elasticsearch"), "url", "--nodes", "3"], capture_output=True, text=True, env=env
    )

    assert done.stdout.strip() == "http://127.0.0.1:9400,http://127.0.0.1:9401,http://127.0.0.1:9402"


def test_a_named_index_made_by_another_load_first_is_used_not_an_error(es, alias):
    from common.mapping import create_named

    name = f"{alias}-named"

    assert create_named(es, name, alias) is True
    assert create_named(es, name, alias) is False
    assert es.indices.exists(index=name)


def test_a_concurrent_load_into_an_index_another_machine_made_does_not_count_it_first(es, alias, monkeypatch):
    """A count a moment after another machine made the index can reach a shard copy its node does not serve yet,
    and fail the load; a --concurrent load checks no count afterwards, so it takes none before."""
    from common.mapping import create_named
    from indexer.loader import LoadOptions, _begin

    name = f"{alias}-shared"
    assert create_named(es, name, alias) is True
    counted = []
    monkeypatch.setattr(es, "count", lambda **kwargs: counted.append(kwargs))
    state = _begin(es, alias, ["a.csv"], LoadOptions(index_name=name, concurrent=True))
    assert state.index == name and not state.fresh_index and state.count_before == 0 and counted == []


@pytest.mark.parametrize(
    "args",
    [["--concurrent"], ["--concurrent", "--rebuild"], ["--concurrent", "--rebuild", "--index-name", "shared"]],
)
def test_concurrent_loads_need_a_named_index_and_leave_the_alias_alone(args, tmp_path):
    from indexer.loader import LoadOptions

    result = CliRunner().invoke(app, ["index", str(tmp_path), *args], env={"ELASTICSEARCH_URL": "http://127.0.0.1:9"})

    assert result.exit_code == 2
    assert "--concurrent loads share one index named with --index-name" in result.stderr
    assert LoadOptions(index_name="shared", concurrent=True).concurrent


def test_a_shard_without_a_copy_is_said_as_such_and_any_other_failure_as_a_failure():
    from search.tweets import partial_reason

    lost = {"type": "no_shard_available_action_exception", "reason": None}
    other = {"type": "query_shard_exception", "reason": "boom"}

    def answer(*reasons):
        failures = [{"shard": n, "reason": reason} for n, reason in enumerate(reasons)]
        return {"_shards": {"total": 3, "successful": 3 - len(reasons), "failed": len(reasons), "failures": failures}}

    assert partial_reason(answer(lost)) == (
        "1 of 3 shards have no copy on a running node (a node is down and no replica covers it); "
        "the results are incomplete"
    )
    assert partial_reason(answer(lost, other)) == "2 of 3 shards failed; the results are incomplete"
    assert partial_reason({"_shards": {"total": 3, "successful": 3, "failed": 0}}) is None


def test_a_concurrent_load_into_an_index_whose_shards_never_open_stops_with_one_clear_error(
    es, es_url, alias, tmp_path, monkeypatch
):
    """Another machine's load made the index, but its shard has nowhere to open (here: a node that does not
    exist is required): the load waits for it, then says so, rather than fail on the first count."""
    from archive_samples import ira_row, quoted_csv, write

    from common.connection import Settings, connect
    from common.errors import ConnectionFailed
    from indexer import loader

    name = f"{alias}-nowhere"
    es.indices.create(
        index=name,
        settings={"index.routing.allocation.require._name": "no-such-node", "number_of_replicas": 0},
        wait_for_active_shards="0",
    )
    folder = tmp_path / "release"
    folder.mkdir()
    write(folder / "ira_tweets_csv_hashed.csv", quoted_csv([ira_row(tweetid="700")]))
    monkeypatch.setattr(loader, "SHARDS_WAIT", "1s")
    options = loader.LoadOptions(rejects_path=tmp_path / "r.jsonl", index_name=name, concurrent=True)
    client = connect(Settings(url=es_url))

    with pytest.raises(ConnectionFailed, match=f"the index {name} still has shards without a copy .* after 1s"):
        loader.load_archive(client, alias, [folder], options)


def test_an_index_without_a_running_copy_is_said_incomplete_every_time_even_with_a_node_down(cli, es, es_url, alias):
    """The server refuses a point in time over missing shards (503). Sent again to every node, that refusal marked
    each one dead, and the retries could end on the node that is down: "cannot reach" (exit 5), half the time."""
    red = f"{alias}-red"
    es.indices.create(
        index=red,
        settings={"index.routing.allocation.require._name": "no-such-node", "number_of_replicas": 0},
        wait_for_active_shards="0",
    )
    down_then_up = f"http://127.0.0.1:9,{es_url}"

    results = [cli("--url", down_then_up, "--alias", red, "export", "", "-o", "-") for _ in range(10)]

    assert [result.exit_code for result in results] == [4] * 10, [r.stderr for r in results if r.exit_code != 4][:1]
    assert "some shards of the index are not available" in results[0].stderr
