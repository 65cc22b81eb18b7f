"""`tweetsearch --version`: what a bug report needs to say, the tool's, the client's and the server's versions."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from common.connection import Settings


def _installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def server_version(settings: Settings) -> str:
    """The server's version and cluster, or why it could not be asked: `--version` answers without a server."""
    from common.connection import connect, server_info, user_error
    from search.safe_text import one_line

    try:
        server = server_info(connect(settings, max_retries=0).options(request_timeout=10), settings)
    except Exception as exc:  # any failure is an answer here: the server's version is not known
        reason = user_error(exc, settings)
        return f"not reachable ({one_line(str(reason) if reason else type(exc).__name__)})"
    return one_line(f"Elasticsearch {server.version} at {server.url} (cluster {server.cluster_name})")


def versions_text(settings: Settings) -> str:
    """Three lines: tweetsearch, the Elasticsearch client, and the server at the URL in use (when reachable)."""
    return "\n".join(
        [
            f"tweetsearch {_installed('tweetsearch')}",
            f"client      elasticsearch-py {_installed('elasticsearch')}",
            f"server      {server_version(settings)}",
        ]
    )
