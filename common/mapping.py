"""The index design on the server: the template from `mappings/`, versioned indices and the alias.

Searches always go through the alias (`tweets`); data lives in versioned indices (`tweets-v1`, `tweets-v2`,
...) that the template in `mappings/tweets-template.json` shapes. A rebuild loads a new version and moves
the alias in one atomic step, so a search never sees a half-built index.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"
TEMPLATE_FILE = MAPPINGS_DIR / "tweets-template.json"


@cache
def _template_file() -> dict[str, Any]:
    return orjson.loads(TEMPLATE_FILE.read_bytes())


def index_template(alias: str) -> dict[str, Any]:
    """The template body for an alias: the JSON file, with the index pattern renamed after the alias."""
    body = copy.deepcopy(_template_file())
    body["index_patterns"] = [f"{alias}-v*"]
    return body


def versioned_name(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


def ensure_template(es: Elasticsearch, alias: str) -> None:
    """Installs (or updates) the index template, so every new version gets the current mappings."""
    body = index_template(alias)
    es.indices.put_index_template(
        name=f"{alias}-template",
        index_patterns=body["index_patterns"],
        template=body["template"],
        priority=body.get("priority"),
        meta=body.get("_meta"),
    )


def indices_behind(es: Elasticsearch, alias: str) -> list[str]:
    """The indices the alias points at (normally one); empty when the alias does not exist."""
    if not es.indices.exists_alias(name=alias):
        return []
    return sorted(es.indices.get_alias(name=alias).body)


def existing_versions(es: Elasticsearch, alias: str) -> list[int]:
    """Version numbers of the `<alias>-vN` indices on the server, whether or not the alias points at them."""
    pattern = re.compile(rf"^{re.escape(alias)}-v(\d+)$")
    names = es.indices.get(index=f"{alias}-v*", allow_no_indices=True, expand_wildcards="all").body
    return sorted(int(match.group(1)) for name in names if (match := pattern.match(name)))


def create_version(es: Elasticsearch, alias: str, *, shards: int | None = None, replicas: int | None = None) -> str:
    """Creates the next `<alias>-vN` index from the template (without touching the alias) and returns its name."""
    ensure_template(es, alias)
    versions = existing_versions(es, alias)
    name = versioned_name(alias, (versions[-1] + 1) if versions else 1)
    es.indices.create(index=name, settings=_shape(shards, replicas) or None)
    return name


def create_named(
    es: Elasticsearch, name: str, alias: str, *, shards: int | None = None, replicas: int | None = None
) -> None:
    """Creates an index with a name of the user's choosing, shaped by the template all the same.

    The template only matches `<alias>-vN` names, so its settings and mappings are given explicitly here.
    """
    template = index_template(alias)["template"]
    settings = {**template["settings"], **_shape(shards, replicas)}
    es.indices.create(index=name, settings=settings, mappings=template["mappings"])


def _shape(shards: int | None, replicas: int | None) -> dict[str, int]:
    shape = {}
    if shards is not None:
        shape["number_of_shards"] = shards
    if replicas is not None:
        shape["number_of_replicas"] = replicas
    return shape


def ensure_index(es: Elasticsearch, alias: str, *, shards: int | None = None, replicas: int | None = None) -> str:
    """The index behind the alias, creating `<alias>-v1` and the alias on first use."""
    current = indices_behind(es, alias)
    if current:
        return current[-1]
    name = create_version(es, alias, shards=shards, replicas=replicas)
    switch_alias(es, alias, name)
    return name


def switch_alias(es: Elasticsearch, alias: str, index: str) -> list[str]:
    """Points the alias at `index` alone, in one atomic request; returns the indices it left."""
    previous = [name for name in indices_behind(es, alias) if name != index]
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in previous]
    actions.append({"add": {"index": index, "alias": alias}})
    es.indices.update_aliases(actions=actions)
    return previous
