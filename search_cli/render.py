"""Turning library results into what a person reads (rich tables) or a script reads (JSON)."""

from __future__ import annotations

import dataclasses
import sys
from datetime import date, datetime
from typing import Any

import orjson
from rich.console import Group
from rich.table import Table
from rich.text import Text

from search_cli.status import Status


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def to_json(value: Any, *, pretty: bool = True) -> bytes:
    option = orjson.OPT_INDENT_2 if pretty else 0
    return orjson.dumps(value, default=_default, option=option | orjson.OPT_NON_STR_KEYS)


def print_json(value: Any, *, pretty: bool = True) -> None:
    """Writes JSON to stdout as bytes, so pipes get exactly the data and nothing else."""
    sys.stdout.buffer.write(to_json(value, pretty=pretty) + b"\n")
    sys.stdout.flush()


def render_status(status: Status) -> Group:
    server = status.server
    facts = Table.grid(padding=(0, 2))
    facts.add_row("server", server.url)
    facts.add_row("version", f"Elasticsearch {server.version} (cluster {server.cluster_name}, {server.health})")
    facts.add_row("alias", status.alias)
    if not status.indices:
        facts.add_row("index", Text("none yet: load an archive with `tweetsearch index FILE.csv`", style="yellow"))
        return Group(facts)
    facts.add_row("index", ", ".join(status.indices))
    facts.add_row("tweets", f"{status.documents:,}")
    campaigns = Table(title="tweets per campaign", title_justify="left")
    campaigns.add_column("campaign")
    campaigns.add_column("tweets", justify="right")
    for name, count in status.campaigns:
        campaigns.add_row(name, f"{count:,}")
    return Group(facts, campaigns)
