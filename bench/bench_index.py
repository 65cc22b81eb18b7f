"""Indexing benchmark: `tweetsearch index` end to end against the raw ceiling of the same server.

In one run, on the same server and generated data:
  (a) the ceiling: the same documents, pre-serialised as bulk bodies, posted with the same concurrency and
      batch size by a minimal client (urllib3, no parsing, no checks beyond errors) into a fresh index, timed
      like a load: from creating the index to the documents being searchable;
  (b) `tweetsearch index` end to end from the CSV files into another fresh index, as a user runs it.
Prints docs/s of both and their ratio (target: e2e >= 0.9 x ceiling), the indexer's peak memory (target:
under 300 MB) and the index size on disk per million tweets. Figures only; nothing is asserted.

So that neither side pays for the other, the server is warmed up first (an untimed load, for its JIT), each
run starts once the server has gone quiet again (the previous run's merges done), the first run's index is
closed while the second runs, and with `--rounds` the order alternates: ceiling first in odd rounds, end to
end first in even ones.

The pair is measured twice when the server runs on this machine (`--cpus both`, the default):
  shared  server and client on all CPUs, competing: on a small machine every microsecond the indexer spends
          reading CSV is taken from the server, so the ratio mostly says how the two split the CPU;
  split   the server pinned to one half of the CPUs and both clients to the other, as when Elasticsearch has
          its own machine: the ratio says whether the indexer keeps the server as busy as a bare client does.
The CPU time each side used is printed per document, so the two figures can be told apart.

    python bench/bench_index.py --tweets 1000000 [--cpus shared|split|both] [--rounds N]
    (or: make bench BENCH_TWEETS=N BENCH_CPUS=... BENCH_ROUNDS=N)
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.connection import Settings, connect  # noqa: E402
from common.local_credentials import find_local_credentials  # noqa: E402
from common.mapping import create_version, switch_alias  # noqa: E402
from common.records import Reject  # noqa: E402
from generator.release import generate_release  # noqa: E402
from indexer.archive import discover, read_archive  # noqa: E402
from indexer.bulk import encode_action  # noqa: E402
from indexer.document import to_document  # noqa: E402
from indexer.loader import speed_up_loading  # noqa: E402

CACHE = ROOT / ".cache" / "bench"
# The indexer runs under a tiny wrapper that reports its peak RSS and CPU time: measured from this (large)
# process, a forked child's RSS would include the pages it shared with its parent before exec.
PEAK_MEMORY_WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "use = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(use.ru_maxrss, use.ru_utime + use.ru_stime, file=sys.stderr); sys.exit(code)"
)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Run:
    """One measured load: documents, wall time and the CPU seconds each side spent on it."""

    docs: int
    seconds: float
    client_cpu: float
    server_cpu: float | None

    @property
    def rate(self) -> float:
        return self.docs / self.seconds

    def line(self, label: str) -> str:
        cost = f"client {self.client_cpu / self.docs * 1e6:5.0f} µs/doc"
        if self.server_cpu is not None:
            cost = f"server {self.server_cpu / self.docs * 1e6:5.0f} µs/doc, {cost}"
        return f"{label:<14} {self.docs:>10,} docs in {self.seconds:7.1f} s = {self.rate:>9,.0f} docs/s   ({cost})"


def local_server_pid(es, url: str) -> int | None:
    """The server's process id when it runs on this machine (its CPU use and affinity are then ours to read)."""
    if urlsplit(url).hostname not in LOOPBACK:
        return None
    nodes = es.nodes.info(node_id="_local", metric="process", filter_path="nodes.*.process.id").body
    pids = [node["process"]["id"] for node in nodes.get("nodes", {}).values()]
    if len(pids) != 1:
        return None
    try:
        command = Path(f"/proc/{pids[0]}/cmdline").read_bytes()
    except OSError:
        return None
    return pids[0] if b"elasticsearch" in command else None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process so far, from /proc (Linux)."""
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pin_process(pid: int, cpus: set[int]) -> None:
    for task in Path(f"/proc/{pid}/task").iterdir():
        with suppress(ProcessLookupError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(task.name), cpus)


@contextmanager
def split_cpus(server_pid: int) -> Iterator[tuple[set[int], set[int]]]:
    """Pins the server to one half of the CPUs and this process (and what it starts) to the other half."""
    cpus = sorted(os.sched_getaffinity(0))
    half = (len(cpus) + 1) // 2
    server, client = set(cpus[:half]), set(cpus[half:])
    server_before, client_before = os.sched_getaffinity(server_pid), os.sched_getaffinity(0)
    _pin_process(server_pid, server)
    os.sched_setaffinity(0, client)
    try:
        yield server, client
    finally:
        _pin_process(server_pid, server_before)
        os.sched_setaffinity(0, client_before)


def release_for(tweets: int, seed: int, cache: Path = CACHE) -> Path:
    """Generated once per size and seed, then reused by later runs."""
    folder = cache / f"release-{tweets}-{seed}"
    if not (folder / "ground_truth.json").exists():
        print(f"generating {tweets:,} tweets into {folder} (once)", flush=True)
        generate_release(folder, tweets=tweets, seed=seed)
    return folder


def bodies_for(release: Path, batch_size: int) -> Path:
    """Bulk bodies of `batch_size` documents each, one per line of an index file of byte offsets."""
    target = release / f"bulk-bodies-{batch_size}.ndjson"
    offsets = target.with_suffix(".offsets")
    # Made again when the code that shapes documents changed since: both runs must send the same documents.
    shaping = max(path.stat().st_mtime for path in (ROOT / "indexer").glob("*.py"))
    if target.exists() and offsets.exists() and offsets.stat().st_mtime > shaping:
        return target
    print(f"serialising bulk bodies into {target} (once)", flush=True)
    marks = [0]
    with target.open("wb") as out:
        in_batch = 0
        for item in read_archive(discover([release])):
            if isinstance(item, Reject):
                continue
            out.write(encode_action(item.tweetid, to_document(item), (item.source_file, item.line)).body)
            in_batch += 1
            if in_batch == batch_size:
                marks.append(out.tell())
                in_batch = 0
        if in_batch:
            marks.append(out.tell())
    offsets.write_text("\n".join(map(str, marks)))
    return target


def chunks(bodies: Path) -> Iterator[bytes]:
    marks = [int(line) for line in bodies.with_suffix(".offsets").read_text().split()]
    with bodies.open("rb") as source:
        for start, end in itertools.pairwise(marks):
            source.seek(start)
            yield source.read(end - start)


def fresh_index(es, alias: str) -> str:
    """A new version from the project's template, loaded fast (refresh off, no replicas)."""
    name = create_version(es, alias)
    switch_alias(es, alias, name)
    speed_up_loading(es, name)
    return name


