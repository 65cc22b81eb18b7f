"""Which Elasticsearch to talk to, and how to say clearly when it cannot be reached.

Settings come from the environment (and the CLI's global options) so that the same code serves a laptop
server started by `scripts/elasticsearch`, a Docker container and a secured cluster. Secrets are held in
the settings object but never appear in its repr or in any message.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from common.errors import ConnectionFailed, IndexNotFound, PartialResults, QueryRejected, TweetsearchError, UsageError
from common.local_credentials import credentials_folder, find_local_credentials

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

_HTML_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")
# Reasons that name no problem: a cause further down says what it is.
_GENERIC_REASON = re.compile(
    r"all shards failed$|Failed to parse$|Failed to parse with all enclosed parsers$"
    r"|\[\d+:\d+\] \[\w+\] failed to parse",
    re.IGNORECASE,
)

DEFAULT_URL = "http://localhost:9200"
DEFAULT_ALIAS = "tweets"
START_HINT = "start a local server with `make es-start` (or `scripts/elasticsearch start`), or set ELASTICSEARCH_URL"


@dataclass(frozen=True)
class Settings:
    """Where the cluster is and how to authenticate. Built once per CLI run from options and environment."""

    url: str = DEFAULT_URL
    alias: str = DEFAULT_ALIAS
    api_key: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_certs: str | None = None
    request_timeout: float = 30.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Reads ELASTICSEARCH_URL, _API_KEY, _USERNAME, _PASSWORD, _CA_CERTS and TWEETSEARCH_ALIAS."""
        env = dict(os.environ) if env is None else env
        values: dict[str, object] = {
            "url": env.get("ELASTICSEARCH_URL") or DEFAULT_URL,
            "alias": env.get("TWEETSEARCH_ALIAS") or DEFAULT_ALIAS,
            "api_key": env.get("ELASTICSEARCH_API_KEY") or None,
            "username": env.get("ELASTICSEARCH_USERNAME") or None,
            "password": env.get("ELASTICSEARCH_PASSWORD") or None,
            "ca_certs": env.get("ELASTICSEARCH_CA_CERTS") or None,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def display_url(self) -> str:
        """The URL (or the nodes' URLs, comma-separated) without any user:password part, safe to print."""
        return ",".join(shown_entries(self.url))

    @property
    def hosts(self) -> list[str]:
        """The nodes to send requests to (`parse_hosts`)."""
        return parse_hosts(self.url)


def parse_hosts(text: str) -> list[str]:
    """The nodes of ELASTICSEARCH_URL (or --url): one URL, or several separated by commas.

    Given several nodes of a cluster, the client spreads requests over them, and a request that fails on one
    (refused, reset, timed out) is sent again to another; a node that failed is left out for a while (up to
    30 s) before it is tried again. Every URL needs its scheme and host: the client would otherwise fail
    with a message about parsing rather than about the setting."""
    hosts = [part.strip() for part in text.split(",")]
    if not any(hosts):
        raise UsageError("ELASTICSEARCH_URL (or --url) is empty: give a node's URL, e.g. http://localhost:9200")
    for host, shown in zip(hosts, shown_entries(text), strict=True):
        if not host:
            raise UsageError(
                f"ELASTICSEARCH_URL (or --url) has an empty entry between its commas: {','.join(shown_entries(text))!r}"
            )
        try:
            parts = urlsplit(host)
            parts.port  # noqa: B018 (raises ValueError for a port that is not a number from 0 to 65535)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            hint = " (a comma, `@` or `/` inside a password is written %2C, %40, %2F)" if "@" in text else ""
            raise UsageError(
                f"{shown!r} in ELASTICSEARCH_URL (or --url) is not a node's address: "
                f"write http:// or https://, the host and its port, e.g. http://localhost:9200{hint}"
            )
    return hosts


def redact_url(url: str) -> str:
    """Drops credentials embedded in a URL (`https://user:secret@host`) so it can be shown: everything between
    the scheme and the last `@`, whether or not the rest parses (a password may hold `@`, `:` or `/`)."""
    if "@" not in url:
        return url
    scheme, separator, rest = url.partition("://")
    if not separator:
        scheme, rest = "", url
    return scheme + separator + rest.rsplit("@", 1)[-1]


def shown_entries(text: str) -> list[str]:
    """Each comma-separated entry of a URL setting, made safe to show. When the setting holds an `@` (credentials),
    an entry without one may be the first part of a password that holds a comma (`http://user:pa,ss@host`): it is
    not shown at all."""
    entries = [part.strip() for part in text.split(",")]
    if "@" not in text:
        return entries
    return [redact_url(entry) if "@" in entry else "(part of the setting, not shown)" for entry in entries]


_ALIAS_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,254}")


