"""Cluster benchmark: what growing from one node to three costs, on the same documents and the same machine.

The same generated release (cached, as for bench_index.py and bench_search.py) is loaded with `tweetsearch index`
into ONE node and then into THREE nodes of one cluster, each laid out as a user's load lays it out (one node:
1 shard, no replica; three nodes: 3 shards, 1 replica each, `common.mapping.cluster_layout`). For each it
measures, once the load's background merge into one segment has ended:
  load          wall time of `tweetsearch index` and docs/s; the server CPU it took, summed over the nodes;
  merge         how long the merge the load starts in the background ran after the load returned;
  size          the index on disk: primaries, and in total with the replicas;
  heap          heap used on each node after the load and merge (the largest, and the sum over nodes);
  shards        copies of the tweets index's shards that each node holds;
  searches      p50 of the server's `took` (bench_search.py's classes and timing, request cache off): a word, a
                phrase, a quote check, `top hosts`, `top accounts` (read from the accounts index) and
                `top accounts lang:en` (counted over the tweets), `timeline` by month.
One table puts the two side by side with the ratio three / one; `--json` prints the same figures as one object.

On one machine three nodes share the same CPUs and disk as one node did: they cannot be faster here, and every
document is written twice (the replica). What this measures is what each node holds and costs, the price paid
for a cluster's spare copies and spread-out shards, not the speed-up a cluster of separate machines gives.

The servers are started with scripts/elasticsearch under their own instance names and ports (one node
`bench-one` on 9230; three nodes `bench-three` on 9240-9242, transport 9340-9342), one layout at a time, and
stopped when measured unless `--keep`; servers that already ran are used and left running. `--one URL` and
`--three URL,URL,URL` use given servers instead. Before each load every node is warmed up with an untimed load
of `--warmup-batches` bulk bodies sent through it (`bench_index.warm_up`): a fresh node's first requests run
while its JIT compiles. Figures only; nothing is asserted.

    python bench/bench_cluster.py --tweets 1000000 [--json] [--keep] [--one URL] [--three URL,URL,URL]
    (or: make bench-cluster BENCH_TWEETS=N)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_index import (  # noqa: E402  (the same cached releases, bodies, loads and CPU readings)
    CACHE,
    LOOPBACK,
    bodies_for,
    cpu_seconds,
    release_for,
    run_end_to_end,
    wait_until_quiet,
    warm_up,
)
from bench_search import BROAD, cases, no_request_cache, percentile  # noqa: E402
from bench_search import measure as time_case  # noqa: E402

from common.connection import Settings, connect, parse_hosts  # noqa: E402
from common.errors import UsageError  # noqa: E402
from search.status import cluster_nodes, index_layout, shard_copies  # noqa: E402

SCRIPT = ROOT / "scripts" / "elasticsearch"
CLASSES = ("word", "phrase", "quote EXACT", "top hosts", "top accounts", f"top accounts {BROAD}", "timeline month")
"""bench_search.py's query classes timed here. `top accounts` of the whole archive is read from the accounts
index (one document per account); with `lang:en` it is counted over the tweets' shards."""
LAYOUTS = ("one", "three")
NODES = {"one": 1, "three": 3}
LABELS = {"one": "one node", "three": "three nodes"}


@dataclass(frozen=True)
class Instance:
    """A scripts/elasticsearch instance: its name, first HTTP port and first transport port."""

    name: str
    port: int
    nodes: int
    transport_port: int | None = None
    """Only a cluster's nodes need one of their own: the single node lets the system pick it."""

    def env(self, heap: str | None) -> dict[str, str]:
        """The environment scripts/elasticsearch reads, with the caller's own (a JDK, the cache) kept."""
        values = {"TWEETSEARCH_ES_NAME": self.name, "TWEETSEARCH_ES_PORT": str(self.port)}
        if self.transport_port is not None:
            values["TWEETSEARCH_ES_TRANSPORT_PORT"] = str(self.transport_port)
        if heap:
            values["TWEETSEARCH_ES_HEAP"] = heap
        return values


