"""The cluster the tests in this folder take apart: three real nodes of the same distribution as the rest of the
suite's server, started by `make test-cluster` (which `make test` runs after the main suite) through
`scripts/elasticsearch start --nodes 3` with the settings in `cluster.env`, on ports of their own.

The tests kill nodes with SIGKILL and start them again with the same script, so they need the script's own
cluster, not any cluster: they fail, saying how to start it, when it does not answer."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "elasticsearch"
ENV_FILE = Path(__file__).with_name("cluster.env")
NODES = 3
HOW_TO_START = (
    "the test cluster is needed: run `make test-cluster` (it starts three nodes, runs these tests and stops them), "
    f"or start it with `env $(cat {ENV_FILE.relative_to(ROOT)}) scripts/elasticsearch start --nodes {NODES}`"
)


def cluster_env() -> dict[str, str]:
    """The environment that selects the test cluster's instance, ports and heap in scripts/elasticsearch."""
    pairs = (line.split("=", 1) for line in ENV_FILE.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


@dataclass
class Cluster:
    """The test cluster's nodes, by number (1..3), as scripts/elasticsearch knows them."""

    url: str
    """Every node, comma-separated: what ELASTICSEARCH_URL holds for a cluster."""

    def script(self, *args: str, timeout: float = 400) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args], env={**os.environ, **cluster_env()}, capture_output=True, text=True, timeout=timeout
        )

    def pids(self) -> dict[int, int]:
        """The running nodes' pids by node number."""
        lines = self.script("pids").stdout.split("\n")
        return {int(node): int(pid) for node, pid, _ in (line.split() for line in lines if line.strip())}

    def node_url(self, node: int) -> str:
        return self.url.split(",")[node - 1]

    def node_number(self, name: str) -> int:
        """`tweetsearch-test-cluster-2` → 2."""
        match = re.search(r"-(\d+)$", name)
        assert match, name
        return int(match.group(1))

    def kill(self, node: int) -> None:
        """SIGKILL, as a crash or the OOM killer would: no shutdown, nothing flushed."""
        pid = self.pids()[node]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _alive(pid):
            assert time.monotonic() < deadline, f"node {node} (pid {pid}) outlived SIGKILL"
            time.sleep(0.1)

    def restart(self) -> None:
        """Starts the nodes that are not running and waits until all three have joined and the cluster is green."""
        done = self.script("start", "--nodes", str(NODES))
        assert done.returncode == 0, done.stderr[-3000:]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a killed child of ours stays a zombie until reaped; the nodes are not ours, but be safe
        status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return status != "Z"


def cluster_url() -> str:
    env = cluster_env()
    port = int(env["TWEETSEARCH_ES_PORT"])
    return ",".join(f"http://127.0.0.1:{port + node}" for node in range(NODES))
