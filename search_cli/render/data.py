"""What a script reads: JSON, JSON lines and CSV on stdout, written as bytes so pipes get the data and nothing else.

The encoding itself is the library's (`search.serialise`), shared with the web interface's JSON twins. CSV is
opened in spreadsheets, so its archived text goes through `search.spreadsheet` unless `raw_cells` is asked for.
"""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import orjson

from common.shard_retry import recorded_retries
from search.serialise import output_fields, to_json
from search.spreadsheet import spreadsheet_cell

if TYPE_CHECKING:
    from search.aggregate import Timeline


def count_text(total: int, fmt: str) -> str:
    """`--count` in the format asked for: the bare number, a CSV with its header, or a JSON object."""
    if fmt == "table":
        return str(total)
    if fmt == "csv":
        return f"count\n{total}"
    if recorded_retries():
        return to_json(with_retries({"count": total}), pretty=False).decode()
    return f'{{"count": {total}}}'


def with_retries(value: Any) -> Any:
    """`value` with the retries made while it was found under `retried`, when there were any."""
    retried = recorded_retries()
    if not retried or isinstance(value, list):
        return value
    return {**orjson.loads(to_json(value, pretty=False)), "retried": retried}


def print_json(value: Any, *, pretty: bool = True) -> None:
    """Writes JSON to stdout as bytes, so pipes get exactly the data and nothing else.

    An answer that needed a search sent again (a node left while it ran: `common.shard_retry`) says so under
    `retried`, one entry per retry, so that a script can tell a whole answer from one that was made whole."""
    sys.stdout.buffer.write(to_json(with_retries(value), pretty=pretty) + b"\n")
    sys.stdout.flush()


def write_rows(rows: list[Any], fmt: str, *, row_type: type, total: int | None = None, raw_cells: bool = False) -> None:
    """Writes dataclass rows to stdout as JSON (an object with the total), JSON lines or CSV.

    `row_type` (the rows' dataclass) names the CSV columns, so an empty result still has its header. A CSV text
    cell a spreadsheet would run gets a leading `'` unless `raw_cells` (JSON is always exact).
    """
    if fmt == "json":
        print_json({"total": total, "rows": rows})
    elif fmt == "jsonl":
        for row in rows:
            sys.stdout.buffer.write(to_json(row, pretty=False) + b"\n")
    elif fmt == "csv":
        fields = output_fields(row_type)
        writer = csv.writer(sys.stdout)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([_csv_value(getattr(row, name), raw_cells=raw_cells) for name in fields])
    sys.stdout.flush()


def _csv_value(value: Any, *, raw_cells: bool = False) -> Any:
    """A CSV cell: lists joined with `|`, times in ISO 8601, booleans as `true`/`false` (as JSON writes them).

    Text (a string, or a list of them) is the archive's or the user's, so it is made safe for a spreadsheet;
    numbers, times and booleans are the project's own and are written as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        value = "|".join(str(item) for item in value)
    if isinstance(value, str) and not raw_cells:
        return spreadsheet_cell(value)
    return value


def write_series_rows(series: Timeline, fmt: str) -> None:
    """One line per interval on stdout, as JSON lines or CSV (`timeline_columns`: a column per campaign when
    split); an interval's `campaigns` appear only in a split series, so the plain shape stays as it was."""
    from search.aggregate import timeline_columns

    if fmt == "jsonl":
        for bucket in series.buckets:
            record = {"start": bucket.start, "label": bucket.label, "count": bucket.count}
            if bucket.campaigns is not None:
                record["campaigns"] = bucket.campaigns
            sys.stdout.buffer.write(to_json(record, pretty=False) + b"\n")
    else:
        columns, rows = timeline_columns(series)
        writer = csv.DictWriter(sys.stdout, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    sys.stdout.flush()
