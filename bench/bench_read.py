"""Archive read-path benchmark: rows per second of the client-side work `tweetsearch index` does per row.

On a machine where the indexer and Elasticsearch share the CPU, every microsecond spent here per row is taken
from the server, so this is what limits `bench_index.py`'s end-to-end/ceiling ratio. Three stages, each timed
in a fresh process (so one stage's warm caches and memory do not flatter the next):
  (1) split     `iter_rows` over every file: rows joined, decoded and split into columns;
  (2) read      `read_archive`: (1) plus typing and enriching each row into a `TweetRecord`;
  (3) encode    (2) plus `to_document` and `encode_action`, the bytes the bulk request sends;
  (4) native    what a load does instead: (3) with the rows the native fast path takes encoded by it, in runs
                (`read_archive(..., encoded=True)` and the loader's `bulk_actions`, see `indexer.native`); as (3)
                when it is not installed.
Prints rows/s, CPU µs per row and the process's peak memory (ru_maxrss) for each; nothing is asserted.

`--baseline DIR` runs the same stages, interleaved round by round, with the `indexer` package found in DIR
(for example an older commit: `git archive <commit> indexer | tar -x -C /tmp/before`), so that a before/after
comparison is measured in one run on a shared, noisy machine. The best round of each is reported.

    python bench/bench_read.py --tweets 200000 --baseline /tmp/before
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("split", "read", "encode", "native")


def _peak_rss_mb() -> float:
    """This process's peak resident memory: ru_maxrss, or on Linux the same figure for this program alone.

    A process started by a large one (this script, after generating a release) inherits its parent's peak in
    ru_maxrss, so on Linux the high-water mark of its own memory (VmHWM) is read instead.
    """
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # Linux reports KiB, macOS bytes.
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_stage(stage: str, release: Path) -> dict[str, float]:
    """Time one stage over the release with whichever `indexer` package is first on `sys.path`."""
    from common.records import Reject
    from indexer.archive import discover, iter_rows, read_archive
    from indexer.bulk import encode_action
    from indexer.document import to_document

    files = discover([release])
    rows = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    if stage == "split":
        for file in files:
            for _ in iter_rows(file):
                rows += 1
    elif stage == "read":
        for _ in read_archive(files):
            rows += 1
    elif stage == "encode":
        for item in read_archive(files):
            rows += 1
            if type(item) is not Reject:
                encode_action(item.tweetid, to_document(item), (item.source_file, item.line))
    else:
        from indexer.loader import Reading, bulk_actions

        reading = Reading(rows=0)
        for _ in bulk_actions(read_archive(files, encoded=True), lambda reject: None, reading):
            pass
        rows = reading.rows
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"rows": rows, "seconds": elapsed, "cpu_seconds": cpu, "peak_mb": _peak_rss_mb()}


def measure(stage: str, release: Path, root: Path) -> dict[str, float]:
    """`run_stage` in a fresh interpreter that imports `indexer` from `root`."""
    command = [sys.executable, __file__, "--worker", stage, "--root", str(root), "--release", str(release)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"stage {stage} with {root} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each stage; the best is reported")
    parser.add_argument("--baseline", type=Path, help="a folder holding another `indexer` package to compare with")
    parser.add_argument("--cache", type=Path, help="where generated releases are kept (default: as bench_index)")
    parser.add_argument("--worker", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--release", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        sys.path.insert(0, str(args.root))
        print(json.dumps(run_stage(args.worker, args.release)))
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_index import CACHE, release_for  # the same cached releases as the indexing benchmark

    release = release_for(args.tweets, args.seed, args.cache or CACHE)
    if args.baseline and not (args.baseline / "indexer" / "__init__.py").exists():
        raise SystemExit(f"{args.baseline}: no indexer package there")
    variants = {"current": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    print(f"{release.name}, best of {args.rounds} rounds, each stage in a fresh process")
    for stage in STAGES:
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.rounds):
            for name, root in variants.items():
                if stage == "native" and name == "baseline" and not (root / "indexer" / "native.py").exists():
                    continue  # a baseline from before the native fast path
                result = measure(stage, release, root)
                if name not in best or result["cpu_seconds"] < best[name]["cpu_seconds"]:
                    best[name] = result
        for name, result in best.items():
            print(
                f"({STAGES.index(stage) + 1}) {stage:<7} {name:<9} {result['rows']:>10,.0f} rows "
                f"{result['rows'] / result['seconds']:>9,.0f} rows/s "
                f"{1e6 * result['cpu_seconds'] / result['rows']:6.1f} CPU µs/row  peak {result['peak_mb']:,.0f} MB"
            )
        if len(best) == 2:
            speed_up = best["baseline"]["cpu_seconds"] / best["current"]["cpu_seconds"]
            print(f"    {stage} speed-up: {speed_up:.2f}x")


if __name__ == "__main__":
    main()
