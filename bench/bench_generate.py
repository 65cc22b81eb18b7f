"""Benchmark the synthetic release generator: rows per second and peak memory (ru_maxrss) for N tweets.

Run: `.venv/bin/python bench/bench_generate.py --tweets 1000000`. Prints figures only; nothing is asserted,
so it can run on slow machines without failing. Peak memory is the whole process's maximum resident set
(interpreter included), which is what matters for "flat memory" on a 10M-row run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from generator.release import generate_release


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--malformed", type=int, default=0)
    parser.add_argument("--compress", choices=("none", "gz", "zip"), default="none")
    parser.add_argument("--split-rows", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="keep the files here (default: a temp dir)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tweetsearch-bench-") as tmp:
        out = args.out or Path(tmp)
        before = _peak_rss_mb()
        started = time.perf_counter()
        summary = generate_release(
            out,
            tweets=args.tweets,
            seed=args.seed,
            malformed=args.malformed,
            compress=args.compress,
            split_rows=args.split_rows,
        )
        seconds = time.perf_counter() - started
        size = sum(f.path.stat().st_size for f in summary.files)
        rows = summary.tweets + summary.malformed_rows
        print(f"tweets:        {summary.tweets:,} (+{summary.malformed_rows} malformed), {summary.users:,} users")
        print(f"files:         {len(summary.files)}, {size / 1e6:,.1f} MB ({args.compress})")
        print(f"elapsed:       {seconds:,.2f} s")
        print(f"rows/s:        {rows / seconds:,.0f}")
        print(f"MB/s written:  {size / 1e6 / seconds:,.1f}")
        print(f"peak RSS:      {_peak_rss_mb():,.1f} MB (before run {before:,.1f} MB)")


if __name__ == "__main__":
    main()