@dataclass
class Figures:
    """What one layout measured. Byte counts as the server gave them; per node keyed by the node's name."""

    layout: str
    url: str
    nodes: int
    docs: int
    load_seconds: float
    merge_seconds: float
    server_cpu_seconds: float | None
    indexer_peak_mb: float
    primary_shards: int
    replicas: int
    primaries_bytes: int
    total_bytes: int
    heap_used: dict[str, int]
    heap_max: dict[str, int]
    shards: dict[str, int]
    took_p50: dict[str, float]


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure of each layout (a list: one per node, its largest taken for the ratio)."""

    key: str
    label: str
    one: float | list[float] | None
    three: float | list[float] | None
    shape: str

    @property
    def ratio(self) -> float | None:
        return ratio(self.one, self.three)


WARMUP_TWEETS = 200_000


def _scalar(value: float | list[float] | None) -> float | None:
    if isinstance(value, list):
        return max(value) if value else None
    return value


def ratio(one: float | list[float] | None, three: float | list[float] | None) -> float | None:
    """three / one, or None when either is missing or one is zero (a ratio of nothing says nothing)."""
    first, second = _scalar(one), _scalar(three)
    if first is None or second is None or first == 0:
        return None
    return second / first


def cell(value: float | list[float] | None, shape: str) -> str:
    """A figure as printed: per-node lists joined with `/`, a missing figure as `–`."""
    if value is None:
        return "–"
    if isinstance(value, list):
        return "/".join(shape.format(item) for item in value)
    return shape.format(value)


def _mb(count: int) -> float:
    return count / 1e6


def rows(one: Figures, three: Figures) -> list[Row]:
    """The table's lines, in the order printed."""
    figures: list[tuple[str, str, Callable[[Figures], float | list[float] | None], str]] = [
        ("load_s", "load s", lambda f: f.load_seconds, "{:,.1f}"),
        ("load_docs_per_s", "load docs/s", lambda f: f.docs / f.load_seconds, "{:,.0f}"),
        ("server_cpu_us_per_doc", "server CPU µs/doc, all nodes", _server_us_per_doc, "{:,.0f}"),
        ("merge_s", "merge after the load s", lambda f: f.merge_seconds, "{:,.1f}"),
        ("size_primaries_mb", "index MB, primaries", lambda f: _mb(f.primaries_bytes), "{:,.1f}"),
        ("size_total_mb", "index MB, with replicas", lambda f: _mb(f.total_bytes), "{:,.1f}"),
        ("heap_used_max_mb", "heap used MB, largest node", lambda f: _mb(max(f.heap_used.values())), "{:,.0f}"),
        ("heap_used_sum_mb", "heap used MB, all nodes", lambda f: _mb(sum(f.heap_used.values())), "{:,.0f}"),
        ("shards_per_node", "shard copies per node", lambda f: [float(n) for n in f.shards.values()], "{:.0f}"),
    ]
    lines = [Row(key, label, get(one), get(three), shape) for key, label, get, shape in figures]
    for name in CLASSES:
        key = "took_p50_ms_" + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        lines.append(Row(key, f"took ms p50: {name}", one.took_p50.get(name), three.took_p50.get(name), "{:,.1f}"))
    return lines


def _server_us_per_doc(figures: Figures) -> float | None:
    if figures.server_cpu_seconds is None or not figures.docs:
        return None
    return figures.server_cpu_seconds / figures.docs * 1e6


def table(lines: list[Row]) -> list[str]:
    """The figures of both layouts side by side, and their ratio."""
    header = f"{'figure':<34} {LABELS['one']:>16} {LABELS['three']:>16} {'three/one':>10}"
    printed = [header]
    for line in lines:
        one, three = cell(line.one, line.shape), cell(line.three, line.shape)
        shown = "–" if line.ratio is None else f"{line.ratio:.2f}"
        printed.append(f"{line.label:<34} {one:>16} {three:>16} {shown:>10}")
    return printed


def layout_line(figures: Figures) -> str:
    heap = max(figures.heap_max.values()) / 2**20
    return (
        f"{LABELS[figures.layout]}: {figures.url}, {figures.docs:,} tweets in {figures.primary_shards} primary "
        f"shard(s) with {figures.replicas} replica(s) each, heap {heap:,.0f} MiB per node"
    )


def the_point(cpus: int | None) -> str:
    return (
        f"The point: on one {cpus or '?'}-core machine three nodes cannot be faster than one (they share its CPUs and "
        "disk, and every document is also written to a replica); this measures what each node holds and costs."
    )


