"""What a script reads: JSON, JSON lines and CSV on stdout, written as bytes so pipes get the data and nothing else.

Dataclasses become objects of their output fields (`output_fields`), times ISO 8601, sets and tuples lists.
"""

from __future__ import annotations

import csv
import dataclasses
import sys
from datetime import date, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from search.aggregate import Timeline


def count_text(total: int, fmt: str) -> str:
    """`--count` in the format asked for: the bare number, a CSV with its header, or a JSON object."""
    if fmt == "table":
        return str(total)
    if fmt == "csv":
        return f"count\n{total}"
    return f'{{"count": {total}}}'


def output_fields(row_type: type) -> list[str]:
    """A dataclass's fields that go into JSON and CSV, in order: those not marked `metadata={"output": False}`
    (a hit's highlight spans, which only the terminal shows)."""
    return [item.name for item in dataclasses.fields(row_type) if item.metadata.get("output", True)]


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # One level only: orjson calls back here for the dataclasses inside.
        return {name: getattr(value, name) for name in output_fields(type(value))}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def to_json(value: Any, *, pretty: bool = True) -> bytes:
    option = orjson.OPT_INDENT_2 if pretty else 0
    # Dataclasses pass through `_default`, so fields marked not for output are left out at every depth.
    option |= orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
    return orjson.dumps(value, default=_default, option=option)


def print_json(value: Any, *, pretty: bool = True) -> None:
    """Writes JSON to stdout as bytes, so pipes get exactly the data and nothing else."""
    sys.stdout.buffer.write(to_json(value, pretty=pretty) + b"\n")
    sys.stdout.flush()


def write_rows(rows: list[Any], fmt: str, *, row_type: type, total: int | None = None) -> None:
    """Writes dataclass rows to stdout as JSON (an object with the total), JSON lines or CSV.

    `row_type` (the rows' dataclass) names the CSV columns, so an empty result still has its header.
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
            writer.writerow([_csv_value(getattr(row, name)) for name in fields])
    sys.stdout.flush()


def _csv_value(value: Any) -> Any:
    """A CSV cell: lists joined with `|`, times in ISO 8601, booleans as `true`/`false` (as JSON writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
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