def poster(url: str, index: str, in_flight: int) -> Callable[[bytes], int]:
    """Posts one bulk body to `index` (again after a 429) and returns how many documents the server indexed.

    Given several nodes (a cluster's comma-separated list), it takes them in turn, as tweetsearch's client
    spreads its requests."""
    pool = urllib3.PoolManager(maxsize=in_flight)
    query = "_bulk?filter_path=errors,items.*.status,items.*.error.reason"
    endpoints = itertools.cycle(f"{node.strip().rstrip('/')}/{index}/{query}" for node in url.split(","))
    headers = {"Content-Type": "application/x-ndjson"}
    local = find_local_credentials(url.split(","))  # the local server runs with security on
    if local is not None:
        headers.update(urllib3.make_headers(basic_auth=f"{local.username}:{local.password}"))

    def post(body: bytes) -> int:
        while True:
            answer = pool.request("POST", next(endpoints), body=body, headers=headers)
            data = orjson.loads(answer.data)
            statuses = [next(iter(item.values()))["status"] for item in data.get("items", [])]
            if answer.status == 429 or 429 in statuses:
                time.sleep(0.2)
                continue
            if answer.status >= 300 or data.get("errors"):
                raise SystemExit(f"{index}: the server refused documents: {answer.data[:300]!r}")
            return len(statuses)

    return post


