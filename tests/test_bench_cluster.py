"""bench/bench_cluster.py's parts that need no server: its arguments, the instances it would start, and how
it prints and exports its figures (the benchmark itself starts clusters, which the suite never does)."""

from __future__ import annotations

import json
import sys

import pytest
from servers import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import bench_cluster
from bench_cluster import Figures, cell, parse_args, ratio, rows, summary, table


def _figures(layout: str, *, nodes: int, cpu: float | None, took: float) -> Figures:
    names = [f"node-{number}" for number in range(1, nodes + 1)]
    return Figures(
        layout=layout, url="http://127.0.0.1:9230", nodes=nodes, docs=30_000, load_seconds=10.0 * nodes,
        merge_seconds=2.0, server_cpu_seconds=cpu, indexer_peak_mb=110.0, primary_shards=nodes,
        replicas=1 if nodes > 1 else 0, primaries_bytes=12_500_000, total_bytes=12_500_000 * (2 if nodes > 1 else 1),
        heap_used={name: 100_000_000 * (index + 1) for index, name in enumerate(names)},
        heap_max=dict.fromkeys(names, 2**30), shards=dict.fromkeys(names, 2 if nodes > 1 else 1),
        took_p50={name: took for name in bench_cluster.CLASSES},
    )  # fmt: skip


ONE = _figures("one", nodes=1, cpu=9.0, took=5.0)
THREE = _figures("three", nodes=3, cpu=None, took=20.0)


def test_the_defaults_start_servers_of_their_own_beside_the_shared_ones():
    args = parse_args([])

    assert args.tweets == 1_000_000 and args.one is None and args.three is None and not args.keep and not args.json
    single, cluster = bench_cluster.instance_for(args, "one"), bench_cluster.instance_for(args, "three")
    assert single.env(None) == {"TWEETSEARCH_ES_NAME": "bench-one", "TWEETSEARCH_ES_PORT": "9230"}
    assert cluster.nodes == 3 and cluster.env("512m") == {
        "TWEETSEARCH_ES_NAME": "bench-three", "TWEETSEARCH_ES_PORT": "9240",
        "TWEETSEARCH_ES_TRANSPORT_PORT": "9340", "TWEETSEARCH_ES_HEAP": "512m",
    }  # fmt: skip


def test_given_servers_are_read_as_url_lists_and_a_bad_one_is_refused(capsys):
    args = parse_args(["--tweets", "30000", "--one", "http://a:1", "--three", "http://a:2, http://b:3,http://c:4"])

    assert args.tweets == 30_000 and args.one == "http://a:1" and args.three == "http://a:2,http://b:3,http://c:4"
    with pytest.raises(SystemExit) as exited:
        parse_args(["--three", "localhost:9240"])
    assert exited.value.code == 2 and "is not a node's address" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--tweets", "0"])


def test_ratios_are_three_over_one_and_missing_figures_say_so():
    assert ratio(2.0, 5.0) == 2.5
    assert ratio([1.0], [2.0, 4.0, 3.0]) == 4.0  # per-node figures: the largest node's
    assert ratio(None, 1.0) is None and ratio(0.0, 1.0) is None and ratio(1.0, None) is None
    assert cell([2.0, 2.0, 1.0], "{:.0f}") == "2/2/1" and cell(None, "{:.1f}") == "–"
    assert cell(1234.5, "{:,.0f}") == "1,234"


def test_the_table_puts_both_layouts_side_by_side_with_their_ratio():
    printed = table(rows(ONE, THREE))

    assert printed[0].split() == ["figure", "one", "node", "three", "nodes", "three/one"]
    lines = {line[:34].strip(): line[34:].split() for line in printed[1:]}
    assert lines["load s"] == ["10.0", "30.0", "3.00"]
    assert lines["load docs/s"] == ["3,000", "1,000", "0.33"]
    assert lines["server CPU µs/doc, all nodes"] == ["300", "–", "–"]
    assert lines["index MB, with replicas"] == ["12.5", "25.0", "2.00"]
    assert lines["heap used MB, largest node"] == ["100", "300", "3.00"]
    assert lines["heap used MB, all nodes"] == ["100", "600", "6.00"]
    assert lines["shard copies per node"] == ["1", "2/2/2", "2.00"]
    timed = [label.removeprefix("took ms p50: ") for label in lines if label.startswith("took ms p50: ")]
    assert timed == list(bench_cluster.CLASSES)
    assert lines["took ms p50: timeline month"] == ["5.0", "20.0", "4.00"]


def test_the_json_object_holds_every_figure_of_both_layouts_and_each_row():
    args = parse_args(["--tweets", "30000", "--json"])
    exported = json.loads(json.dumps(summary(args, ONE, THREE)))

    assert exported["tweets"] == 30_000 and exported["one"]["nodes"] == 1 and exported["three"]["replicas"] == 1
    assert exported["three"]["shards"] == {"node-1": 2, "node-2": 2, "node-3": 2}
    assert list(exported["rows"]) == [line.key for line in rows(ONE, THREE)]
    assert exported["rows"]["load_s"] == {"label": "load s", "one": 10.0, "three": 30.0, "ratio": 3.0}
    assert exported["rows"]["took_p50_ms_top_accounts_lang_en"]["ratio"] == 4.0
    assert exported["rows"]["server_cpu_us_per_doc"]["ratio"] is None


def test_the_point_is_printed_with_the_machines_cpus():
    assert "on one 2-core machine three nodes cannot be faster than one" in bench_cluster.the_point(2)
    assert "what each node holds and costs" in bench_cluster.the_point(2)
