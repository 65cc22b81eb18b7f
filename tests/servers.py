"""Extra, small Elasticsearch servers for tests that must stress a server without harming the shared one.

Started the way the main one is: with testcontainers where a Docker engine answers, else with
scripts/elasticsearch under another instance name and port. They fail loudly, never skip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def start_small_server(name: str, port: int, settings: str) -> Iterator[str]:
    """A single-node server with a 512 MB heap and extra `key=value` settings; yields its URL."""
    if docker_answers():
        from testcontainers.elasticsearch import ElasticSearchContainer

        container = ElasticSearchContainer(f"docker.elastic.co/elasticsearch/elasticsearch:{pinned_version()}")
        for setting in settings.split():
            key, value = setting.split("=", 1)
            container.with_env(key, value)
        with container:
            yield container.get_url()
        return
    env = {
        **os.environ,
        "TWEETSEARCH_ES_NAME": name,
        "TWEETSEARCH_ES_PORT": str(port),
        "TWEETSEARCH_ES_HEAP": "512m",
        "TWEETSEARCH_ES_SETTINGS": settings,
    }
    script = str(ROOT / "scripts" / "elasticsearch")
    started = subprocess.run([script, "start"], env=env, capture_output=True, text=True, check=False)
    if started.returncode != 0:
        raise RuntimeError(f"could not start the {name} test server: {started.stderr.strip()[-1500:]}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, check=False)
