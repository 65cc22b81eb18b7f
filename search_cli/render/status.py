"""`status`: the server and its nodes, the alias, the index behind it, where its shards are, its health in words
and the tweets per campaign."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from search.safe_text import one_line
from search_cli.render.shared import plural

if TYPE_CHECKING:
    from search.status import Health, Node, ShardCopy, Status

HEALTH_STYLE = {"green": "green", "yellow": "yellow", "red": "bold red"}


def render_status(status: Status) -> Group:
    server = status.server
    facts = Table.grid(padding=(0, 2))
    facts.add_column(no_wrap=True)
    facts.add_column(overflow="fold")  # a cluster's list of URLs is cut nowhere
    facts.add_row("server", _plain(server.url))
    facts.add_row("version", _plain(f"Elasticsearch {server.version} (cluster {server.cluster_name}, {server.health})"))
    if status.health is not None:
        facts.add_row("nodes", _node_count(status.health))
    facts.add_row("alias", _plain(status.alias))
    parts: list[object] = [facts]
    if not status.indices:
        facts.add_row("index", Text("none yet: load an archive with `tweetsearch index FILE.csv`", style="yellow"))
        return Group(*parts, *_nodes_table(status.nodes))
    facts.add_row("index", _plain(", ".join(status.indices)))
    for name, (shards, replicas) in status.layout.items():
        label = f"{name}: " if len(status.layout) > 1 else ""
        facts.add_row(
            "layout", _plain(f"{label}{plural(shards, 'primary shard')}, {plural(replicas, 'replica')} of each")
        )
    if status.health is not None:
        facts.add_row("health", Text(status.health.meaning, style=HEALTH_STYLE.get(status.health.index, "")))
    short = " (partial: some shards have no copy, see health)" if status.partial_reason else ""
    facts.add_row("tweets", f"{status.documents:,}{short}")
    if status.accounts_unavailable:
        facts.add_row("accounts", Text("unknown: the accounts index has no copy on a running node", style="red"))
    elif status.accounts is None:
        missing = "no accounts index (an older load): `index --rebuild` makes one"
        facts.add_row("accounts", Text(missing, style="yellow"))
    else:
        facts.add_row("accounts", f"{status.accounts:,} (with their profiles, for bio:, name:, location:)")
    merging = ", merging into one (searches answer meanwhile, faster once it is done)" if status.merging else ""
    primaries = sum(shards for shards, _ in status.layout.values())
    across = f" across {primaries:,} primary shards" if primaries > 1 else ""
    facts.add_row("segments", f"{status.segments:,}{across}{merging}")
    for older in status.older:
        facts.add_row(
            "not searched",
            _plain(
                f"{older.name}: {older.documents:,} tweets, {older.size_bytes / 1e6:,.1f} MB "
                "(an index the alias left; `index --rebuild --drop-replaced` deletes what a rebuild replaces)"
            ),
        )
    campaigns = Table(title=f"tweets per campaign{short}", title_justify="left")
    campaigns.add_column("campaign")
    campaigns.add_column("tweets", justify="right")
    for name, count in status.campaigns:
        campaigns.add_row(_plain(name), f"{count:,}")
    return Group(*parts, *_nodes_table(status.nodes), *_shards_table(status.shards), campaigns)


def _node_count(health: Health) -> str:
    data = "" if health.data_nodes == health.nodes else f", {plural(health.data_nodes, 'data node')}"
    return f"{health.nodes:,}{data}"


def _nodes_table(nodes: list[Node]) -> list[Table]:
    """The nodes, when there is more than one (a single node's facts are the server's)."""
    if len(nodes) < 2:
        return []
    table = Table(title="nodes", title_justify="left")
    table.add_column("node", overflow="fold")
    table.add_column("address", overflow="fold")
    table.add_column("roles", overflow="fold")
    for header in ("heap used", "disk used", "disk free", "shard copies"):
        table.add_column(header, justify="right", overflow="fold")
    for node in nodes:
        roles = _roles(node.roles) + (", elected master" if node.master else "")
        table.add_row(
            _plain(node.name),
            _plain(node.address),
            _plain(roles),
            f"{_size(node.heap_used_bytes)} of {_size(node.heap_max_bytes)}",
            _size(node.disk_used_bytes),
            _size(node.disk_available_bytes),
            f"{node.copies:,}",
        )
    return [table]


def _roles(letters: str) -> str:
    """Elasticsearch's role letters in words, for the two roles that matter here: whether the node holds data
    (any data tier) and whether it may be elected master."""
    words = []
    if set(letters) & set("dhwcfs"):
        words.append("data")
    if "m" in letters:
        words.append("master-eligible")
    return ", ".join(words) or letters or "coordinating only"


def _shards_table(shards: list[ShardCopy]) -> list[Table]:
    """Where each copy of each shard is, when there is more than one copy in all."""
    if len(shards) < 2:
        return []
    table = Table(title="shards", title_justify="left")
    for header in ("index", "shard", "copy", "node", "state", "tweets", "size"):
        table.add_column(header, justify="right" if header in ("shard", "tweets", "size") else "left", overflow="fold")
    for copy in shards:
        state = copy.state if copy.state != "UNASSIGNED" else f"UNASSIGNED ({copy.unassigned_reason or '?'})"
        table.add_row(
            _plain(copy.index),
            str(copy.shard),
            "primary" if copy.primary else "replica",
            _plain(copy.node or "(none)"),
            Text(one_line(state), style="" if copy.state == "STARTED" else "yellow"),
            "" if copy.documents is None else f"{copy.documents:,}",
            "" if copy.size_bytes is None else _size(copy.size_bytes),
        )
    return [table]


def _plain(value: str) -> Text:
    """A name as it is: never read as markup (an alias or index may hold `[`), control characters shown."""
    return Text(one_line(value))


def _size(size: int) -> str:
    """Bytes in the largest unit that keeps the number above 1 (`1.2 GB`, `640.0 MB`)."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size / 1e3:,.1f} kB"
