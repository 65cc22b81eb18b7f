"""The benchmark scripts run from one command and print their figures (what they measure is not asserted:
timings belong to the benchmarks, not to the suite). Tiny sizes, against the suite's server."""

from __future__ import annotations

import importlib.util
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


SEARCH_CLASSES = (
    "phrase", "word", "words", "words lang:", "words since: until:", "words -filter:retweets",
    "words -filter:replies", "words -filter:links", "all of them", "OR groups", "prefix word*", "#hashtag",
    "@mention", "from:", "url: host", "url: full URL", "min_retweets:", "top hashtags", "top domains", "top hosts",
    "top urls", "top accounts", "top clients", "top languages", "top campaigns", "top mentions", "timeline day",
    "timeline month", "top accounts lang:en", "timeline day lang:en", "quote EXACT", "quote NEAR", "quote NOT FOUND",
    "url", "account",
)  # fmt: skip


def _search_table(printed: str, repeat: int) -> dict[str, str]:
    """Class -> target of each table row that has its four figures and `repeat` calls."""
    rows = re.findall(r"^(.+?)\s+(?:[\d.]+\s+){4}(\d+)   (.+)$", printed, flags=re.MULTILINE)
    return {name: target for name, calls, target in rows if int(calls) == repeat}


def test_the_search_benchmark_times_every_query_class_and_reuses_a_loaded_release(es, es_url, alias, tmp_path):
    from indexer.loader import LoadOptions, load_archive

    options = ("--tweets", "2000", "--cache", str(tmp_path), "--prefix", alias, "--warmup", "1")
    printed = _run("bench_search.py", *options, "--repeat", "2", "--requests", "12", "--export-repeat", "1", url=es_url)

    assert f"loading {tmp_path / 'release-2000-1'} into {alias}-search" in printed, printed
    table = _search_table(printed, 2)
    assert list(table) == list(SEARCH_CLASSES), printed
    assert table["phrase"] == table["word"] == "≤ 20 ms" and table["all of them"] == "≤ 50 ms", printed
    assert table["top urls"] == table["timeline day"] == "≤ 300 ms" and table["quote NEAR"] == "≤ 100 ms", printed
    assert "note:" not in printed, printed  # each quote text got the verdict its class is named after
    export = re.search(r"export '.+': ([\d,]+) tweets \(counted ([\d,]+)\) in [\d.]+ s = [\d,]+ rows/s", printed)
    assert export and export.group(1) == export.group(2) and int(export.group(1).replace(",", "")) > 0, printed
    assert re.search(r"throughput: 4 clients, 12 searches of the mix in [\d.]+ s = [\d,.]+ requests/s", printed)
    assert "4 clients" in _search_table(printed, 12), printed
    assert not es.indices.get(index=f"{alias}-search-v*", allow_no_indices=True).body

    # What bench_index.py --keep leaves, PREFIX-e2e holding the same release, is searched and left in place.
    load_archive(es, f"{alias}-e2e", [tmp_path / "release-2000-1"], LoadOptions(rejects_path=tmp_path / "r.jsonl"))
    printed = _run("bench_search.py", *options, "--repeat", "1", "--requests", "4", "--export-repeat", "1", url=es_url)

    assert f"searching {alias}-e2e (2,000 tweets" in printed and "loading" not in printed, printed
    assert list(_search_table(printed, 1)) == list(SEARCH_CLASSES), printed
    assert es.count(index=f"{alias}-e2e").body["count"] == 2000
    assert not es.indices.get(index=f"{alias}-search-v*", allow_no_indices=True).body


