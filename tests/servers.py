"""Extra, small Elasticsearch servers for tests that must stress a server without harming the shared one.

Started the way the main one is: with testcontainers where a Docker engine answers, else with
scripts/elasticsearch under another instance name and port. They fail loudly, never skip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


def pinned_version() -> str:
    match = re.search(r"^ES_VERSION=(\S+)", (ROOT / ".env").read_text(), re.MULTILINE)
    assert match, ".env must pin ES_VERSION"
    return match.group(1)


@dataclass(frozen=True)
class SmallServer:
    """A running extra server: where it answers, and how to restart it (same data, same address)."""

    url: str
    restart: Callable[[], None]


@contextmanager
def start_small_server(name: str, port: int, settings: str) -> Iterator[SmallServer]:
    """A single-node server with a 512 MB heap and extra `key=value` settings, on `port`."""
    if docker_answers():
        from testcontainers.elasticsearch import ElasticSearchContainer

        container = ElasticSearchContainer(f"docker.elastic.co/elasticsearch/elasticsearch:{pinned_version()}")
        container.with_bind_ports(9200, port)  # fixed, so that a restarted container answers where it did
        for setting in settings.split():
            key, value = setting.split("=", 1)
            container.with_env(key, value)
        with container:
            yield SmallServer(container.get_url(), lambda: container.get_wrapped_container().restart(timeout=60))
        return
    env = {
        **os.environ,
        "TWEETSEARCH_ES_NAME": name,
        "TWEETSEARCH_ES_PORT": str(port),
        "TWEETSEARCH_ES_HEAP": "512m",
        "TWEETSEARCH_ES_SETTINGS": settings,
    }
    script = str(ROOT / "scripts" / "elasticsearch")

    def run(action: str) -> None:
        done = subprocess.run([script, action], env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"could not {action} the {name} test server: {done.stderr.strip()[-1500:]}")

    def restart() -> None:
        run("stop")
        run("start")

    run("start")
    try:
        yield SmallServer(f"http://127.0.0.1:{port}", restart)
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, check=False)
