"""The local server's credentials, found without the user typing them.

`scripts/elasticsearch` runs Elastic's distribution with security on (a server without it is open to every local
process and, through DNS rebinding, to any web page) and writes the user and password it made to a file only its
owner can read: `${XDG_CONFIG_HOME:-~/.config}/tweetsearch/elasticsearch/<instance>.credentials`, with a `url=`
line for each node. When tweetsearch is given none of ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME, every node
it is to talk to is a loopback address and one of them is listed in such a file, it uses that file's user and
password. Only
loopback nodes are matched, so these credentials never travel to another machine, and a file that others may
read or write, or that another user owns, is not trusted.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
SUFFIX = ".credentials"


@dataclass(frozen=True)
class LocalCredentials:
    """A user and password for the nodes at `urls`, read from `path`."""

    username: str
    password: str = field(repr=False)
    urls: tuple[str, ...]
    path: Path


def credentials_folder(env: dict[str, str] | None = None) -> Path:
    """Where scripts/elasticsearch writes its credentials files (its TWEETSEARCH_CONFIG_DIR rule)."""
    env = dict(os.environ) if env is None else env
    if env.get("TWEETSEARCH_CONFIG_DIR"):
        base = Path(env["TWEETSEARCH_CONFIG_DIR"])
    elif env.get("XDG_CONFIG_HOME"):
        base = Path(env["XDG_CONFIG_HOME"]) / "tweetsearch"
    else:
        base = Path(os.path.expanduser("~")) / ".config" / "tweetsearch"
    return base / "elasticsearch"


def node_key(url: str) -> tuple[str, str, int] | None:
    """(scheme, "loopback", port) for a loopback node's URL, else None: `localhost`, `127.0.0.1` and `[::1]` are
    one machine, and a URL with a path or credentials of its own is not the local server's."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host not in LOOPBACK_NAMES or parts.username or parts.password or parts.path.strip("/"):
        return None
    return parts.scheme, "loopback", port or (443 if parts.scheme == "https" else 80)


def parse_credentials(text: str, path: Path) -> LocalCredentials | None:
    """The file's `username=`, `password=` and `url=` lines; None when a part is missing."""
    values: dict[str, str] = {}
    urls: list[str] = []
    for line in text.splitlines():
        key, separator, value = line.partition("=")
        if not separator or line.startswith("#"):
            continue
        if key == "url":
            urls.append(value.strip())
        else:
            values.setdefault(key.strip(), value.strip())
    if not values.get("username") or not values.get("password") or not urls:
        return None
    return LocalCredentials(values["username"], values["password"], tuple(urls), path)


def _private(path: Path) -> bool:
    """Whether the file is ours and nobody else may read or change it."""
    try:
        info = path.stat()
    except OSError:
        return False
    return (
        stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    )


def find_local_credentials(hosts: list[str], folder: Path | None = None) -> LocalCredentials | None:
    """The credentials of the local instance that lists one of `hosts`, when every one of them is a loopback
    address (a list may name a node of this machine that is not running, or not started by the script), or None."""
    keys = [node_key(host) for host in hosts]
    if not keys or any(key is None for key in keys):
        return None
    folder = credentials_folder() if folder is None else folder
    try:
        files = sorted(folder.glob(f"*{SUFFIX}"))
    except OSError:
        return None
    for path in files:
        if not _private(path):
            continue
        try:
            found = parse_credentials(path.read_text(encoding="utf-8"), path)
        except (OSError, UnicodeDecodeError):
            continue
        if found and set(keys) & {node_key(url) for url in found.urls}:
            return found
    return None
