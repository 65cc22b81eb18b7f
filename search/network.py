"""Networks of accounts, as files for Gephi, Cytoscape, igraph or a spreadsheet.

Nodes are accounts (userid), with their screen name, campaign and tweets among those the query matches; an
account outside the archive (retweeted, mentioned or replied to) has the tweets count 0 and no campaign, and the
name the tweets give it (`archived_names`): these are often a network's hubs, and a hub labelled by a number
reads as an unknown one. An account the archive names nowhere keeps its userid as its label, and the summary
counts them.
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
from dataclasses import dataclass, field
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
HUBS = 5
"""Hubs a network's summary names."""
NAMES_PAGE = 1_000
"""Accounts whose names one request looks up in the tweets (a terms aggregation with a bucket each)."""
MENTIONS_PER_TWEET = 50
"""Names counted under each mentioned account: more than a tweet's 280 characters can mention."""
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
    unnamed: int = 0
    """Accounts the archive gives no name anywhere (no profile, no retweet, no unambiguous @mention): labelled
    by their userid in every format."""
    hubs: list[Hub] = field(default_factory=list)
    """The most retweeted, mentioned or replied-to accounts (the most co-acting for `coordination`), by name."""
    coordination: CoordinationReport | None = None


@dataclass(frozen=True)
class Hub:
    """One of a network's most central accounts: its userid, the name the archive gives it ("" for none), and
    the weight of its edges (incoming ones in a directed network)."""

    userid: str
    screen_name: str
    weight: int


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
        unnamed=sum(1 for _, name in graph.nodes(data="screen_name") if not name),
        hubs=network_hubs(graph),
        coordination=report,
    )


def network_hubs(graph: nx.Graph, most: int = HUBS) -> list[Hub]:
    """The `most` accounts with the heaviest edges (incoming ones when `graph` is directed), heaviest first."""
    weights = graph.in_degree(weight="weight") if graph.is_directed() else graph.degree(weight="weight")
    ranked = sorted(weights, key=lambda node: (-node[1], node[0]))[:most]
    return [Hub(userid, graph.nodes[userid].get("screen_name", ""), int(weight)) for userid, weight in ranked]


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
    names = {**names, **archived_names(es, alias, [userid for userid in accounts if not names.get(userid)], names)}
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


def archived_names(es: Elasticsearch, alias: str, userids: list[str], known: Mapping[str, str]) -> dict[str, str]:
    """userid → the screen name the tweets give an account that no profile names: the retweeted, mentioned and
    replied-to accounts outside the archive, often a network's hubs.

    Over the whole archive, not only the query's tweets: a name is a fact about the account. In order:
    `user_screen_name` of its own tweets (an index without an accounts index), `retweeted_screen_name` of the
    tweets retweeting it (newest first), then the @name every tweet mentioning it (`user_mentions`) or replying
    to it (`in_reply_to_userid`) carries, once the names `known` and found already are set aside. A name that
    two accounts could hold, or that every such tweet does not carry, is left out: a node stays labelled by its
    userid rather than by a name that may be another account's."""
    found: dict[str, str] = {}
    for id_field, name_field in (("userid", "user_screen_name"), ("retweet_userid", "retweeted_screen_name")):
        wanted = [userid for userid in userids if userid not in found]
        found.update(_newest_names(es, alias, wanted, id_field, name_field))
    taken = {name.lower() for name in [*known.values(), *found.values()] if name}
    for id_field in ("user_mentions", "in_reply_to_userid"):
        wanted = [userid for userid in userids if userid not in found]
        named = {userid for userid, name in [*known.items(), *found.items()] if name}
        inferred = _mentioned_names(es, alias, wanted, id_field, taken, named)
        found.update(inferred)
        taken.update(name.lower() for name in inferred.values())
    return found


