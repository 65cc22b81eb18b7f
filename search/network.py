"""Networks of accounts, as files for Gephi, Cytoscape, igraph or a spreadsheet.

Nodes are accounts (userid), with their screen name, campaign and tweets among those the query matches; an
account outside the archive (retweeted, mentioned or replied to) has the tweets count 0 and no campaign.
Edges, by `kind`:

- `coordination`: two accounts that co-acted (`search.coordination`), weighted by their co-actions;
  undirected.
- `retweet`, `mention`, `reply`: who retweeted, mentioned or replied to whom, weighted by the number of tweets;
  directed. Counted by a composite aggregation on the server, page by page, so no tweet is fetched.

networkx writes the files: GEXF (`.gexf`) and GraphML (`.graphml`) carry the node attributes; CSV (`.csv`)
is the edge list with each end's screen name and campaign. Archived names are hostile input: control
characters, which XML 1.0 cannot hold at all, are replaced by U+FFFD, and networkx escapes the XML. In the CSV,
meant for spreadsheets too, an account's userid, screen name or campaign that a spreadsheet would run as a
formula gets a leading `'` (`search.spreadsheet`), unless `raw_cells` asks for the archive's bytes; the weights
and item counts are the project's numbers and are written as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from common.errors import ExportError, LimitReached, UsageError
from search import profiles
from search.choices import DEFAULT_MIN_REPEATS, DEFAULT_WINDOW
from search.coordination import MAX_PAIRS, CoordinationReport, find_coordination
from search.files import atomic_file
from search.point_in_time import composite_buckets
from search.query_context import query_for
from search.spreadsheet import spreadsheet_cell

if TYPE_CHECKING:
    import networkx as nx
    from elasticsearch import Elasticsearch

NETWORK_KINDS: tuple[str, ...] = ("coordination", "retweet", "mention", "reply")
NETWORK_FORMATS: dict[str, str] = {".gexf": "gexf", ".graphml": "graphml", ".csv": "csv"}
TARGET_FIELDS = {"retweet": "retweet_userid", "mention": "user_mentions", "reply": "in_reply_to_userid"}
COMPOSITE_PAGE = 10_000
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class NetworkLimits:
    """What building one network may hold: the coordination analysis's account pairs and tweets read
    (`find_coordination`'s `max_pairs` and `max_tweets`), and the edges of any kind. The command line keeps the
    analysis's own limits; the web sets lower ones, since any page a reader opens can ask for a network."""

    pairs: int = MAX_PAIRS
    tweets: int | None = None
    edges: int | None = None


@dataclass
class NetworkSummary:
    kind: str
    query: str
    format: str
    target: str
    nodes: int
    edges: int
    weight: int
    """The edges' weights added up: co-actions, or retweets, mentions or replies."""
    directed: bool
    coordination: CoordinationReport | None = None


def network_format(target: str, fmt: str | None = None) -> str:
    """The file format: `fmt` when given, else from the name's suffix (CSV on standard output). Raises
    `UsageError` when neither says."""
    if fmt is not None:
        if fmt not in NETWORK_FORMATS.values():
            raise UsageError(f"unknown network format {fmt!r}: gexf, graphml or csv")
        return fmt
    if target == "-":
        return "csv"
    found = NETWORK_FORMATS.get(Path(target).suffix.lower())
    if found is None:
        raise UsageError(f"cannot tell the format of {target!r}: name it .gexf, .graphml or .csv, or give --format")
    return found


def build_network(
    es: Elasticsearch,
    alias: str,
    query_text: str = "",
    *,
    kind: str = "coordination",
    by: str = "text",
    window: str = DEFAULT_WINDOW,
    min_repeats: int = DEFAULT_MIN_REPEATS,
    limits: NetworkLimits = NetworkLimits(),
) -> tuple[nx.Graph, CoordinationReport | None]:
    """The network of `kind` among the tweets matching `query_text` (for `coordination`, with the analysis's
    `by`, `window` and `min_repeats`), and the coordination report it came from. Raises `LimitReached` past
    `limits`, before the rest is read."""
    import networkx as nx

    if kind not in NETWORK_KINDS:
        raise UsageError(f"unknown network kind {kind!r}: {', '.join(NETWORK_KINDS)}")
    report = None
    graph: nx.Graph
    query = query_for(es, alias, query_text)
    if kind == "coordination":
        report = find_coordination(
            es, alias, query_text, by=by, window=window, min_repeats=min_repeats,
            max_pairs=limits.pairs, max_tweets=limits.tweets,
        )  # fmt: skip
        _check_edges(len(report.pairs), limits.edges)
        graph = nx.Graph()
        for pair in report.pairs:
            graph.add_edge(pair.a, pair.b, weight=pair.co_actions, items=pair.items)
    else:
        graph = nx.DiGraph()
        # Each (account, target) comes once from the aggregation: the edges are counted as they come.
        for edges, (source, target, count) in enumerate(_interactions(es, alias, query, TARGET_FIELDS[kind]), 1):
            _check_edges(edges, limits.edges)
            graph.add_edge(source, target, weight=count)
    _describe_nodes(es, alias, query, graph, report.screen_names if report is not None else None)
    return graph, report


def _check_edges(edges: int, most: int | None) -> None:
    if most is not None and edges > most:
        raise LimitReached(f"the network has more than {most:,} edges: narrow the query (a campaign, a date range)")


def write_network(graph: nx.Graph, sink: BinaryIO, fmt: str, *, raw_cells: bool = False) -> None:
    """`graph` in `fmt`; `raw_cells` only changes CSV (GEXF and GraphML are XML, always exact and escaped)."""
    import networkx as nx

    if fmt == "gexf":
        nx.write_gexf(graph, sink)
    elif fmt == "graphml":
        nx.write_graphml(graph, sink)
    else:
        sink.write(edges_csv(graph, raw_cells=raw_cells).encode())


def edges_csv(graph: nx.Graph, *, raw_cells: bool = False) -> str:
    """One row per edge: each end's userid, screen name and campaign, and the weight (and shared items).

    The archive's text (userids, screen names, campaigns) goes through `spreadsheet_cell` unless `raw_cells`;
    the weight and items are counts and are written as numbers."""
    cell = str if raw_cells else spreadsheet_cell
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["source", "source_screen_name", "source_campaign", "target", "target_screen_name",
                     "target_campaign", "weight", "items"])  # fmt: skip
    nodes = graph.nodes
    for a, b, data in sorted(graph.edges(data=True), key=lambda edge: (-edge[2]["weight"], edge[0], edge[1])):
        ends = [a, nodes[a]["screen_name"], nodes[a]["campaign"], b, nodes[b]["screen_name"], nodes[b]["campaign"]]
        writer.writerow([*map(cell, ends), data["weight"], data.get("items", "")])
    return text.getvalue()


