"""The closed sets of words the command line accepts, as types: `--help` lists them and the parser checks them.

Kept apart from the modules that act on them so that reading the command line imports nothing heavy (the
search modules import the Elasticsearch client); those modules check the same names against these.
"""

from __future__ import annotations

from typing import Literal, get_args

OutputFormat = Literal["table", "json", "jsonl", "csv"]
SortOrder = Literal["newest", "oldest", "relevance"]
Interval = Literal["day", "week", "month", "year"]
ExportFormat = Literal["csv", "jsonl"]

OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)
SORT_ORDERS: tuple[str, ...] = get_args(SortOrder)
INTERVALS: tuple[str, ...] = get_args(Interval)
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)
