"""What `tweetsearch status` reports: the server and its nodes, the alias, the index behind it, where its shards
are, and what it holds; and, in words, what the cluster's health means for searches."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from common.connection import ServerInfo, Settings, missing_shards, server_info
from common.mapping import accounts_alias, existing_versions, searched_indices, versioned_name
from search.tweets import partial_reason

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass(frozen=True)
class OlderVersion:
    """A `<alias>-vN` index the alias no longer points at: a rebuild kept it, and it still takes disk."""

    name: str
    documents: int
    size_bytes: int


@dataclass(frozen=True)
class Node:
    """A node of the cluster, with what it holds of the alias's indices."""

    name: str
    address: str
    roles: str
    """Elasticsearch's role letters (`d` data, `m` master-eligible, ...)."""
    master: bool
    """Whether it is the elected master now."""
    heap_used_bytes: int
    heap_max_bytes: int
    disk_used_bytes: int
    disk_available_bytes: int
    copies: int = 0
    """Shard copies (primaries and replicas) of the alias's indices on this node."""


@dataclass(frozen=True)
class ShardCopy:
    """One copy of one shard of an index behind the alias."""

    index: str
    shard: int
    primary: bool
    state: str
    """STARTED, INITIALIZING, RELOCATING or UNASSIGNED."""
    node: str | None
    documents: int | None = None
    size_bytes: int | None = None
    unassigned_reason: str | None = None


@dataclass(frozen=True)
class Health:
    """The health of the indices searches read (the tweets behind the alias and their accounts index) and of the
    whole cluster."""

    index: str
    cluster: str
    nodes: int
    data_nodes: int
    unassigned_primaries: int
    unassigned_replicas: int
    initializing: int
    relocating: int
    meaning: str = ""
    """`health_meaning` of the above, kept with them so that `status --json` says it too."""


def health_meaning(health: Health) -> str:
    """What the health means for a search, in words: colours alone are what a newsroom should not have to
    decode. Pure, so that each case is tested without taking a cluster apart."""
    replicas = f"{health.unassigned_replicas} replica{'s' if health.unassigned_replicas != 1 else ''}"
    if health.index == "red":
        primaries = health.unassigned_primaries
        shards = "1 shard has" if primaries == 1 else f"{primaries} shards have" if primaries else "some shards have"
        return (
            f"red: {shards} no copy on any running node. Searches and counts over the index "
            "are partial: tweetsearch says so and exits 4 rather than answer short. Start the missing node again "
            "(its data is on its disk), and the index turns green once it has joined."
        )
    if health.index == "yellow":
        if health.data_nodes <= 1:
            return (
                f"yellow: every shard has its primary, so searches are complete; {replicas} cannot be placed, "
                "because a replica never shares a node with its primary and there is one data node. "
                "Nothing is lost; add nodes for replicas, or load with --replicas 0."
            )
        moving = " (being copied to a node now)" if health.initializing else ""
        return (
            f"yellow: every shard has its primary, so searches are complete; {replicas} have no node yet{moving}. "
            "Until they do, losing the node that holds a shard's only copy would make searches partial."
        )
    if health.index == "green":
        note = "" if health.cluster == "green" else f" (another index makes the cluster {health.cluster})"
        return f"green: every shard and every replica is placed; searches are complete{note}."
    return f"{health.index}: the server gave a health tweetsearch does not know"