def summary(args: argparse.Namespace, one: Figures, three: Figures) -> dict[str, Any]:
    """Everything measured as one JSON-ready object, README tables to be made from it."""
    return {
        "tweets": args.tweets,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "warmup": args.warmup,
        "one": asdict(one),
        "three": asdict(three),
        "rows": {line.key: {"label": line.label, "one": line.one, "three": line.three, "ratio": line.ratio}
                 for line in rows(one, three)},
    }  # fmt: skip


def _hosts(text: str) -> str:
    try:
        return ",".join(parse_hosts(text))
    except UsageError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=CACHE, help="where generated releases and bodies are kept")
    parser.add_argument("--alias", default="bench-cluster", help="the alias loaded on each layout")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per search class")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls per class before those")
    parser.add_argument("--warmup-batches", type=int, default=20, help="bulk bodies of the untimed warm-up load")
    parser.add_argument("--merge-limit", type=float, default=3600.0, help="longest wait for the load's merge, s")
    parser.add_argument("--one", type=_hosts, metavar="URL", help="use this single node instead of starting one")
    parser.add_argument("--three", type=_hosts, metavar="URL,URL,URL", help="use this three-node cluster")
    parser.add_argument("--one-name", default="bench-one", help="scripts/elasticsearch instance of the single node")
    parser.add_argument("--one-port", type=int, default=9230)
    parser.add_argument("--three-name", default="bench-three", help="scripts/elasticsearch instance of the cluster")
    parser.add_argument("--three-port", type=int, default=9240, help="first HTTP port of the three nodes")
    parser.add_argument("--three-transport-port", type=int, default=9340, help="first transport port")
    parser.add_argument("--heap", help="heap of each node started here (default: scripts/elasticsearch's, 1g)")
    parser.add_argument("--keep", action="store_true", help="leave the servers started here running, and the index")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object (progress: stderr)")
    args = parser.parse_args(argv)
    if args.tweets < 1 or args.repeat < 1:
        parser.error("--tweets and --repeat take a positive number")
    return args


def instance_for(args: argparse.Namespace, layout: str) -> Instance:
    if layout == "one":
        return Instance(args.one_name, args.one_port, 1)
    return Instance(args.three_name, args.three_port, 3, args.three_transport_port)


def scripts(command: str, instance: Instance, heap: str | None, *extra: str) -> str:
    """Runs scripts/elasticsearch for `instance`; returns what it printed on stdout (its messages go to stderr)."""
    done = subprocess.run(
        [str(SCRIPT), command, *extra], env={**os.environ, **instance.env(heap)}, stdout=subprocess.PIPE,
        stderr=sys.stderr, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"scripts/elasticsearch {command} {' '.join(extra)} failed for instance {instance.name}")
    return done.stdout.strip()


@contextmanager
def servers(args: argparse.Namespace, layout: str) -> Iterator[str]:
    """The layout's URL list: the given one, or an instance started here (stopped afterwards unless `--keep`;
    an instance that already ran is left running)."""
    given = args.one if layout == "one" else args.three
    if given:
        yield given
        return
    instance = instance_for(args, layout)
    nodes = ("--nodes", str(instance.nodes)) if instance.nodes > 1 else ()
    ran_before = bool(scripts("pids", instance, args.heap))
    try:
        scripts("start", instance, args.heap, *nodes)
        yield scripts("url", instance, args.heap, *nodes)
    finally:
        # `stop` ends only the processes in the instance's own pid files: a server of someone else's that
        # answered at the port (and that `start` then used) is left alone.
        if not ran_before and not args.keep:
            scripts("stop", instance, args.heap)


def local_pids(es, hosts: list[str]) -> list[int] | None:
    """The nodes' process ids when every node runs on this machine (their CPU is then read from /proc)."""
    if any(urlsplit(host).hostname not in LOOPBACK for host in hosts):
        return None
    nodes = es.nodes.info(metric="process", filter_path="nodes.*.process.id").body.get("nodes", {})
    pids = [node["process"]["id"] for node in nodes.values()]
    try:
        if all(b"elasticsearch" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in pids):
            return pids
    except OSError:
        pass
    return None


def cluster_cpu(pids: list[int] | None) -> float | None:
    """CPU seconds all the nodes used so far."""
    if pids is None:
        return None
    return sum(cpu_seconds(pid) or 0.0 for pid in pids)


