"""What scripts/elasticsearch runs: only the distribution whose SHA-512 is pinned in .env, unpacked where the
server's own user cannot change what root later compiles the plugin against."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pinned(name: str) -> str:
    lines = (ROOT / ".env").read_text().splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{name}="))


def test_a_distribution_zip_without_the_pinned_sha512_is_not_unpacked(tmp_path):
    version = pinned("ES_VERSION")
    download = tmp_path / "elasticsearch" / "download"
    download.mkdir(parents=True)
    (download / f"elasticsearch-{version}.zip").write_bytes(b"PK\x03\x04 not the distribution")
    env = {
        **os.environ,
        "TWEETSEARCH_CACHE": str(tmp_path),
        "TWEETSEARCH_ES_NAME": "tampered",
        "TWEETSEARCH_ES_PORT": "9299",
        "TWEETSEARCH_CONFIG_DIR": str(tmp_path / "config"),
    }

    done = subprocess.run(
        [str(ROOT / "scripts" / "elasticsearch"), "start"], env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode != 0
    assert "does not have the SHA-512 pinned in .env" in done.stderr, done.stderr
    assert not (tmp_path / "elasticsearch" / "dist" / f"elasticsearch-{version}").exists()


def test_the_pin_is_a_sha512():
    digest = pinned("ES_SHA512")
    assert len(digest) == 128 and int(digest, 16) >= 0
