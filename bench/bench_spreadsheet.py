"""What neutralising formula cells (`search.spreadsheet`) costs an export: CSV rows encoded per second, raw and
spreadsheet-safe, over the published columns of a generated release.

The rows are read from a synthetic release once (`generator.release`, the archive reader), then encoded as
`export` encodes a page: `encode_csv` of the records as they are (`--raw-cells`) and through `spreadsheet_row`.
Figures only, nothing asserted; no server needed.

    python bench/bench_spreadsheet.py [--tweets 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.records import TWEET_COLUMNS, TweetRecord  # noqa: E402
from generator.release import generate_release  # noqa: E402
from indexer.archive import read_archive  # noqa: E402
from search.export import encode_csv  # noqa: E402
from search.spreadsheet import spreadsheet_row  # noqa: E402


def published_rows(tweets: int) -> list[list[str]]:
    """The published column strings of a generated release's tweets, as an export reads them from `raw`."""
    with tempfile.TemporaryDirectory() as folder:
        generate_release(Path(folder), tweets=tweets, seed=7)
        records = [item for item in read_archive(Path(folder)) if isinstance(item, TweetRecord)]
    return [[record.raw.get(column) or "" for column in TWEET_COLUMNS] for record in records]


def best_seconds(encode, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        encode()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = published_rows(args.tweets)
    changed = sum(cell != safe for row in rows for cell, safe in zip(row, spreadsheet_row(row), strict=True))
    print(f"{len(rows):,} rows of {len(TWEET_COLUMNS)} columns; {changed:,} cells would start a formula")
    raw = best_seconds(lambda: encode_csv(rows), args.rounds)
    safe = best_seconds(lambda: encode_csv(map(spreadsheet_row, rows)), args.rounds)
    for name, seconds in (("raw cells", raw), ("spreadsheet-safe", safe)):
        print(f"{name:>17}: {len(rows) / seconds:>10,.0f} rows/s ({seconds:.2f} s, best of {args.rounds})")
    print(f"{'cost':>17}: {(safe - raw) / len(rows) * 1e6:.1f} µs a row")


if __name__ == "__main__":
    main()
