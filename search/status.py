"""What `tweetsearch status` reports: the server, the alias, the index behind it and what it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from common.connection import ServerInfo, Settings, server_info
from common.mapping import accounts_alias, existing_versions, indices_behind, versioned_name

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass(frozen=True)
class OlderVersion:
    """A `<alias>-vN` index the alias no longer points at: a rebuild kept it, and it still takes disk."""

    name: str
    documents: int
    size_bytes: int


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
    segments: int = 0
    """Segments of the indices behind the alias: a load ends by merging them into one, where searches run
    fastest (`indexer.loader.merge_in_background`)."""
    merging: bool = False
    """Whether the server is merging them now."""


def collect_status(es: Elasticsearch, settings: Settings) -> Status:
    """Server facts plus, when the alias exists, its document count overall and per campaign."""
    server = server_info(es, settings)
    indices = indices_behind(es, settings.alias)
    if not indices:
        return Status(server=server, alias=settings.alias, indices=[], documents=0)
    documents = es.count(index=settings.alias).body["count"]
    answer = es.search(
        index=settings.alias,
        size=0,
        aggs={"campaigns": {"terms": {"field": "campaign", "size": 500}}},
    )
    buckets = answer.body["aggregations"]["campaigns"]["buckets"]
    accounts = accounts_alias(settings.alias)
    has_accounts = es.indices.exists_alias(name=accounts)
    stats = es.indices.stats(index=settings.alias, metric="segments,merge").body["_all"]["primaries"]
    return Status(
        segments=stats["segments"]["count"],
        merging=stats["merges"]["current"] > 0,
        accounts=es.count(index=accounts).body["count"] if has_accounts else None,
        server=server,
        alias=settings.alias,
        indices=indices,
        documents=documents,
        campaigns=[(bucket["key"], bucket["doc_count"]) for bucket in buckets],
        older=_older_versions(es, settings.alias, indices),
    )


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