def run_ceiling(
    es, url: str, alias: str, bodies: Path, in_flight: int, server_pid: int | None, limit: int | None = None
) -> Run:
    """Timed like a load: from creating the index to the documents being searchable (refresh back on).
    `limit` sends only that many bodies."""
    server_before, client_before, started = cpu_seconds(server_pid), time.process_time(), time.monotonic()
    index = fresh_index(es, alias)
    with ThreadPoolExecutor(max_workers=in_flight) as executor:
        docs = sum(executor.map(poster(url, index, in_flight), itertools.islice(chunks(bodies), limit)))
    es.indices.put_settings(index=index, settings={"index": {"refresh_interval": "1s"}})
    es.indices.refresh(index=index)
    elapsed = time.monotonic() - started
    server_cpu = None if server_before is None else cpu_seconds(server_pid) - server_before
    return Run(docs, elapsed, time.process_time() - client_before, server_cpu)


def run_end_to_end(
    release: Path, url: str, alias: str, batch_size: int, in_flight: int, server_pid: int | None
) -> tuple[Run, int]:
    """`tweetsearch index --rebuild` as a user runs it; returns the run and the indexer's peak RSS in KiB."""
    rejects = release.parent / f"{alias}-rejects.jsonl"
    command = [
        str(ROOT / ".venv" / "bin" / "tweetsearch"), "--url", url, "--alias", alias, "index", str(release),
        "--rebuild", "--json", "--rejects", str(rejects), "--batch-size", str(batch_size),
        "--in-flight", str(in_flight),
    ]  # fmt: skip
    server_before, started = cpu_seconds(server_pid), time.monotonic()
    done = subprocess.run([sys.executable, "-c", PEAK_MEMORY_WRAPPER, *command], capture_output=True, check=False)
    elapsed = time.monotonic() - started
    server_cpu = None if server_before is None else cpu_seconds(server_pid) - server_before
    if done.returncode != 0:
        raise SystemExit(f"tweetsearch index failed: {done.stderr.decode()[-500:]}")
    summary = orjson.loads(done.stdout)
    peak_kb, client_cpu = done.stderr.decode().strip().splitlines()[-1].split()
    return Run(summary["indexed"], elapsed, float(client_cpu), server_cpu), int(peak_kb)


def store_bytes(es, index: str) -> int:
    es.indices.refresh(index=index)
    es.indices.flush(index=index)
    return es.indices.stats(index=index, metric="store").body["_all"]["primaries"]["store"]["size_in_bytes"]


def warm_up(es, url: str, alias: str, bodies: Path, in_flight: int, server_pid: int | None, batches: int = 20) -> None:
    """An untimed load of the first bodies into a throwaway index: the server's first requests run in its
    interpreter while the JIT compiles, and whichever run came first would pay for that."""
    run_ceiling(es, url, alias, bodies, in_flight, server_pid, limit=batches)
    remove(es, alias)


def wait_until_quiet(es, server_pid: int | None, limit: float = 120.0) -> None:
    """Waits for the server to finish the previous run's background work (segment merges, flushes), so that
    it is not charged to the next run: until its CPU use stays under a tenth of a core for a second when it
    runs here, else until no merge is running."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server_pid is not None:
            before = cpu_seconds(server_pid)
            time.sleep(1.0)
            if cpu_seconds(server_pid) - before < 0.1:
                return
        else:
            merges = es.nodes.stats(metric="indices", index_metric="merge").body["nodes"]
            if all(node["indices"]["merges"]["current"] == 0 for node in merges.values()):
                return
            time.sleep(1.0)


def versions(es, alias: str) -> list[str]:
    """The benchmark's indices behind `alias`, closed ones included."""
    return list(es.indices.get(index=f"{alias}-v*", allow_no_indices=True, expand_wildcards="all").body)


def remove(es, alias: str) -> None:
    names = versions(es, alias)
    if names:
        es.indices.delete(index=",".join(names))


