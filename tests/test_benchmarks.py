"""The benchmark scripts run from one command and print their figures (what they measure is not asserted:
timings belong to the benchmarks, not to the suite). Tiny sizes, against the suite's server."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from servers import ROOT


def _run(script: str, *args: str, url: str | None = None) -> str:
    env = {**os.environ, **({"ELASTICSEARCH_URL": url} if url else {})}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return done.stdout


def test_the_indexing_benchmark_measures_both_sides_on_the_same_documents(es, es_url, alias, tmp_path):
    printed = _run(
        "bench_index.py", "--tweets", "3000", "--cpus", "shared", "--cache", str(tmp_path), "--prefix", alias,
        url=es_url,
    )  # fmt: skip

    ceiling = re.search(r"\(a\) ceiling\s+([\d,]+) docs in .* = +[\d,]+ docs/s", printed)
    end_to_end = re.search(r"\(b\) end to end\s+([\d,]+) docs in .* = +[\d,]+ docs/s", printed)
    assert ceiling and end_to_end, printed
    assert ceiling.group(1) == end_to_end.group(1) and int(ceiling.group(1).replace(",", "")) > 2900
    assert re.search(r"ratio e2e / ceiling: \d+\.\d\d \(target >= 0\.90\)", printed), printed
    assert re.search(r"indexer peak memory: [\d,]+ MB", printed), printed
    assert re.search(r"index size on disk: [\d,]+ MB = [\d,]+ MB per million tweets", printed), printed
    assert not es.indices.get(index=f"{alias}-ceiling-v*,{alias}-e2e-v*", allow_no_indices=True).body


def test_the_read_benchmark_times_each_stage_over_the_same_rows(tmp_path):
    printed = _run("bench_read.py", "--tweets", "2000", "--rounds", "1", "--cache", str(tmp_path))

    stages = re.findall(r"\((\d)\) (\w+)\s+current\s+([\d,]+) rows\s+[\d,]+ rows/s\s+[\d.]+ CPU µs/row", printed)
    names = [(number, name) for number, name, _ in stages]
    assert names == [("1", "split"), ("2", "read"), ("3", "encode"), ("4", "native")], printed
    assert stages[1][2] == stages[2][2] == stages[3][2], printed  # reading and encoding see the same rows
