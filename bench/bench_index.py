"""Indexing benchmark: `tweetsearch index` end to end against the raw ceiling of the same server.

In one run, on the same server and generated data:
  (a) the ceiling: the same documents, pre-serialised as bulk bodies, posted with the same concurrency and
      batch size by a minimal client (urllib3, no parsing, no checks beyond errors) into a fresh index;
  (b) `tweetsearch index` end to end from the CSV files into another fresh index, as a user runs it.
Prints docs/s of both and their ratio (target: e2e >= 0.9 x ceiling), the indexer's peak memory (target:
under 300 MB) and the index size on disk per million tweets. Figures only; nothing is asserted.

    python bench/bench_index.py --tweets 1000000          (or: make bench BENCH_TWEETS=1000000)
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.archive import discover, read_archive  # noqa: E402
from indexer.connection import Settings, connect  # noqa: E402
from indexer.document import to_document  # noqa: E402
from indexer.generate import generate_release  # noqa: E402
from indexer.loader import speed_up_loading  # noqa: E402
from indexer.mapping import create_version, switch_alias  # noqa: E402
from indexer.records import Reject  # noqa: E402

CACHE = ROOT / ".cache" / "bench"
# The indexer runs under a tiny wrapper that reports its peak RSS: measured from this (large) process,
# a forked child's RSS would include the pages it shared with its parent before exec.
PEAK_MEMORY_WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def release_for(tweets: int, seed: int) -> Path:
    """Generated once per size and seed, then reused by later runs."""
    folder = CACHE / f"release-{tweets}-{seed}"
    if not (folder / "ground_truth.json").exists():
        print(f"generating {tweets:,} tweets into {folder} (once)", flush=True)
        generate_release(folder, tweets=tweets, seed=seed)
    return folder


def bodies_for(release: Path, batch_size: int) -> Path:
    """Bulk bodies of `batch_size` documents each, one per line of an index file of byte offsets."""
    target = release / f"bulk-bodies-{batch_size}.ndjson"
    offsets = target.with_suffix(".offsets")
    if target.exists() and offsets.exists():
        return target
    print(f"serialising bulk bodies into {target} (once)", flush=True)
    marks = [0]
    with target.open("wb") as out:
        in_batch = 0
        for item in read_archive(discover([release])):
            if isinstance(item, Reject):
                continue
            out.write(orjson.dumps({"index": {"_id": item.tweetid}}) + b"\n" + orjson.dumps(to_document(item)) + b"\n")
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


def run_ceiling(es, url: str, alias: str, bodies: Path, in_flight: int) -> tuple[int, float, str]:
    index = fresh_index(es, alias)
    pool = urllib3.PoolManager(maxsize=in_flight)
    endpoint = f"{url.rstrip('/')}/{index}/_bulk"
    headers = {"Content-Type": "application/x-ndjson"}

    def post(body: bytes) -> int:
        while True:
            answer = pool.request("POST", endpoint, body=body, headers=headers)
            data = orjson.loads(answer.data)
            if answer.status == 429 or any(next(iter(i.values()))["status"] == 429 for i in data.get("items", [])):
                time.sleep(0.2)
                continue
            if data.get("errors"):
                raise SystemExit(f"ceiling run: the server rejected documents: {answer.data[:300]!r}")
            return len(data["items"])

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=in_flight) as executor:
        docs = sum(executor.map(post, chunks(bodies)))
    elapsed = time.monotonic() - started
    es.indices.put_settings(index=index, settings={"index": {"refresh_interval": "1s"}})
    return docs, elapsed, index


def run_end_to_end(release: Path, url: str, alias: str, batch_size: int, in_flight: int) -> tuple[int, float, int]:
    rejects = CACHE / "bench-rejects.jsonl"
    command = [
        str(ROOT / ".venv" / "bin" / "tweetsearch"), "--url", url, "--alias", alias, "index", str(release),
        "--rebuild", "--json", "--rejects", str(rejects), "--batch-size", str(batch_size),
        "--in-flight", str(in_flight),
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", PEAK_MEMORY_WRAPPER, *command], capture_output=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"tweetsearch index failed: {done.stderr.decode()[-500:]}")
    summary = orjson.loads(done.stdout)
    peak_kb = int(done.stderr.decode().strip().splitlines()[-1])
    return summary["indexed"], elapsed, peak_kb


def store_bytes(es, index: str) -> int:
    es.indices.refresh(index=index)
    es.indices.flush(index=index)
    return es.indices.stats(index=index, metric="store").body["_all"]["primaries"]["store"]["size_in_bytes"]


def remove(es, alias: str) -> None:
    names = list(es.indices.get(index=f"{alias}-v*", allow_no_indices=True).body)
    if names:
        es.indices.delete(index=",".join(names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark indices afterwards")
    args = parser.parse_args()

    settings = Settings.from_env()
    es = connect(settings)
    release = release_for(args.tweets, args.seed)
    bodies = bodies_for(release, args.batch_size)
    for alias in ("bench-ceiling", "bench-e2e"):
        remove(es, alias)

    print(f"server {settings.display_url}, {args.tweets:,} tweets, batch {args.batch_size}, in flight {args.in_flight}")
    ceiling_docs, ceiling_s, ceiling_index = run_ceiling(es, settings.url, "bench-ceiling", bodies, args.in_flight)
    print(f"(a) ceiling      {ceiling_docs:>10,} docs in {ceiling_s:7.1f} s = {ceiling_docs / ceiling_s:>9,.0f} docs/s")
    e2e_docs, e2e_s, peak_kb = run_end_to_end(release, settings.url, "bench-e2e", args.batch_size, args.in_flight)
    print(f"(b) end to end   {e2e_docs:>10,} docs in {e2e_s:7.1f} s = {e2e_docs / e2e_s:>9,.0f} docs/s")
    ratio = (e2e_docs / e2e_s) / (ceiling_docs / ceiling_s)
    print(f"ratio e2e / ceiling: {ratio:.2f} (target >= 0.90)")
    print(f"indexer peak memory: {peak_kb / 1024:,.0f} MB (target < 300 MB)")
    e2e_index = next(iter(es.indices.get_alias(name="bench-e2e").body))
    size = store_bytes(es, e2e_index)
    print(f"index size on disk: {size / 1e6:,.0f} MB = {size / 1e6 / (e2e_docs / 1e6):,.0f} MB per million tweets")
    print(f"ceiling index size: {store_bytes(es, ceiling_index) / 1e6:,.0f} MB (cpu count {os.cpu_count()})")
    if not args.keep:
        for alias in ("bench-ceiling", "bench-e2e"):
            remove(es, alias)


if __name__ == "__main__":
    main()