def test_the_field_benchmark_prices_each_variant_against_the_current_template(es, es_url, alias, tmp_path):
    options = ("--tweets", "2000", "--cache", str(tmp_path), "--prefix", alias, "--quiet-seconds", "5")
    printed = _run("bench_fields.py", *options, "--variants", "no-lang,default-codec", url=es_url)

    rounds = re.findall(r"round 1 (\S+)\s+([\d,]+) docs in [\d.]+ s = [\d,]+ docs/s, server \d+ µs/doc", printed)
    assert rounds == [("current", "2,000"), ("no-lang", "2,000"), ("default-codec", "2,000")], printed
    header = re.search(r"^variant\s+load s\s+vs cur\s+docs/s\s+vs cur\s+server µs/doc\s+vs cur\s+merge µs/doc\s+"
                       r"vs cur\s+MB/M\s+vs cur$", printed, flags=re.MULTILINE)  # fmt: skip
    assert header, printed
    cell = r"\s+([\d,.]+)\s+([+-]\d+\.\d)%"
    rows = {name: cells for name, *cells in re.findall(rf"^(\S+){cell * 5}$", printed, flags=re.MULTILINE)}
    assert list(rows) == ["current", "no-lang", "default-codec"], printed
    assert rows["current"][1::2] == ["+0.0"] * 5, printed  # the baseline's differences from itself
    sizes = {name: float(cells[8].replace(",", "")) for name, cells in rows.items()}
    # The default codec does not compress stored fields as hard: the one difference large even at 2,000 tweets.
    assert sizes["default-codec"] > sizes["current"] > 0 and float(rows["default-codec"][9]) > 0, printed
    assert not es.indices.get(index=f"{alias}-fields-*", allow_no_indices=True).body

    unknown = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_fields.py"), *options, "--variants", "no-such"],
        capture_output=True, text=True, env={**os.environ, "ELASTICSEARCH_URL": es_url}, timeout=60,
    )  # fmt: skip
    assert unknown.returncode != 0 and "unknown variant no-such; known: current, profile-indexed" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_the_web_benchmark_times_each_page_and_its_parts_with_several_clients(es_url, alias, tmp_path):
    from common.connection import Settings, connect
    from generator.release import generate_release
    from indexer.loader import LoadOptions, load_archive

    own, release = f"{alias}-web", tmp_path / "release-2000-2"  # where bench_web.py looks for its ground truth
    generate_release(release, tweets=2000, seed=2)
    load_archive(connect(Settings.from_env(url=es_url)), own, [release], LoadOptions(rejects_path=tmp_path / "r"))

    options = ("--alias", own, "--tweets", "2000", "--seed", "2", "--cache", str(tmp_path))
    printed = _run("bench_web.py", *options, "--clients", "2", "--requests", "22", url=es_url)

    assert re.search(r"^22 pages of .+ by 2 clients in [\d.]+ s", printed, flags=re.MULTILINE), printed
    rows = re.findall(r"^(search|quote|url) page\s+(\w+)\s+[\d.]+\s+[\d.]+\s+(\d+)", printed, flags=re.MULTILINE)
    parts = {(page, part) for page, part, _ in rows}
    assert {("search", "app"), ("search", "search"), ("search", "facets"), ("search", "timeline")} <= parts, printed
    assert {("quote", "app"), ("quote", "quote"), ("url", "app"), ("url", "url"), ("url", "wall")} <= parts, printed
    assert sum(int(count) for page, part, count in rows if part == "wall") == 22


def test_the_coordination_benchmark_compares_each_kind_with_the_toolkit_on_the_same_tweets(es, es_url, alias, tmp_path):
    # The toolkit is in the `dev` extra too, so `make install` gives the suite what it needs: never a skip.
    assert importlib.util.find_spec("coordination_network_toolkit"), "run make install (pip install -e '.[dev]')"
    own = f"{alias}-co"
    options = ("--tweets", "3000", "--cache", str(tmp_path), "--alias", own, "--runs", "1", "--threads", "1")
    printed = _run("bench_coordination.py", *options, url=es_url)

    assert re.search(r"^kind\s+query\s+ours s\s+1st s\s+took s\s+peak MB\s+toolkit 1p s\s+1p/ours\s+both\s+only ours"
                     r"\s+only toolkit\s+target$", printed, flags=re.MULTILINE), printed  # fmt: skip
    figure = r"\s+[\d,.]+"
    cells = rf"({figure}){figure}{figure}{figure}"
    rows = re.findall(rf"^(text|url|retweet)\s+(\(everything\)|campaign:iranian){cells}(\s+\S+){{5}}\s+(≤ \d+ s|–)$",
                      printed, flags=re.MULTILINE)  # fmt: skip
    assert [(kind, query) for kind, query, *_ in rows] == [
        (kind, query) for query in ("(everything)", "campaign:iranian") for kind in ("text", "url", "retweet")
    ], printed
    link = re.search(r"^url\s+\(everything\)(?:\s+\S+){5}\s+[\d.,]+x\s+(\d+)\s+(\d+)\s+(\d+)\s+≤ 60 s$", printed,
                     flags=re.MULTILINE)  # fmt: skip
    assert link and int(link.group(1)) > 0 and link.group(2) == link.group(3) == "0", printed  # link edges agree
    assert re.search(r"^import\s+\(load / import\)\s+[\d.]+\s+[\d.]+", printed, flags=re.MULTILINE), printed
    assert "both sides used the same times" in printed and "url: the same" in printed, printed
    assert es.count(index=own).body["count"] == 3000

    printed = _run("bench_coordination.py", *options, url=es_url)  # the loaded release is reused, not loaded again

    assert f"{own} holds release-3000-1 (3,000 tweets): not loaded again" in printed, printed