def check_alias(name: str) -> str:
    """`name` when it names one alias or index, else `UsageError`. A pattern (`*`, `tweets-*`), a list
    (`a,b`) or `_all` would make the server add every index it matches together, the versions an alias
    replaced and other tools' indices included, and every count would be of something nobody asked for."""
    if name == "_all" or "*" in name or "," in name:
        raise UsageError(
            f"--alias {name!r} would search several indices added together; name one alias or index "
            "(`tweetsearch status` shows the alias and its index)"
        )
    if not _ALIAS_NAME.fullmatch(name) or name in (".", ".."):
        raise UsageError(
            f"--alias {name!r} is not an index or alias name: lower-case letters, digits, '.', '_' and '-', "
            "not starting with '_', '-' or '.'"
        )
    return name


def connect(settings: Settings, *, max_retries: int = 3) -> Elasticsearch:
    """A client for the settings, after checking that they name one alias (`check_alias`). Nothing is sent until
    the first request."""
    check_alias(settings.alias)
    from elasticsearch import Elasticsearch
    from elasticsearch.serializer import NdjsonSerializer, OrjsonSerializer

    from common.shard_retry import send_whole

    class WholeAnswers(Elasticsearch):
        """Searches and counts sent again when a node left while they ran and copies remain
        (`common.shard_retry`). (Declared here, as the serializer below is.)"""

        def search(self, **kwargs: object) -> object:  # type: ignore[override]
            return send_whole(self, "search", super().search, kwargs)

        def count(self, **kwargs: object) -> object:  # type: ignore[override]
            return send_whole(self, "count", super().count, kwargs)

    class EncodedNdjson(NdjsonSerializer):
        """Bulk bodies arrive encoded: the default serializer would copy their megabytes twice per request.
        (Declared here: the client library is imported only once a connection is made.)"""

        def dumps(self, data: object) -> bytes:
            return data if isinstance(data, bytes) and data.endswith(b"\n") else super().dumps(data)

    options: dict[str, object] = {
        # Bulk answers list every document; orjson reads them several times faster than the standard library.
        "serializers": {OrjsonSerializer.mimetype: OrjsonSerializer(), NdjsonSerializer.mimetype: EncodedNdjson()},
        "request_timeout": settings.request_timeout,
        "max_retries": max_retries,
        "retry_on_timeout": True,
        # Not 503: the server says so when shards have no copy (a point in time over them is refused). Sent again
        # to each node in turn, every one marks the node dead, and the retries end on a node that is down: the
        # user was told "cannot reach" instead of "incomplete". The loader retries a 503 itself (indexer/bulk.py).
        "retry_on_status": (429, 502, 504),
    }
    if settings.api_key:
        options["api_key"] = settings.api_key
    elif settings.username:
        options["basic_auth"] = (settings.username, settings.password or "")
    elif not any("@" in host for host in settings.hosts):
        local = find_local_credentials(settings.hosts)
        if local is not None:  # the local server scripts/elasticsearch started (common/local_credentials.py)
            options["basic_auth"] = (local.username, local.password)
    if settings.ca_certs:
        options["ca_certs"] = settings.ca_certs
    return WholeAnswers(settings.hosts, **options)


@dataclass(frozen=True)
class ServerInfo:
    """What `status` reports about the server itself."""

    url: str
    cluster_name: str
    version: str
    health: str


def server_info(es: Elasticsearch, settings: Settings) -> ServerInfo:
    """Cluster name, version and health. Uses the nodes API: the minimal distribution has no `GET /`."""
    nodes = es.nodes.info(node_id="_local", filter_path="cluster_name,nodes.*.version")
    versions = [node["version"] for node in nodes.body.get("nodes", {}).values()]
    health = es.cluster.health(filter_path="status")
    return ServerInfo(
        url=settings.display_url,
        cluster_name=nodes.body.get("cluster_name", "?"),
        version=versions[0] if versions else "?",
        health=health.body.get("status", "?"),
    )


