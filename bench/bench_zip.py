"""Zips with many members: seconds to find and read every row of a zip of N one-row CSV members.

Some releases come as one zip holding many CSV files. Each zip is opened once for finding its members (their
headers included) and once for reading them, so the time grows with the members, not with their square (a zip
reopened per member reads its whole central directory every time: 4,000 members once took two minutes). Two
shapes: every member of one campaign (`same`), and every member a campaign of its own (`own`), which also
exercises the grouping of files by campaign and folder. What `tweetsearch index --dry-run` does, timed in this
process; nothing is asserted.

    python bench/bench_zip.py --members 1000,4000,20000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SHAPES = ("same", "own")


def write_release_zip(path: Path, members: int, shape: str) -> int:
    """A zip of `members` one-row tweets files (stored, as small members often are); returns the rows."""
    from archive_samples import ira_row, quoted_csv

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(members):
            campaign = "ira" if shape == "same" else f"op{n}"
            content = quoted_csv([ira_row(tweetid=str(877919995476496385 + n))])
            archive.writestr(f"{campaign}_tweets_csv_hashed_{n}.csv", content)
    return members


def time_dry_run(path: Path, rejects: Path) -> tuple[float, int]:
    """Seconds for `validate_archive` over the zip, and the rows it read."""
    from indexer.loader import validate_archive

    started = time.perf_counter()
    summary = validate_archive([path], rejects)
    return time.perf_counter() - started, summary.rows_read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", default="1000,4000,20000", help="comma-separated member counts")
    parser.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated, of {', '.join(SHAPES)}")
    args = parser.parse_args()
    counts = [int(count) for count in args.members.split(",")]
    shapes = [shape for shape in args.shapes.split(",") if shape]
    unknown = sorted(set(shapes) - set(SHAPES))
    if unknown:
        parser.error(f"unknown shapes {unknown}; choose from {', '.join(SHAPES)}")
    print(f"{'shape':<6} {'members':>8} {'rows':>8} {'seconds':>9} {'ms/member':>10}")
    with tempfile.TemporaryDirectory(prefix="bench-zip-") as folder:
        for shape in shapes:
            for count in counts:
                path = Path(folder) / f"{shape}_{count}.zip"
                expected = write_release_zip(path, count, shape)
                seconds, rows = time_dry_run(path, Path(folder) / f"{shape}_{count}.rejects.jsonl")
                if rows != expected:
                    print(f"error: read {rows:,} rows of {expected:,}", file=sys.stderr)
                    sys.exit(1)
                print(f"{shape:<6} {count:>8,} {rows:>8,} {seconds:>9.2f} {1000 * seconds / count:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
