"""CLI start-up benchmark: how long `tweetsearch --help` and a search take, and the search's overhead.

The overhead is the command's wall time minus the server's own `took` for the same query, so it is what
the tool adds (interpreter start, imports, connection, rendering). Median of `--runs` runs; figures only.
Needs an index with tweets behind the alias (`make demo` makes one).

    python bench/bench_cli.py [--alias tweets] [--query vote] [--runs 7]
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
from search.tweets import search_tweets  # noqa: E402

TWEETSEARCH = str(ROOT / ".venv" / "bin" / "tweetsearch")


def wall_time(command: list[str], runs: int) -> float:
    """Median seconds over `runs` runs; a failing run stops the benchmark with its message."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alias", default=os.environ.get("TWEETSEARCH_ALIAS", "tweets"))
    parser.add_argument("--query", default="vote")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    settings = Settings.from_env(alias=args.alias)
    es = connect(settings)
    help_s = wall_time([TWEETSEARCH, "--help"], args.runs)
    python_s = wall_time([sys.executable, "-c", "pass"], args.runs)
    search = [TWEETSEARCH, "--alias", args.alias, "search", args.query, "--format", "jsonl", "--limit", "20"]
    search_s = wall_time(search, args.runs)
    took_ms = statistics.median(search_tweets(es, args.alias, args.query, limit=20).took_ms for _ in range(args.runs))
    print(f"python -c pass              {python_s * 1000:7.0f} ms (the interpreter alone)")
    print(f"tweetsearch --help          {help_s * 1000:7.0f} ms")
    print(f"tweetsearch search {args.query!r:9} {search_s * 1000:7.0f} ms, server took {took_ms:.0f} ms")
    print(f"search overhead over took   {search_s * 1000 - took_ms:7.0f} ms")


if __name__ == "__main__":
    main()
