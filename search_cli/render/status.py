"""`status`: the server, the alias, the index behind it and the tweets per campaign."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from search.status import Status


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
    if status.accounts is None:
        missing = "no accounts index (an older load): `index --rebuild` makes one"
        facts.add_row("accounts", Text(missing, style="yellow"))
    else:
        facts.add_row("accounts", f"{status.accounts:,} (with their profiles, for bio:, name:, location:)")
    merging = ", merging into one (searches answer meanwhile, faster once it is done)" if status.merging else ""
    facts.add_row("segments", f"{status.segments:,}{merging}")
    for older in status.older:
        facts.add_row(
            "not searched",
            f"{older.name}: {older.documents:,} tweets, {older.size_bytes / 1e6:,.1f} MB "
            "(an index the alias left; `index --rebuild --drop-replaced` deletes what a rebuild replaces)",
        )
    campaigns = Table(title="tweets per campaign", title_justify="left")
    campaigns.add_column("campaign")
    campaigns.add_column("tweets", justify="right")
    for name, count in status.campaigns:
        campaigns.add_row(name, f"{count:,}")
    return Group(facts, campaigns)
