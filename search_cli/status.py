"""What `tweetsearch status` reports: the server, the alias, the index behind it and what it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from indexer.connection import ServerInfo, Settings, server_info
from indexer.mapping import indices_behind

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass(frozen=True)
class Status:
    server: ServerInfo
    alias: str
    indices: list[str]
    documents: int
    campaigns: list[tuple[str, int]] = field(default_factory=list)


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
    return Status(
        server=server,
        alias=settings.alias,
        indices=indices,
        documents=documents,
        campaigns=[(bucket["key"], bucket["doc_count"]) for bucket in buckets],
    )