def measure(es, settings: Settings, release: Path, bodies: Path, args, server_pid: int | None) -> int:
    """`--rounds` ceiling/end-to-end pairs on fresh indices, one after the other; prints each pair, its ratio
    and, over several rounds, the median ratio. Returns the indexer's peak RSS in KiB."""
    ratios, peaks = [], []
    aliases = {"ceiling": args.ceiling_alias, "e2e": args.e2e_alias}
    for number in range(args.rounds):
        for alias in (args.ceiling_alias, args.e2e_alias):
            remove(es, alias)
        runs: dict[str, Run] = {}
        order = ("ceiling", "e2e") if number % 2 == 0 else ("e2e", "ceiling")
        if args.rounds > 1:
            print(f"round {number + 1}: {' first, then '.join(order)}")
        for side in order:
            if side == order[1]:
                # The first run's index is closed during the second: open, its segments would take the server's
                # heap and memory, and it would be charged to whichever run comes second.
                es.indices.close(index=",".join(versions(es, aliases[order[0]])))
            wait_until_quiet(es, server_pid)
            if side == "ceiling":
                runs[side] = run_ceiling(es, settings.url, args.ceiling_alias, bodies, args.in_flight, server_pid)
            else:
                runs[side], peak_kb = run_end_to_end(
                    release, settings.url, args.e2e_alias, args.batch_size, args.in_flight, server_pid
                )
                peaks.append(peak_kb)
        es.indices.open(index=",".join(versions(es, aliases[order[0]])), wait_for_active_shards="all")
        ceiling, e2e = runs["ceiling"], runs["e2e"]
        print(ceiling.line("(a) ceiling"))
        print(e2e.line("(b) end to end"))
        ratios.append(e2e.rate / ceiling.rate)
        print(f"ratio e2e / ceiling: {ratios[-1]:.2f} (target >= 0.90)", flush=True)
    if len(ratios) > 1:
        listed = ", ".join(f"{ratio:.2f}" for ratio in ratios)
        print(f"median ratio over {len(ratios)} rounds: {statistics.median(ratios):.2f} ({listed})", flush=True)
    return max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=2)
    parser.add_argument("--cpus", choices=("shared", "split", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=1, help="pairs measured per CPU mode (the median is printed)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark indices afterwards")
    parser.add_argument("--prefix", default="bench", help="the benchmark's aliases: PREFIX-ceiling, PREFIX-e2e")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where generated releases and bodies are kept")
    args = parser.parse_args()
    args.ceiling_alias, args.e2e_alias = f"{args.prefix}-ceiling", f"{args.prefix}-e2e"

    settings = Settings.from_env()
    es = connect(settings)
    release = release_for(args.tweets, args.seed, args.cache)
    bodies = bodies_for(release, args.batch_size)
    server_pid = local_server_pid(es, settings.url)
    modes = ["shared", "split"] if args.cpus == "both" else [args.cpus]
    if "split" in modes and (server_pid is None or len(os.sched_getaffinity(0)) < 2):
        print("split CPUs: needs a server on this machine and at least 2 CPUs; measuring shared only")
        modes = ["shared"]

    print(f"server {settings.display_url}, {args.tweets:,} tweets, batch {args.batch_size}, in flight {args.in_flight}")
    peaks = []
    for mode in modes:
        pinning = split_cpus(server_pid) if mode == "split" else nullcontext()
        try:
            with pinning as cpus:
                where = f"server on CPUs {sorted(cpus[0])}, clients on {sorted(cpus[1])}" if cpus else "all CPUs"
                print(f"-- {mode}: {where}")
                warm_up(es, settings.url, f"{args.prefix}-warmup", bodies, args.in_flight, server_pid)
                peaks.append(measure(es, settings, release, bodies, args, server_pid))
        except PermissionError:
            print(f"-- {mode}: skipped, this user may not pin the server's threads (run as root or as its user)")
    if not peaks:
        return
    print(f"indexer peak memory: {max(peaks) / 1024:,.0f} MB (target < 300 MB)")
    e2e_index = next(iter(es.indices.get_alias(name=args.e2e_alias).body))
    ceiling_index = next(iter(es.indices.get_alias(name=args.ceiling_alias).body))
    size = store_bytes(es, e2e_index)
    docs = es.count(index=e2e_index).body["count"]
    print(f"index size on disk: {size / 1e6:,.0f} MB = {size / 1e6 / (docs / 1e6):,.0f} MB per million tweets")
    print(f"ceiling index size: {store_bytes(es, ceiling_index) / 1e6:,.0f} MB (cpu count {os.cpu_count()})")
    if not args.keep:
        for alias in (args.ceiling_alias, args.e2e_alias):
            remove(es, alias)


if __name__ == "__main__":
    main()