def remove(es, alias: str) -> None:
    """The alias's tweets and accounts indices, closed ones included."""
    names = es.indices.get(index=f"{alias}-v*,{alias}-accounts-v*", allow_no_indices=True, expand_wildcards="all")
    if names.body:
        es.indices.delete(index=",".join(names.body))


def wait_for_merges(es, index: str, copies: int, limit: float) -> float:
    """Seconds until the load's merge into one segment has ended on every copy: no force merge task left on
    any node and no merge running on any shard of `index`."""
    from elasticsearch.exceptions import GeneralAvailabilityWarning

    started = time.monotonic()
    while time.monotonic() - started < limit:
        # The task list is the only place a shard still queued for the merge shows (merges.current counts the
        # running ones); the client warns on every call that the API is a technical preview.
        with warnings.catch_warnings(action="ignore", category=GeneralAvailabilityWarning):
            tasks = es.tasks.list(actions="indices:admin/forcemerge*").body.get("nodes", {})
        merging = index_stats(es, index, "merge", copies)["total"]["merges"]["current"]
        if not any(node.get("tasks") for node in tasks.values()) and merging == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    raise SystemExit(f"{index}: still merging after {limit:.0f} s (--merge-limit)")


def index_stats(es, index: str, metric: str, copies: int, tries: int = 30) -> dict[str, Any]:
    """`index`'s stats (`_all`) once all its `copies` shard copies answered, primaries among them: on a busy
    machine a copy can miss the answer, and its figures would silently be left out of the sums (one run at
    30,000 tweets on three nodes counted no primary at all and half the copies)."""
    for _ in range(tries):
        body = es.indices.stats(index=index, metric=metric).body
        answered, figures = body["_shards"], body["_all"]
        if answered.get("failed", 0) == 0 and answered.get("successful") == copies and figures["primaries"]:
            return figures
        time.sleep(1.0)
    raise SystemExit(f"{index}: {answered.get('successful')} of its {copies} shard copies answered for {metric} stats")


def store_bytes(es, index: str, copies: int) -> tuple[int, int]:
    """The index on disk: primaries, and all copies."""
    es.indices.flush(index=index)
    figures = index_stats(es, index, "store", copies)
    primaries, total = figures["primaries"]["store"]["size_in_bytes"], figures["total"]["store"]["size_in_bytes"]
    if not 0 < primaries <= total:
        raise SystemExit(f"{index}: the server counts {primaries:,} bytes of primaries in {total:,} in all")
    return primaries, total


def heap(es, nodes: int) -> tuple[dict[str, int], dict[str, int]]:
    """Heap used and heap size of each of the `nodes` nodes, by node name."""
    answer = es.nodes.stats(metric="jvm", filter_path="_nodes,nodes.*.name,nodes.*.jvm.mem").body
    if answer["_nodes"].get("successful") != nodes:
        raise SystemExit(f"not every one of the {nodes} nodes told its heap: {answer['_nodes']}")
    memory = {node["name"]: node["jvm"]["mem"] for node in answer["nodes"].values()}
    used = {name: memory[name]["heap_used_in_bytes"] for name in sorted(memory)}
    return used, {name: memory[name]["heap_max_in_bytes"] for name in sorted(memory)}


def warm_every_node(es, hosts: list[str], alias: str, bodies: Path, args: argparse.Namespace) -> None:
    """`--warmup-batches` bulk bodies sent through each node in turn, untimed (`bench_index.warm_up`, again while
    the release has fewer bodies than that). A fresh node's first requests run while its JIT compiles; a cluster
    has three JVMs to warm, and the load spreads its requests over all three. Measured at 30,000 tweets, one
    warm-up through the first node only left a fresh cluster's load 2.4 times as long as the same load once warm."""
    available = len(bodies.with_suffix(".offsets").read_text().split()) - 1
    batches = min(args.warmup_batches, available)
    for host in hosts:
        for _ in range(math.ceil(args.warmup_batches / max(1, available))):
            warm_up(es, host, alias, bodies, args.in_flight, None, batches)


def searches(es, alias: str, truth: dict[str, Any], args: argparse.Namespace) -> dict[str, float]:
    """p50 of the server's `took` of each of CLASSES, timed as bench_search.py times them."""
    with no_request_cache(es, alias):
        chosen = {case.name: case for case in cases(es, alias, truth, {})}
        return {
            name: percentile(time_case(es, alias, chosen[name], args.warmup, args.repeat).took, 0.5) for name in CLASSES
        }