def user_error(exc: BaseException, settings: Settings) -> TweetsearchError | None:
    """Turns an Elasticsearch client exception into the one-line error a user should see, or None.

    Kept here, beside `connect`, so every command reports an unreachable server or bad credentials
    the same way.
    """
    from elasticsearch import (
        ApiError,
        AuthenticationException,
        AuthorizationException,
        ConnectionError,
        ConnectionTimeout,
        NotFoundError,
        SSLError,
        UnsupportedProductError,
    )

    url = settings.display_url
    if isinstance(exc, SSLError):
        hint = (
            ""
            if settings.ca_certs
            else "; if the cluster's certificate comes from a private CA, set ELASTICSEARCH_CA_CERTS"
        )
        return ConnectionFailed(f"the TLS connection to Elasticsearch at {url} failed ({_tls_reason(exc)}){hint}")
    if isinstance(exc, ConnectionTimeout):
        return ConnectionFailed(f"Elasticsearch at {url} did not answer in time; {START_HINT}")
    if isinstance(exc, ConnectionError):
        return ConnectionFailed(f"cannot reach Elasticsearch at {url}; {START_HINT}")
    if isinstance(exc, AuthenticationException) and not (
        settings.api_key or settings.username or find_local_credentials(settings.hosts)
    ):
        return ConnectionFailed(
            f"Elasticsearch at {url} asks for credentials: set ELASTICSEARCH_API_KEY or "
            "ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD (the local server's are read from "
            f"{credentials_folder()}/, written by `scripts/elasticsearch start`)"
        )
    if isinstance(exc, AuthenticationException):
        return ConnectionFailed(
            f"Elasticsearch at {url} refused the credentials (check ELASTICSEARCH_API_KEY or "
            "ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD; the local server's are read from "
            f"{credentials_folder()}/, written by `scripts/elasticsearch start`)"
        )
    if isinstance(exc, AuthorizationException):
        return ConnectionFailed(f"the credentials for {url} lack a permission this command needs: {_reason(exc)}")
    if isinstance(exc, UnsupportedProductError):
        return ConnectionFailed(f"the server at {url} is not a supported Elasticsearch")
    if isinstance(exc, NotFoundError) and _error_type(exc) == "index_not_found_exception":
        return IndexNotFound(
            f"no index '{settings.alias}' at {url} yet; load an archive first with `tweetsearch index FILE.csv`"
        )
    if isinstance(exc, ApiError) and any(c.get("type") == "circuit_breaking_exception" for c in _causes(exc)):
        return QueryRejected(
            f"Elasticsearch at {url} refused the request at its memory limit for one request (its circuit "
            "breaker): narrow the query (a campaign, a date range) or ask for fewer rows"
        )
    if isinstance(exc, ApiError) and exc.meta.status == 400:
        return _refused(exc)
    if isinstance(exc, ApiError) and missing_shards(exc):
        return PartialResults(
            f"some shards of the index are not available at {url} (a node holding their only copy is down?): "
            "the answer would be incomplete, so none is given; `tweetsearch status` shows which"
        )
    if isinstance(exc, ApiError):
        return ConnectionFailed(f"Elasticsearch at {url} answered {exc.meta.status}: {_reason(exc)}")
    return None


def _refused(exc: BaseException) -> QueryRejected:
    """A 400 in one line: the two limits a typed query can reach are named with what to do about them, and any
    other refusal by its most specific cause (the top-level reason is often just "Failed to parse")."""
    causes = _causes(exc)
    types = {cause.get("type") for cause in causes}
    reasons = " ".join(str(cause.get("reason", "")) for cause in causes)
    if "too_many_clauses" in types or "too_many_nested_clauses" in types or "too many clauses" in reasons:
        limit = re.search(r"maxClauseCount is set to (\d+)", reasons)
        bound = f" ({int(limit[1]):,})" if limit else ""
        return QueryRejected(
            f"the query expands to more clauses than the server allows{bound}: "
            "use fewer words or OR'd terms, or a longer prefix*"
        )
    if "max_nested_depth" in reasons:
        return QueryRejected("the query nests groups or minus signs too deeply for the server: flatten it")
    reasons_found = [" ".join(str(c["reason"]).split()) for c in causes if c.get("reason")]
    detail = next((r for r in reasons_found if not _GENERIC_REASON.match(r)), None) or _reason(exc)
    detail = detail.split(": [", 1)[0]  # "X: [X]" repeats itself
    if len(detail) > 200:
        detail = detail[:200] + "…"
    return QueryRejected(f"Elasticsearch refused the request as malformed: {detail}")


def missing_shards(exc: BaseException) -> bool:
    """Whether the server refused because shards have no copy to read (a point in time, for exports and
    paging, is refused rather than opened over part of the index)."""
    causes = _causes(exc)
    return any(cause.get("type") == "no_shard_available_action_exception" for cause in causes) or any(
        "missing shards" in str(cause.get("reason") or "") for cause in causes
    )


def _causes(exc: BaseException) -> list[dict]:
    """The error and its causes, outermost first, following `caused_by` and the failed shards' reasons."""
    body = getattr(exc, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    found: list[dict] = []
    pending = [error] if isinstance(error, dict) else []
    while pending and len(found) < 200:
        cause = pending.pop(0)
        found.append(cause)
        pending += [c for c in cause.get("root_cause") or [] if isinstance(c, dict)]
        pending += [s["reason"] for s in cause.get("failed_shards") or [] if isinstance(s.get("reason"), dict)]
        if isinstance(cause.get("caused_by"), dict):
            pending.append(cause["caused_by"])
    return found


def _error_type(exc: BaseException) -> str | None:
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("type")
    return None


def _tls_reason(exc: BaseException) -> str:
    """The SSL library's own reason (`certificate verify failed: self-signed certificate`), found under the
    layers of exceptions the transport wraps around it."""
    import ssl

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {cause.verify_message}"
    return str(cause.reason or cause) if cause is not None else " ".join(str(exc).split())


def _reason(exc: BaseException) -> str:
    """The server's reason in one line. An answer that is not Elasticsearch's own (a proxy's HTML page, say)
    is cut to its title, or else to its first words."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        causes = error.get("root_cause") or [error]
        return str(causes[0].get("reason") or error.get("type"))
    text = str(body if isinstance(body, str) and body.strip() else getattr(exc, "message", exc))
    title = _HTML_TITLE.search(text)
    words = " ".join((title.group(1) if title else _HTML_TAG.sub(" ", text)).split())
    return words if len(words) <= 200 else words[:200] + "…"
