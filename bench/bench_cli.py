"""CLI start-up benchmark: wall time of `--help`, `search --help`, a search and a quote, beside a bare interpreter.

Each command is run `--runs` times in a fresh process and its p50 (and p95) printed next to `python -c pass`,
so what the tool adds to an interpreter start is read off directly. For the search, the server's own `took`
for the same query is printed too: wall minus took is the tool's overhead (imports, connection, rendering).
`search --help` parses a command without asking the server anything: it is start-up alone. Figures only,
nothing asserted. Needs an index with tweets behind the alias (`make demo` makes one), on a warm server.

    python bench/bench_cli.py [--alias tweets] [--query vote] [--quote "..."] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.connection import Settings, connect  # noqa: E402
from common.errors import EXACT_EXIT, NEAR_EXIT, NOT_FOUND_EXIT  # noqa: E402
from search.tweets import search_tweets  # noqa: E402

TWEETSEARCH = str(ROOT / ".venv" / "bin" / "tweetsearch")
QUOTE_EXITS = (EXACT_EXIT, NEAR_EXIT, NOT_FOUND_EXIT)
"""A quote check's verdicts are exit codes: any of them is a run that worked."""


def wall_times(command: list[str], runs: int, ok: tuple[int, ...] = (0,)) -> list[float]:
    """Seconds of each of `runs` runs, after one untimed run (disk cache, server caches); a run ending with an
    exit code outside `ok` stops the benchmark with its message."""
    times = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode not in ok:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
        if attempt:
            times.append(elapsed)
    return times


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: with a handful of runs an interpolated p95 would be a figure never measured."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def line(label: str, times: list[float], baseline: float | None = None, extra: str = "") -> str:
    p50 = statistics.median(times) * 1000
    added = f"  (+{p50 - baseline * 1000:4.0f} over python)" if baseline is not None else ""
    return f"{label:34} p50 {p50:5.0f} ms  p95 {percentile(times, 0.95) * 1000:5.0f} ms{added}{extra}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alias", default=os.environ.get("TWEETSEARCH_ALIAS", "tweets"))
    parser.add_argument("--query", default="vote")
    parser.add_argument("--quote", default="we must vote for the future of our country")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    es = connect(Settings.from_env(alias=args.alias))
    took_ms = statistics.median(search_tweets(es, args.alias, args.query, limit=20).took_ms for _ in range(args.runs))
    target = [TWEETSEARCH, "--alias", args.alias]
    python = wall_times([sys.executable, "-c", "pass"], args.runs)
    baseline = statistics.median(python)
    print(line("python -c pass", python, extra="  (the interpreter alone)"))
    print(line("tweetsearch --help", wall_times([TWEETSEARCH, "--help"], args.runs), baseline))
    print(line("tweetsearch search --help", wall_times([TWEETSEARCH, "search", "--help"], args.runs), baseline))
    search = wall_times([*target, "search", args.query, "--format", "jsonl", "--limit", "20"], args.runs)
    print(line(f"tweetsearch search {args.query!r}", search, baseline, f", server took {took_ms:.0f} ms"))
    quote = wall_times([*target, "quote", args.quote], args.runs, ok=QUOTE_EXITS)
    print(line("tweetsearch quote", quote, baseline))


if __name__ == "__main__":
    main()
