"""The index design on the server: the template from `mappings/`, versioned indices and the alias.

Searches always go through the alias (`tweets`); data lives in versioned indices (`tweets-v1`, `tweets-v2`,
...) that the template in `mappings/tweets-template.json` shapes. A rebuild loads a new version and moves
the alias in one atomic step, so a search never sees a half-built index.

Each tweets index has an accounts index beside it (`mappings/accounts-index.json`): one document per account
and release, named after it (`tweets-v2` → `tweets-accounts-v2`) and searched through its own alias
(`tweets-accounts`), which moves with the tweets alias in the same atomic step.
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
ACCOUNTS_FILE = MAPPINGS_DIR / "accounts-index.json"
BUILTIN_TEXT_KEY_FILE = MAPPINGS_DIR / "coordination-text-builtin.json"
MAX_RESULT_WINDOW = 10_000
"""The server's default `index.max_result_window`: no page of hits may be larger."""
_VERSIONED = re.compile(r"^(.+)-v(\d+)$")


@cache
def _template_file() -> dict[str, Any]:
    return orjson.loads(TEMPLATE_FILE.read_bytes())


def index_template(alias: str, *, plugin_filters: bool = True) -> dict[str, Any]:
    """The template body for an alias: the JSON file, with the index pattern renamed after the alias.

    Without `plugin_filters` (a server without esplugin, such as the official Docker image), the normalizer
    `coordination_text` is the one of `coordination-text-builtin.json`, made of the server's own filters."""
    body = copy.deepcopy(_template_file())
    body["index_patterns"] = [f"{alias}-v*"]
    if not plugin_filters:
        builtin = orjson.loads(BUILTIN_TEXT_KEY_FILE.read_bytes())
        analysis = body["template"]["settings"]["analysis"]
        analysis["char_filter"] = builtin["char_filter"]
        analysis["normalizer"] = builtin["normalizer"]
    return body


def has_plugin_filters(es: Elasticsearch) -> bool:
    """Whether the server has esplugin's token filters (`scripts/elasticsearch` installs them; the official
    image has none, and the full distribution's pattern_replace does the same work there)."""
    from elasticsearch import BadRequestError

    try:
        es.indices.analyze(tokenizer="standard", filter=["coordination_text"], text="a")
    except BadRequestError:
        return False
    return True


