"""The library's results as JSON: the one encoding behind the CLI's `--json` and the web pages' JSON twins, so a
script gets the same fields from both.

Dataclasses become objects of their output fields (`output_fields`), times ISO 8601, sets and tuples lists.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import orjson


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