def measure(args: argparse.Namespace, layout: str, url: str, release: Path, truth: dict[str, Any]) -> Figures:
    """Warm-up, load, merge, then the figures of one layout."""
    settings = Settings.from_env(url=url)
    es = connect(settings)
    es.options(request_timeout=300).cluster.health(wait_for_status="yellow", timeout="240s")
    health = es.cluster.health().body
    data_nodes = health["number_of_data_nodes"]
    if data_nodes != NODES[layout]:
        raise SystemExit(f"{LABELS[layout]}: {settings.display_url} has {data_nodes} data node(s), not {NODES[layout]}")
    remove(es, args.alias)
    pids = local_pids(es, settings.hosts)
    if args.warmup_batches:
        # The warm-up's bodies come from a release of at most WARMUP_TWEETS: at 10M the release's own would be
        # 20 GB written to disk for the few batches a warm-up sends.
        warmup = release_for(min(args.tweets, WARMUP_TWEETS), args.seed, args.cache)
        warm_every_node(es, settings.hosts, f"{args.alias}-warmup", bodies_for(warmup, args.batch_size), args)
    wait_until_quiet(es, None)
    print(f"-- {LABELS[layout]}: loading {release.name} into {args.alias} at {settings.display_url}", flush=True)
    before = cluster_cpu(pids)
    run, peak_kb = run_end_to_end(release, url, args.alias, args.batch_size, args.in_flight, None)
    after = cluster_cpu(pids)
    run = replace(run, server_cpu=None if before is None or after is None else after - before)
    print(run.line(LABELS[layout]), flush=True)
    index = next(iter(es.indices.get_alias(name=args.alias).body))
    es.options(request_timeout=300).cluster.health(
        index=index, wait_for_status="green", wait_for_no_relocating_shards=True, timeout="240s"
    )
    shards, replicas = index_layout(es, [index])[index]
    copies = shards * (1 + replicas)
    merge_seconds = wait_for_merges(es, index, copies, args.merge_limit)
    print(f"{LABELS[layout]}: the merge into one segment ended {merge_seconds:.1f} s after the load", flush=True)
    primaries, total = store_bytes(es, index, copies)
    used, size = heap(es, health["number_of_nodes"])
    took = searches(es, args.alias, truth, args)
    copies = {node.name: node.copies for node in cluster_nodes(es, shard_copies(es, [index]))}
    figures = Figures(
        layout=layout, url=settings.display_url, nodes=data_nodes, docs=run.docs, load_seconds=run.seconds,
        merge_seconds=merge_seconds, server_cpu_seconds=run.server_cpu, indexer_peak_mb=peak_kb / 1024,
        primary_shards=shards, replicas=replicas, primaries_bytes=primaries, total_bytes=total, heap_used=used,
        heap_max=size, shards=copies, took_p50=took,
    )  # fmt: skip
    if not args.keep:
        remove(es, args.alias)
    return figures


def run(args: argparse.Namespace) -> tuple[Figures, Figures]:
    release = release_for(args.tweets, args.seed, args.cache)
    truth = json.loads((release / "ground_truth.json").read_text())
    measured: dict[str, Figures] = {}
    print(f"{args.tweets:,} tweets into one node, then into three ({os.cpu_count()} CPUs on this machine)")
    for layout in LAYOUTS:  # one at a time: two layouts running at once would share the CPUs
        with servers(args, layout) as url:
            measured[layout] = measure(args, layout, url, release, truth)
    return measured["one"], measured["three"]


def main() -> None:
    args = parse_args()
    with ExitStack() as stack:
        if args.json:  # progress to stderr, the JSON object alone on stdout
            stack.enter_context(redirect_stdout(sys.stderr))
        one, three = run(args)
    if args.json:
        print(json.dumps(summary(args, one, three), indent=2, ensure_ascii=False))
        return
    print(f"\n{args.tweets:,} tweets; search p50 of {args.repeat} calls per class after {args.warmup} warm-ups")
    print(layout_line(one))
    print(layout_line(three))
    print(the_point(os.cpu_count()))
    print("\n".join(table(rows(one, three))))


if __name__ == "__main__":
    main()