@dataclass(frozen=True)
class Status:
    server: ServerInfo
    alias: str
    indices: list[str]
    documents: int
    campaigns: list[tuple[str, int]] = field(default_factory=list)
    older: list[OlderVersion] = field(default_factory=list)
    accounts: int | None = None
    """Accounts in the accounts index beside the tweets; None when the index has none (an older load)."""
    accounts_unavailable: bool = False
    """The accounts index exists but could not be counted: its shard has no copy on a running node."""
    segments: int = 0
    """Segments of the indices behind the alias: a load ends by merging them into one, where searches run
    fastest (`indexer.loader.merge_in_background`)."""
    merging: bool = False
    """Whether the server is merging them now."""
    health: Health | None = None
    nodes: list[Node] = field(default_factory=list)
    shards: list[ShardCopy] = field(default_factory=list)
    """Every copy of every shard of the indices behind the alias, by index, shard, primary first."""
    layout: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per index behind the alias: (primary shards, replicas of each)."""
    partial_reason: str | None = None
    """Why the counts are short (shards without a copy), or None when they are whole."""


def collect_status(es: Elasticsearch, settings: Settings) -> Status:
    """Server facts, the nodes and, when the alias exists, where its shards are, its document count overall
    and per campaign. Counts made while shards have no copy are returned with `partial_reason` set."""
    server = server_info(es, settings)
    indices = searched_indices(es, settings.alias)
    if not indices:
        return Status(
            server=server,
            alias=settings.alias,
            indices=[],
            documents=0,
            health=_health(es, None),
            nodes=cluster_nodes(es, []),
        )
    counted = es.count(index=settings.alias).body
    answer = es.search(
        index=settings.alias,
        size=0,
        aggs={"campaigns": {"terms": {"field": "campaign", "size": 500}}},
    ).body
    buckets = answer["aggregations"]["campaigns"]["buckets"]
    accounts_behind = accounts_alias(settings.alias)
    accounts, accounts_partial = _count_accounts(es, accounts_behind)
    stats = es.indices.stats(index=settings.alias, metric="segments,merge").body["_all"]["primaries"]
    shards = shard_copies(es, indices)
    return Status(
        segments=stats.get("segments", {}).get("count", 0),
        merging=stats.get("merges", {}).get("current", 0) > 0,
        accounts=accounts,
        accounts_unavailable=accounts_partial is not None and accounts is None,
        server=server,
        alias=settings.alias,
        indices=indices,
        documents=counted["count"],
        campaigns=[(bucket["key"], bucket["doc_count"]) for bucket in buckets],
        older=_older_versions(es, settings.alias, indices),
        health=_health(es, indices + searched_indices(es, accounts_behind)),
        nodes=cluster_nodes(es, shards),
        shards=shards,
        layout=index_layout(es, indices),
        partial_reason=partial_reason(counted) or partial_reason(answer) or accounts_partial,
    )


def _count_accounts(es: Elasticsearch, alias: str) -> tuple[int | None, str | None]:
    """The accounts behind the accounts alias (None without one: an older load) and why that count is short, if it
    is. Its index has one shard: with no copy of it running, the server refuses to count at all."""
    from elasticsearch import ApiError

    if not es.indices.exists(index=alias):  # an alias, or the accounts index of an index named by --alias
        return None, None
    try:
        answer = es.count(index=alias).body
    except ApiError as exc:
        if not missing_shards(exc):
            raise
        return None, "the accounts index has no copy on a running node; the account count is unknown"
    return answer["count"], partial_reason(answer)


def _health(es: Elasticsearch, indices: list[str] | None) -> Health:
    cluster = es.cluster.health().body
    index = es.cluster.health(index=",".join(indices)).body if indices else cluster
    unassigned = index.get("unassigned_shards", 0)
    primaries = index.get("unassigned_primary_shards", 0)
    health = Health(
        index=index.get("status", "?"),
        cluster=cluster.get("status", "?"),
        nodes=cluster.get("number_of_nodes", 0),
        data_nodes=cluster.get("number_of_data_nodes", 0),
        unassigned_primaries=primaries,
        unassigned_replicas=max(0, unassigned - primaries),
        initializing=index.get("initializing_shards", 0),
        relocating=index.get("relocating_shards", 0),
    )
    return replace(health, meaning=health_meaning(health))


def cluster_nodes(es: Elasticsearch, shards: list[ShardCopy]) -> list[Node]:
    """Every node of the cluster, by name, with how many of `shards` it holds."""
    rows = es.cat.nodes(
        format="json",
        bytes="b",
        h="name,http_address,node.role,master,heap.current,heap.max,disk.used,disk.avail",
    ).body
    copies: dict[str, int] = {}
    for copy in shards:
        if copy.node:
            copies[copy.node] = copies.get(copy.node, 0) + 1
    return sorted(
        (
            Node(
                name=row["name"],
                address=row.get("http_address") or "?",
                roles=row.get("node.role") or "",
                master=row.get("master") == "*",
                heap_used_bytes=_number(row.get("heap.current")),
                heap_max_bytes=_number(row.get("heap.max")),
                disk_used_bytes=_number(row.get("disk.used")),
                disk_available_bytes=_number(row.get("disk.avail")),
                copies=copies.get(row["name"], 0),
            )
            for row in rows
        ),
        key=lambda node: node.name,
    )


def shard_copies(es: Elasticsearch, indices: list[str]) -> list[ShardCopy]:
    """Every copy of every shard of `indices`, where it is and what it holds."""
    rows = es.cat.shards(
        index=",".join(indices),
        format="json",
        bytes="b",
        h="index,shard,prirep,state,docs,store,node,unassigned.reason",
    ).body
    copies = [
        ShardCopy(
            index=row["index"],
            shard=int(row["shard"]),
            primary=row.get("prirep") == "p",
            state=row.get("state") or "?",
            node=row.get("node") or None,
            documents=_number(row.get("docs")) if row.get("docs") is not None else None,
            size_bytes=_number(row.get("store")) if row.get("store") is not None else None,
            unassigned_reason=row.get("unassigned.reason") or None,
        )
        for row in rows
    ]
    return sorted(copies, key=lambda copy: (copy.index, copy.shard, not copy.primary, copy.node or "~"))


def index_layout(es: Elasticsearch, indices: list[str]) -> dict[str, tuple[int, int]]:
    """Per index: its primary shards and the replicas of each."""
    answer = es.indices.get_settings(
        index=",".join(indices), name="index.number_of_shards,index.number_of_replicas", flat_settings=True
    ).body
    return {
        name: (int(body["settings"]["index.number_of_shards"]), int(body["settings"]["index.number_of_replicas"]))
        for name, body in sorted(answer.items())
    }


def _number(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def _older_versions(es: Elasticsearch, alias: str, behind: list[str]) -> list[OlderVersion]:
    names = [name for version in existing_versions(es, alias) if (name := versioned_name(alias, version)) not in behind]
    if not names:
        return []
    stats = es.indices.stats(index=",".join(names), metric="docs,store").body["indices"]
    return [
        OlderVersion(
            name=name,
            documents=stats[name]["primaries"]["docs"]["count"],
            size_bytes=stats[name]["total"]["store"]["size_in_bytes"],
        )
        for name in names
    ]