def network_to_file(
    es: Elasticsearch,
    alias: str,
    query_text: str,
    target: str | BinaryIO,
    *,
    kind: str = "coordination",
    fmt: str | None = None,
    by: str = "text",
    window: str = DEFAULT_WINDOW,
    min_repeats: int = DEFAULT_MIN_REPEATS,
    raw_cells: bool = False,
    limits: NetworkLimits = NetworkLimits(),
) -> NetworkSummary:
    """Builds the network and writes it to `target`: a file, whole or not at all (`-` is standard output), or an
    open binary stream (a web download; `fmt` says the format). The network is built before anything is written,
    so a bad query or window leaves no file. A CSV is safe to open in a spreadsheet unless `raw_cells`."""
    chosen = network_format(target if isinstance(target, str) else "", fmt)
    graph, report = build_network(
        es, alias, query_text, kind=kind, by=by, window=window, min_repeats=min_repeats, limits=limits
    )
    if not isinstance(target, str):
        write_network(graph, target, chosen, raw_cells=raw_cells)
    elif target == "-":
        import sys

        write_network(graph, sys.stdout.buffer, chosen, raw_cells=raw_cells)
        sys.stdout.flush()
    else:
        with atomic_file(Path(target), ExportError) as sink:
            write_network(graph, sink, chosen, raw_cells=raw_cells)
    return NetworkSummary(
        kind=kind,
        query=query_text,
        format=chosen,
        target=target if isinstance(target, str) else "",
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        weight=sum(weight for _, _, weight in graph.edges(data="weight")),
        directed=graph.is_directed(),
        coordination=report,
    )


def _interactions(es: Elasticsearch, alias: str, query: dict[str, Any], field: str) -> Iterator[tuple[str, str, int]]:
    """(account, the account it retweeted, mentioned or replied to, tweets), every pair, page by page."""
    narrowed = {"bool": {"filter": [query, {"exists": {"field": field}}]}}
    sources = [{"source": {"terms": {"field": "userid"}}}, {"target": {"terms": {"field": field}}}]
    yield from (
        (str(key["source"]), str(key["target"]), count)
        for key, count in composite_buckets(es, alias, narrowed, sources, COMPOSITE_PAGE)
    )


def _describe_nodes(
    es: Elasticsearch, alias: str, query: dict[str, Any], graph: nx.Graph, names: Mapping[str, str] | None
) -> None:
    """Each node's screen name (newest known; `names` when the coordination report has read them already),
    campaign and matching tweets; none may be None in GraphML."""
    if not graph.number_of_nodes():
        return
    accounts = sorted(graph.nodes)
    if names is None:
        names = profiles.screen_names(es, alias, accounts) if profiles.available(es, alias) else {}
    tweets: dict[str, int] = {}
    campaigns: dict[str, str] = {}
    for start in range(0, len(accounts), COMPOSITE_PAGE):
        batch = accounts[start : start + COMPOSITE_PAGE]
        narrowed = {"bool": {"filter": [query, {"terms": {"userid": batch}}]}}
        sources = [{"account": {"terms": {"field": "userid"}}}, {"campaign": {"terms": {"field": "campaign"}}}]
        for key, count in composite_buckets(es, alias, narrowed, sources, COMPOSITE_PAGE):
            userid = str(key["account"])
            tweets[userid] = tweets.get(userid, 0) + count
            campaigns.setdefault(userid, str(key["campaign"]))
    for userid in accounts:
        graph.nodes[userid].update(
            screen_name=_xml_safe(names.get(userid, "")),
            campaign=campaigns.get(userid, ""),
            tweets=tweets.get(userid, 0),
            label=_xml_safe(names.get(userid) or userid),
        )


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
