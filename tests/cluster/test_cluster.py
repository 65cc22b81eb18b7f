"""tweetsearch on a real three-node cluster that loses a node: a load goes on and loses nothing, searches stay
complete where replicas cover the lost shards and say they are partial where nothing does, the cluster comes
back green with the same counts, and a rebuild's alias switch stays atomic while searches run."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import orjson
import pytest
from archive_samples import generated_release
from cluster_nodes import ROOT, Cluster

TWEETSEARCH = str(ROOT / ".venv" / "bin" / "tweetsearch")


def tweetsearch(cluster: Cluster, alias: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The real command, as a user runs it, against every node of the cluster."""
    command = [TWEETSEARCH, "--url", cluster.url, "--alias", alias, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def big_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Enough tweets that a load with small requests is still running when a node is killed."""
    return generated_release(tmp_path_factory.mktemp("big"), tweets=30_000, seed=16, malformed=1)


@pytest.fixture(scope="module")
def small_releases(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict]]:
    return [
        generated_release(tmp_path_factory.mktemp(f"small-{tweets}"), tweets=tweets, seed=seed)
        for tweets, seed in ((4_000, 161), (5_000, 162))
    ]


def load(cluster: Cluster, alias: str, folder: Path, tmp_path: Path, *extra: str) -> dict:
    done = tweetsearch(
        cluster, alias, "index", str(folder), "--rejects", str(tmp_path / "rejects.jsonl"), "--json", *extra
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return orjson.loads(done.stdout)


def elected_master(es) -> int:
    name = es.cat.master(format="json").body[0]["node"]
    return int(name.rsplit("-", 1)[1])


def nodes_holding(es, index: str, *, primary: bool) -> set[str]:
    rows = es.cat.shards(index=index, format="json", h="prirep,node,state").body
    return {row["node"] for row in rows if (row["prirep"] == "p") == primary and row["state"] == "STARTED"}


def wait_for(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.2)


def test_the_cluster_is_three_nodes_and_status_shows_them(
    whole_cluster, es_cluster, cluster_alias, small_releases, tmp_path
):
    folder, truth = small_releases[0]
    summary = load(whole_cluster, cluster_alias, folder, tmp_path)

    status = tweetsearch(whole_cluster, cluster_alias, "status", "--json")
    shown = tweetsearch(whole_cluster, cluster_alias, "status")

    assert status.returncode == 0, status.stderr
    data = orjson.loads(status.stdout)
    assert summary["index_count"] == data["documents"] == truth["total_tweets"]
    assert len(data["nodes"]) == 3 and sum(node["master"] for node in data["nodes"]) == 1
    index = data["indices"][0]
    # the layout chosen from the cluster's size: a primary per data node, one replica each
    assert data["layout"][index] == [3, 1]
    copies = [copy for copy in data["shards"] if copy["index"] == index]
    assert len(copies) == 6 and all(copy["state"] == "STARTED" for copy in copies)
    for shard in range(3):  # a replica never shares its primary's node
        assert len({copy["node"] for copy in copies if copy["shard"] == shard}) == 2
    assert sum(node["copies"] for node in data["nodes"]) == 6
    assert data["health"]["index"] == "green" and data["health"]["meaning"].startswith("green:")
    assert shown.returncode == 0
    for node in data["nodes"]:
        assert node["name"] in shown.stdout
    assert "3 primary shards, 1 replica of each" in shown.stdout
    assert "searches are complete" in shown.stdout


def test_a_node_killed_during_a_load_loses_nothing_and_comes_back_green(
    whole_cluster, es_cluster, cluster_alias, big_release, tmp_path
):
    folder, truth = big_release
    rejects = tmp_path / "rejects.jsonl"
    checkpoint = tmp_path / "rejects.jsonl.checkpoint.json"
    command = [
        TWEETSEARCH, "--url", whole_cluster.url, "--alias", cluster_alias, "index", str(folder), "--rejects",
        str(rejects), "--json", "--batch-size", "200", "--in-flight", "1", "--replicas", "1",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(
            lambda: (
                process.poll() is not None
                or (checkpoint.exists() and orjson.loads(checkpoint.read_bytes())["indexed"] >= 3_000)
            ),
            "the load to store 3,000 tweets",
        )
        assert process.poll() is None, "the load ended before a node could be killed: the test proves nothing"
        victim = elected_master(es_cluster)  # the hardest node to lose: the cluster elects another master too
        whole_cluster.kill(victim)
        killed_at = orjson.loads(checkpoint.read_bytes())["indexed"]
        stdout, stderr = process.communicate(timeout=600)
    finally:
        process.kill()
    assert killed_at < truth["total_tweets"], "the load was over when the node died: the test proves nothing"
    if process.returncode != 0:  # a load may stop rather than wait; it must then resume to the exact count
        resumed = tweetsearch(
            whole_cluster, cluster_alias, "index", str(folder), "--rejects", str(rejects), "--resume", "--json"
        )
        assert resumed.returncode == 0, f"{stderr[-2000:]}\n{resumed.stderr[-2000:]}"
        stdout = resumed.stdout
    summary = orjson.loads(stdout)

    assert summary["index_count"] == truth["total_tweets"]
    assert summary["rows_read"] == truth["total_tweets"] + len(truth["malformed"])
    assert summary["rejected"] == len(truth["malformed"])
    assert summary["reconciled"] and summary["count_matches"]
    # the rejects are the planted bad rows, each once: the lost node added none
    lines = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert sorted(row["line"] for row in lines) == sorted(row["line"] for row in truth["malformed"])
    index = summary["index"]
    # no duplicates: as many distinct tweet ids as documents, and as many as the release holds
    es_cluster.indices.refresh(index=index)
    distinct = es_cluster.search(
        index=index, size=0, aggs={"ids": {"cardinality": {"field": "tweetid", "precision_threshold": 40_000}}}
    ).body
    assert es_cluster.count(index=index).body["count"] == truth["total_tweets"]
    assert distinct["aggregations"]["ids"]["value"] == truth["total_tweets"]
    before = tweetsearch(whole_cluster, cluster_alias, "status", "--json")
    assert before.returncode == 0, before.stderr  # one node down, every shard still has a copy: complete
    assert len(orjson.loads(before.stdout)["nodes"]) == 2

    whole_cluster.restart()

    after = tweetsearch(whole_cluster, cluster_alias, "status", "--json")
    assert after.returncode == 0, after.stderr
    data = orjson.loads(after.stdout)
    assert data["health"]["index"] == "green" and data["health"]["cluster"] == "green"
    assert len(data["nodes"]) == 3
    assert any(whole_cluster.node_number(node["name"]) == victim for node in data["nodes"])
    assert data["documents"] == truth["total_tweets"]
    assert all(copy["state"] == "STARTED" for copy in data["shards"])


def _search_forever(es, alias: str, queries: list[str], stop: threading.Event, seen: list) -> None:
    """Runs the queries round and round through the library, a search and then a count for each, recording in
    order (query, total, why it is partial or what went wrong)."""
    from search.tweets import count_tweets, search_tweets

    while not stop.is_set():
        for query in queries:
            try:
                result = search_tweets(es, alias, query, limit=5)
                seen.append((query, result.total, result.partial_reason))
                seen.append((query, count_tweets(es, alias, query), None))
            except Exception as exc:  # whatever it is, it is what the test is there to catch
                seen.append((query, None, f"{type(exc).__name__}: {exc}"))


QUERIES = ["", "lang:en", "-filter:retweets", "campaign:ira"]


def test_searches_stay_complete_while_a_node_dies_when_replicas_cover_it(
    whole_cluster, es_cluster, cluster_alias, small_releases, tmp_path
):
    from common.connection import Settings, connect
    from search.tweets import count_tweets

    folder, _ = small_releases[0]
    load(whole_cluster, cluster_alias, folder, tmp_path, "--replicas", "1")
    expected = {query: count_tweets(es_cluster, cluster_alias, query) for query in QUERIES}
    client = connect(Settings(url=whole_cluster.url))  # its own client: the searches' view of the nodes
    stop, seen = threading.Event(), []
    searching = threading.Thread(target=_search_forever, args=(client, cluster_alias, QUERIES, stop, seen))
    searching.start()
    try:
        wait_for(lambda: len(seen) >= 20, "searches before the kill")
        victim = next(n for n in (1, 2, 3) if n != elected_master(es_cluster))
        whole_cluster.kill(victim)
        during = len(seen)
        wait_for(lambda: len(seen) >= during + 40, "searches after the kill")
    finally:
        stop.set()
        searching.join(timeout=60)
    cli = tweetsearch(whole_cluster, cluster_alias, "search", "lang:en", "--count")

    wrong = [entry for entry in seen if entry[1:] != (expected[entry[0]], None)]
    assert not wrong, wrong[:5]
    assert cli.returncode == 0, cli.stderr
    assert f"{expected['lang:en']:,}" in cli.stdout or str(expected["lang:en"]) in cli.stdout


def test_without_replicas_a_lost_node_makes_every_answer_say_partial_until_it_returns(
    whole_cluster, es_cluster, cluster_alias, small_releases, tmp_path
):
    from search.tweets import count_tweets

    folder, truth = small_releases[0]
    summary = load(whole_cluster, cluster_alias, folder, tmp_path, "--replicas", "0", "--shards", "3")
    index = summary["index"]
    holders = nodes_holding(es_cluster, index, primary=True)
    master = elected_master(es_cluster)
    victim = next(n for n in (1, 2, 3) if n != master and f"tweetsearch-test-cluster-{n}" in holders)
    # a tweet on the shard that will be lost: the quote check must not call its text NOT FOUND
    shard = next(
        int(row["shard"])
        for row in es_cluster.cat.shards(index=index, format="json", h="shard,prirep,node").body
        if row["prirep"] == "p" and row["node"] == f"tweetsearch-test-cluster-{victim}"
    )
    lost = es_cluster.search(
        index=index, size=1, preference=f"_shards:{shard}", query={"match": {"is_retweet": False}}
    ).body["hits"]["hits"][0]["_source"]
    total = count_tweets(es_cluster, cluster_alias, "")

    whole_cluster.kill(victim)
    wait_for(lambda: es_cluster.cluster.health(index=index).body["status"] == "red", "the index to turn red", 60)
    answers = {
        "search": tweetsearch(whole_cluster, cluster_alias, "search", "the"),
        "count": tweetsearch(whole_cluster, cluster_alias, "search", "", "--count"),
        "json": tweetsearch(whole_cluster, cluster_alias, "search", "the", "--json"),
        "top": tweetsearch(whole_cluster, cluster_alias, "top", "hosts"),
        "timeline": tweetsearch(whole_cluster, cluster_alias, "timeline", ""),
        "quote": tweetsearch(whole_cluster, cluster_alias, "quote", lost["tweet_text"]),
        "export": tweetsearch(whole_cluster, cluster_alias, "export", "", "-o", "-"),
        "status": tweetsearch(whole_cluster, cluster_alias, "status"),
    }

    for name, answer in answers.items():
        assert answer.returncode == 4, (name, answer.returncode, answer.stderr[-1000:])
        assert "Traceback" not in answer.stderr
        last = answer.stderr.strip().splitlines()[-1]
        assert "incomplete" in last or "partial" in last, (name, last)
    assert "red:" in answers["status"].stdout and "partial" in answers["status"].stdout
    assert "no copy on a running node" in answers["search"].stderr

    whole_cluster.restart()

    assert es_cluster.cluster.health(index=index).body["status"] == "green"
    again = tweetsearch(whole_cluster, cluster_alias, "search", "", "--count")
    assert again.returncode == 0, again.stderr
    assert count_tweets(es_cluster, cluster_alias, "") == total == truth["total_tweets"]
    assert tweetsearch(whole_cluster, cluster_alias, "quote", lost["tweet_text"]).returncode in (0, 10)


def test_a_rebuild_switches_the_alias_atomically_while_searches_run(
    whole_cluster, es_cluster, cluster_alias, small_releases, tmp_path
):
    (first, first_truth), (second, second_truth) = small_releases
    load(whole_cluster, cluster_alias, first, tmp_path)
    stop, seen = threading.Event(), []
    searching = threading.Thread(target=_search_forever, args=(es_cluster, cluster_alias, [""], stop, seen))
    searching.start()
    try:
        wait_for(lambda: len(seen) >= 10, "searches before the rebuild")
        rebuilt = load(whole_cluster, cluster_alias, second, tmp_path, "--rebuild")
        after = len(seen)
        wait_for(lambda: len(seen) >= after + 10, "searches after the rebuild")
    finally:
        stop.set()
        searching.join(timeout=60)

    totals = [entry[1] for entry in seen]
    problems = [entry for entry in seen if entry[2] is not None]
    assert not problems, problems[:5]
    assert set(totals) <= {first_truth["total_tweets"], second_truth["total_tweets"]}
    # the old index's total until the switch, the new one's after: never a mixture, never a gap
    switch = totals.index(second_truth["total_tweets"])
    assert set(totals[:switch]) == {first_truth["total_tweets"]}
    assert set(totals[switch:]) == {second_truth["total_tweets"]}
    assert rebuilt["index"].endswith("-v2")


def test_loads_on_several_machines_at_once_fill_one_index_that_a_rebuild_then_switches_to(
    whole_cluster, es_cluster, cluster_alias, small_releases, tmp_path
):
    """README's way to load on several machines: one `index --index-name NAME --concurrent` per machine with its
    own files (here, per campaign), at the same time; then one of them again with --rebuild."""
    folder, truth = small_releases[1]
    files = sorted(folder.glob("*.csv"))
    parts = [[f for f in files if f.name.startswith("ira_")], [f for f in files if not f.name.startswith("ira_")]]
    name = f"{cluster_alias}-shared"

    def machine(k: int, part: list[Path]) -> subprocess.Popen[str]:
        command = [
            TWEETSEARCH, "--url", whole_cluster.url, "--alias", cluster_alias, "index", *map(str, part),
            "--index-name", name, "--concurrent", "--rejects", str(tmp_path / f"machine-{k}.jsonl"), "--json",
            "--batch-size", "250",
        ]  # fmt: skip
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    machines = [machine(k, part) for k, part in enumerate(parts)]
    answers = [machine.communicate(timeout=600) for machine in machines]
    for process, (_, stderr) in zip(machines, answers, strict=True):
        assert process.returncode == 0, stderr[-2000:]
    summaries = [orjson.loads(stdout) for stdout, _ in answers]

    again = [str(file) for file in parts[0][1:]]  # the first machine's own part, once more
    switched = load(whole_cluster, cluster_alias, parts[0][0], tmp_path, *again, "--index-name", name, "--rebuild")

    assert all(summary["concurrent"] and summary["count_matches"] is None for summary in summaries)
    assert sum(summary["created"] for summary in summaries) == truth["total_tweets"]
    assert switched["index_count"] == truth["total_tweets"] and switched["count_matches"] is True
    status = orjson.loads(tweetsearch(whole_cluster, cluster_alias, "status", "--json").stdout)
    assert status["indices"] == [name] and status["documents"] == truth["total_tweets"]
    per_campaign = es_cluster.search(
        index=name,
        size=0,
        aggs={"c": {"terms": {"field": "campaign"}, "aggs": {"u": {"cardinality": {"field": "userid"}}}}},
    ).body["aggregations"]["c"]["buckets"]
    assert status["accounts"] == switched["accounts"] == sum(bucket["u"]["value"] for bucket in per_campaign)
    assert dict(status["campaigns"]) == {c: n["tweets"] for c, n in truth["campaigns"].items()}


def test_a_lost_accounts_shard_makes_status_and_profile_searches_say_partial_though_the_tweets_are_whole(
    whole_cluster, es_cluster, cluster_alias, small_releases, tmp_path
):
    """The tweets have a replica, the accounts index (given none here) loses its only shard: the tweets' counts
    are whole, but the account count and every profile operator's answer are not, and they say so."""
    folder, truth = small_releases[0]
    summary = load(whole_cluster, cluster_alias, folder, tmp_path, "--replicas", "1")
    accounts = summary["accounts_index"]
    es_cluster.indices.put_settings(index=accounts, settings={"index": {"number_of_replicas": 0}})
    wait_for(lambda: len(es_cluster.cat.shards(index=accounts, format="json").body) == 1, "the replica to go")
    (holder,) = nodes_holding(es_cluster, accounts, primary=True)

    whole_cluster.kill(whole_cluster.node_number(holder))
    wait_for(lambda: es_cluster.cluster.health(index=accounts).body["status"] == "red", "the accounts to turn red")
    status = tweetsearch(whole_cluster, cluster_alias, "status", "--json")
    tweets = tweetsearch(whole_cluster, cluster_alias, "search", "", "--count")
    profile = tweetsearch(whole_cluster, cluster_alias, "search", "bio:news", "--count")

    data = orjson.loads(status.stdout)
    assert data["documents"] == truth["total_tweets"] and data["health"]["index"] == "red"
    assert data["accounts"] is None and data["accounts_unavailable"]
    assert status.returncode == 4 and "no copy on a running node" in status.stderr
    assert tweets.returncode == 0, tweets.stderr
    assert profile.returncode == 4, (profile.returncode, profile.stdout, profile.stderr)
    assert "Traceback" not in status.stderr + profile.stderr

    whole_cluster.restart()


def test_coordination_on_three_nodes_merges_the_shards_buckets_and_finds_the_pairs_the_pages_do(
    whole_cluster, es_cluster, cluster_alias, small_releases, tmp_path, monkeypatch
):
    """The two tweets of a pair may lie on shards of two nodes: each shard sends its items' buckets across the
    transport, and the node that merges them finds what the composite pages read here find."""
    import search.coordination as coordination

    folder, truth = small_releases[0]
    load(whole_cluster, cluster_alias, folder, tmp_path)

    def pairs(by: str) -> list[tuple[str, str, int]]:
        report = coordination.find_coordination(es_cluster, cluster_alias, "", by=by, window="60s", min_repeats=1)
        return sorted((pair.a, pair.b, pair.co_actions) for pair in report.pairs)

    assert coordination.server_near_repeats(es_cluster, cluster_alias, coordination.check_kind("text"))
    on_server = {by: pairs(by) for by in coordination.KINDS}
    monkeypatch.setattr(coordination, "server_near_repeats", lambda *args: False)
    assert {by: pairs(by) for by in coordination.KINDS} == on_server
    planted = [group for group in truth["coordination"]["groups"] if group["by"] == "text"]
    found = {account for a, b, _ in on_server["text"] for account in (a, b)}
    assert planted and all(set(group["userids"]) <= found for group in planted)