def versioned_name(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


def accounts_alias(alias: str) -> str:
    """The alias the accounts of the tweets behind `alias` are searched through."""
    return f"{alias}-accounts"


def accounts_index_for(index: str) -> str:
    """The accounts index that belongs to a tweets index: `tweets-v2` → `tweets-accounts-v2`, so that it
    never matches the tweets template's `tweets-v*` pattern; a named index `mine` → `mine-accounts`."""
    match = _VERSIONED.match(index)
    return f"{match.group(1)}-accounts-v{match.group(2)}" if match else f"{index}-accounts"


def create_accounts_index(es: Elasticsearch, name: str, *, replicas: int | None = None) -> None:
    """A new, empty accounts index shaped by `mappings/accounts-index.json`: one shard (a few thousand accounts
    per release), with as many replicas as its tweets index, so that it survives what they survive."""
    body = orjson.loads(ACCOUNTS_FILE.read_bytes())
    settings = {**body["settings"], **_shape(es, 1, replicas)}
    _create(es, name, settings, {**body["mappings"], "_meta": body["_meta"]})


def _create(es: Elasticsearch, name: str, settings: dict[str, Any], mappings: dict[str, Any]) -> bool:
    """Creates an index; False when it exists already. Loads on several machines into one index (`--concurrent`)
    may each find it missing and ask for it at once: the server makes it once, and the others use it."""
    from elasticsearch import BadRequestError

    try:
        es.indices.create(index=name, settings=settings, mappings=mappings)
    except BadRequestError as exc:
        if exc.error == "resource_already_exists_exception":
            return False
        raise
    return True


def ensure_template(es: Elasticsearch, alias: str) -> None:
    """Installs (or updates) the index template, so every new version gets the current mappings."""
    body = index_template(alias, plugin_filters=has_plugin_filters(es))
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


def searched_indices(es: Elasticsearch, name: str) -> list[str]:
    """The indices a search through `name` reads: those of the alias `name`, or the index of that name itself
    (`--alias` may name an index loaded with `--index-name`, which no alias points at); empty when neither
    exists."""
    behind = indices_behind(es, name)
    if behind:
        return behind
    found = es.options(ignore_status=404).indices.get(index=name, expand_wildcards="open").body
    return [name] if name in found else []


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
    es.indices.create(index=name, settings=_shape(es, shards, replicas) or None)
    return name


def create_named(
    es: Elasticsearch, name: str, alias: str, *, shards: int | None = None, replicas: int | None = None
) -> bool:
    """Creates an index with a name of the user's choosing, shaped by the template all the same; False when it
    already exists (another load, on another machine, made it first).

    The template only matches `<alias>-vN` names, so its settings and mappings are given explicitly here.
    """
    template = index_template(alias, plugin_filters=has_plugin_filters(es))["template"]
    return _create(es, name, {**template["settings"], **_shape(es, shards, replicas)}, template["mappings"])


def cluster_layout(data_nodes: int) -> tuple[int, int]:
    """The primary shards and replicas a new index gets on a cluster of `data_nodes` data nodes, unless the load
    gives `--shards` or `--replicas`.

    One primary per data node, so that a search or an aggregation works on every node at once and each node holds
    an even share; one replica once there is a second node to hold it, so that losing any one node loses no
    shard and searches stay complete. A single node gets 1 and 0: a replica can never share its primary's node.
    An index's primary count is fixed once made; a cluster that grows gets its new layout from the next
    `index --rebuild` (README, "Running on a cluster")."""
    nodes = max(1, data_nodes)
    return nodes, 1 if nodes >= 2 else 0


def data_nodes(es: Elasticsearch) -> int | None:
    """How many data nodes the cluster has; None when the credentials may not ask (the cluster `monitor`
    privilege), and the template's layout (1 shard, no replica) then stands."""
    from elasticsearch import AuthorizationException

    try:
        return es.cluster.health(filter_path="number_of_data_nodes").body.get("number_of_data_nodes")
    except AuthorizationException:
        return None


def _shape(es: Elasticsearch, shards: int | None, replicas: int | None) -> dict[str, int]:
    """The layout of a new index: what was asked, and for what was not, `cluster_layout`'s choice."""
    if shards is None or replicas is None:
        nodes = data_nodes(es)
        if nodes is not None:
            default_shards, default_replicas = cluster_layout(nodes)
            shards = default_shards if shards is None else shards
            replicas = default_replicas if replicas is None else replicas
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
    """Points the alias at `index` alone, and the accounts alias at its accounts index, in one atomic request;
    returns the tweets indices the alias left."""
    previous = [name for name in indices_behind(es, alias) if name != index]
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in previous]
    actions.append({"add": {"index": index, "alias": alias}})
    es.indices.update_aliases(actions=actions + _accounts_actions(es, alias, [index]))
    return previous


def attach_accounts(es: Elasticsearch, alias: str) -> None:
    """Points the accounts alias at the accounts indices of the tweets indices behind `alias`, and only them."""
    actions = _accounts_actions(es, alias, indices_behind(es, alias))
    if actions:
        es.indices.update_aliases(actions=actions)


def _accounts_actions(es: Elasticsearch, alias: str, tweets_indices: list[str]) -> list[dict[str, Any]]:
    """The alias actions that leave the accounts alias on the accounts indices of `tweets_indices` that exist."""
    accounts = accounts_alias(alias)
    wanted = [name for name in map(accounts_index_for, tweets_indices) if es.indices.exists(index=name)]
    actions: list[dict[str, Any]] = [
        {"remove": {"index": name, "alias": accounts}} for name in indices_behind(es, accounts) if name not in wanted
    ]
    actions += [{"add": {"index": name, "alias": accounts}} for name in wanted]
    return actions