def _newest_names(es: Elasticsearch, alias: str, userids: list[str], id_field: str, name_field: str) -> dict[str, str]:
    """userid → `name_field` as written in its newest tweet whose `id_field` is that userid. The keyword is
    lower-cased in the index, so the name is read from the tweet itself."""
    names: dict[str, str] = {}
    for start in range(0, len(userids), NAMES_PAGE):
        batch = userids[start : start + NAMES_PAGE]
        newest = {"top_hits": {"size": 1, "sort": [{"tweet_time": {"order": "desc"}}], "_source": [name_field]}}
        buckets = _name_buckets(es, alias, batch, id_field, name_field, {"newest": newest})
        for bucket in buckets:
            hits = bucket["newest"]["hits"]["hits"]
            name = hits[0]["_source"].get(name_field) if hits else None
            if isinstance(name, str) and name:
                names[str(bucket["key"])] = name
    return names


def _mentioned_names(
    es: Elasticsearch, alias: str, userids: list[str], id_field: str, taken: set[str], named: set[str]
) -> dict[str, str]:
    """userid → the one @name (`mention_names`) that every tweet whose `id_field` holds the userid carries, besides
    the names `taken` by other accounts, when every tweet carrying that @name holds the userid and no other id
    in `id_field` but those `named` already (two accounts mentioned always together name neither); written as
    in the newest such tweet's text."""
    names: dict[str, str] = {}
    for start in range(0, len(userids), NAMES_PAGE):
        batch = userids[start : start + NAMES_PAGE]
        aggs = {
            "names": {"terms": {"field": "mention_names", "size": MENTIONS_PER_TWEET}},
            "newest": {"top_hits": {"size": 1, "sort": [{"tweet_time": {"order": "desc"}}], "_source": ["tweet_text"]}},
        }
        for bucket in _buckets(es, alias, id_field, batch, aggs):
            every = [
                str(name["key"])
                for name in bucket["names"]["buckets"]
                if name["doc_count"] == bucket["doc_count"] and str(name["key"]) not in taken
            ]
            if len(every) == 1:
                hits = bucket["newest"]["hits"]["hits"]
                text = hits[0]["_source"].get("tweet_text") if hits else None
                names[str(bucket["key"])] = _as_written(every[0], text if isinstance(text, str) else "")
    # The other way round: each @name's tweets must all hold its account, and only it, among the ids.
    holders: dict[str, list[str]] = {}
    wanted = sorted({name.lower() for name in names.values()})
    for start in range(0, len(wanted), NAMES_PAGE):
        aggs = {"ids": {"terms": {"field": id_field, "size": MENTIONS_PER_TWEET}}}
        for bucket in _buckets(es, alias, "mention_names", wanted[start : start + NAMES_PAGE], aggs):
            holders[str(bucket["key"])] = [
                str(held["key"])
                for held in bucket["ids"]["buckets"]
                if held["doc_count"] == bucket["doc_count"] and str(held["key"]) not in named
            ]
    return {userid: name for userid, name in names.items() if holders.get(name.lower()) == [userid]}


def _name_buckets(
    es: Elasticsearch, alias: str, userids: list[str], id_field: str, name_field: str, aggs: dict[str, Any]
) -> list[dict[str, Any]]:
    """One bucket per userid of `userids` found in `id_field` among the tweets that carry `name_field`."""
    return _buckets(es, alias, id_field, userids, aggs, {"exists": {"field": name_field}})


def _buckets(
    es: Elasticsearch,
    alias: str,
    field: str,
    keys: list[str],
    aggs: dict[str, Any],
    narrowed: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One bucket per value of `keys` found in `field`, over the whole archive (and `narrowed`), with `aggs`."""
    from search.tweets import whole_answer  # here: search.tweets imports search.query_context, as this does

    if not keys:
        return []
    query = {"bool": {"filter": [{"terms": {field: keys}}, *([narrowed] if narrowed else [])]}}
    terms = {"field": field, "include": keys, "size": len(keys)}
    answer = whole_answer(
        es.search(index=alias, size=0, query=query, aggs={"accounts": {"terms": terms, "aggs": aggs}}).body
    )
    return answer["aggregations"]["accounts"]["buckets"]


def _as_written(name: str, text: str) -> str:
    """`name` (lower-cased by the index) with the letters' case of its @mention in `text`, when it is there."""
    match = re.search(rf"@({re.escape(name)})(?![\w])", text, flags=re.IGNORECASE)
    return match.group(1) if match else name


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
