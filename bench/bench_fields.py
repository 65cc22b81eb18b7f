"""Field-cost benchmark: what each group of indexed fields costs the server, in load time, CPU and disk.

The same generated tweets, encoded once into bulk bodies by the indexer's own encoder (`bench_index.bodies_for`,
cached beside the release), are loaded into one fresh index per *variant* of the template: the project's
`mappings/tweets-template.json`, changed in memory only (the file is never edited). The documents never change,
so a variant that drops a field from the index makes it non-indexed (`"index": false`, and no doc values where
the type has them) rather than removing it: the mapping is `dynamic: strict`, and a removed field would be
refused. Each index, `PREFIX-fields-VARIANT`, is created with refresh off and no replicas, loaded, refreshed,
force-merged to one segment and measured:
  load s        wall time from creating the index to the documents being searchable;
  server µs/doc CPU the server spent over that time, per document (read from /proc when the server runs on
                this machine, else from nodes stats' `process.cpu.total_in_millis`);
  merge µs/doc  CPU it spent on the force merge to one segment, per document (the load's leftover merges too);
  MB/M          the store after the merge, in MB per million tweets.
Each figure is also given as its difference from `current`, which is always measured (first) as the baseline.

Server CPU is whatever the server did meanwhile: on a shared server, someone else's requests are counted too,
so each run waits for the server to go quiet first, and `--rounds N` measures every variant N times (in a
rotated order) and prints the medians. Figures only; nothing is asserted. The indices are deleted afterwards.

    python bench/bench_fields.py --tweets 200000 [--variants current,no-lang] [--rounds N]
"""

from __future__ import annotations

import argparse
import copy
import itertools
import statistics
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_index import (  # noqa: E402  (the same cached releases and bodies)
    CACHE,
    bodies_for,
    chunks,
    cpu_seconds,
    local_server_pid,
    poster,
    release_for,
    wait_until_quiet,
)

from common.connection import Settings, connect  # noqa: E402
from common.mapping import TEMPLATE_FILE  # noqa: E402

PROFILE = (
    "user_display_name", "user_reported_location", "user_profile_description", "user_profile_url",
    "follower_count", "following_count", "account_creation_date", "account_language",
)  # fmt: skip
PROFILE_INDEXED = (
    *((name, {"type": "text", "analyzer": "folded"}) for name in PROFILE[:3]),
    ("user_profile_url", {"type": "keyword"}),
    ("follower_count", {"type": "long"}),
    ("following_count", {"type": "long"}),
    ("account_creation_date", {"type": "date"}),
    ("account_language", {"type": "keyword"}),
)
"""The profile analysed on every tweet, as the tweets index did before the accounts index held it once."""
URLS = ("urls", "url_hosts", "url_domains", "tco_links")
COUNTS = ("quote_count", "reply_count", "like_count", "retweet_count")
STATS_REFRESH = 1.1
"""Seconds between two reads of nodes stats' CPU figure that make the second current (`monitor.process.refresh_interval`
is 1 s by default)."""


@dataclass(frozen=True)
class Variant:
    """One change to the template: fields no longer indexed (an object's every sub-field), fields left out of
    `_source`, `_source` limited to some fields, and index settings put back to Elasticsearch's defaults."""

    name: str
    unindexed: tuple[str, ...] = ()
    source_excludes: tuple[str, ...] = ()
    source_only: tuple[str, ...] = ()
    default_settings: tuple[str, ...] = ()
    settings: tuple[tuple[str, Any], ...] = ()
    """Index settings added to the template's: (name, value)."""
    mapped: tuple[tuple[str, dict[str, Any]], ...] = ()
    """Fields given another mapping than the template's: (name, mapping)."""


VARIANTS = (
    Variant("current"),
    Variant("profile-indexed", mapped=PROFILE_INDEXED),
    Variant("no-lang", unindexed=("lang",)),
    Variant("lang-excluded", source_excludes=("lang.*",)),
    Variant("no-raw-source", source_excludes=("raw",)),
    Variant("no-parsed-source", source_only=("raw",)),
    Variant("no-url-fields", unindexed=URLS),
    Variant("no-counts", unindexed=COUNTS),
    Variant("default-codec", default_settings=("codec",)),
    Variant("fewer-merges", settings=(("merge.policy.segments_per_tier", 30), ("merge.policy.max_merge_at_once", 30))),
    Variant("no-text-twice", source_excludes=("raw.tweet_text",)),
    Variant("no-profile-source", source_excludes=PROFILE),
    Variant("no-text-or-profile-twice", source_excludes=("raw.tweet_text", *PROFILE)),
)
"""Every variant is relative to the current template; adding one is one entry here."""

BY_NAME = {variant.name: variant for variant in VARIANTS}


def _not_indexed(field: dict[str, Any]) -> dict[str, Any]:
    """The same field, kept in `_source` but neither indexed nor in doc values (text has none)."""
    if "properties" in field:
        return {**field, "properties": {name: _not_indexed(sub) for name, sub in field["properties"].items()}}
    if field.get("type") == "object" or field.get("enabled") is False:
        return {"type": "object", "enabled": False}
    changed = {"type": field["type"], "index": False}
    if field["type"] != "text":
        changed["doc_values"] = False
    return changed


def variant_template(variant: Variant, template: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(settings, mappings) of the template file's body with the variant's changes; the body is not changed."""
    settings = copy.deepcopy(template["template"]["settings"])
    mappings = copy.deepcopy(template["template"]["mappings"])
    properties = mappings["properties"]
    for name in variant.unindexed:
        if name not in properties:
            raise SystemExit(f"variant {variant.name}: the template has no field {name!r}")
        properties[name] = _not_indexed(properties[name])
    for name, mapping in variant.mapped:
        if name not in properties:
            raise SystemExit(f"variant {variant.name}: the template has no field {name!r}")
        properties[name] = mapping
    source = mappings.setdefault("_source", {})
    if variant.source_excludes:
        source["excludes"] = [*source.get("excludes", []), *variant.source_excludes]
    if variant.source_only:
        source["includes"] = list(variant.source_only)
    for name in variant.default_settings:
        if name not in settings:
            raise SystemExit(f"variant {variant.name}: the template sets no {name!r}")
        del settings[name]
    settings.update(variant.settings)
    return settings, mappings


@dataclass(frozen=True)
class Measure:
    """One variant's load: documents, wall seconds, server CPU seconds of the load and of the merge, bytes."""

    docs: int
    seconds: float
    load_cpu: float
    merge_cpu: float
    store: int

    @property
    def figures(self) -> tuple[float, float, float, float, float]:
        """load s, docs/s, server µs/doc, merge µs/doc, MB per million tweets."""
        per_doc = 1e6 / self.docs
        mb_per_million = self.store / 1e6 / (self.docs / 1e6)
        return self.seconds, self.docs / self.seconds, self.load_cpu * per_doc, self.merge_cpu * per_doc, mb_per_million


def server_cpu(es, pid: int | None) -> float:
    """CPU seconds the server has used so far: from /proc when it runs on this machine (exact), else from
    nodes stats, which the server caches for up to a second: the read waits that long so it is current."""
    if pid is not None:
        return cpu_seconds(pid)
    time.sleep(STATS_REFRESH)
    nodes = es.nodes.stats(metric="process", filter_path="nodes.*.process.cpu.total_in_millis").body["nodes"]
    return sum(node["process"]["cpu"]["total_in_millis"] for node in nodes.values()) / 1000


def load(
    es,
    url: str,
    index: str,
    shape: tuple[dict[str, Any], dict[str, Any]],
    bodies: Iterable[bytes],
    args,
    pid: int | None,
) -> tuple[int, float, float]:
    """Creates `index` with refresh off and no replicas, posts every body and refreshes. Returns the number of
    documents, wall seconds and server CPU seconds of all that."""
    settings, mappings = shape
    settings = {**settings, "number_of_replicas": 0, "refresh_interval": "-1"}
    cpu_before, started = server_cpu(es, pid), time.monotonic()
    es.indices.create(index=index, settings=settings, mappings=mappings)
    with ThreadPoolExecutor(max_workers=args.in_flight) as executor:
        docs = sum(executor.map(poster(url, index, args.in_flight), bodies))
    es.indices.refresh(index=index)
    return docs, time.monotonic() - started, server_cpu(es, pid) - cpu_before


def measure(
    es, url: str, variant: Variant, template: dict[str, Any], bodies: Path, args, server_pid: int | None
) -> Measure:
    index = f"{args.prefix}-fields-{variant.name}"
    es.indices.delete(index=index, ignore_unavailable=True)
    wait_until_quiet(es, server_pid, limit=args.quiet_seconds)
    shape = variant_template(variant, template)
    docs, seconds, load_cpu = load(es, url, index, shape, chunks(bodies), args, server_pid)
    counted = es.count(index=index).body["count"]
    if counted != docs:
        raise SystemExit(f"{index}: {docs:,} documents sent, {counted:,} searchable")
    before = server_cpu(es, server_pid)
    # Returns once the index is one segment: a wait for the server to go quiet here would charge the merge
    # with whatever else a shared server does meanwhile.
    es.options(request_timeout=3600).indices.forcemerge(index=index, max_num_segments=1, wait_for_completion=True)
    merge_cpu = server_cpu(es, server_pid) - before
    stats = es.indices.stats(index=index, metric="store").body["_all"]["primaries"]["store"]["size_in_bytes"]
    if not args.keep:
        es.indices.delete(index=index)
    return Measure(docs, seconds, load_cpu, merge_cpu, stats)


def warm_up(
    es, url: str, template: dict[str, Any], bodies: Path, args, server_pid: int | None, batches: int = 20
) -> None:
    """An untimed load of the first bodies: the server's first requests run while its JIT compiles, and
    whichever variant came first would pay for that."""
    index = f"{args.prefix}-fields-warmup"
    es.indices.delete(index=index, ignore_unavailable=True)
    shape = variant_template(BY_NAME["current"], template)
    load(es, url, index, shape, itertools.islice(chunks(bodies), batches), args, server_pid)
    es.indices.delete(index=index)


def chosen(names: str | None) -> list[Variant]:
    """The variants asked for, `current` first (the baseline every difference is taken from)."""
    if names is None:
        return list(VARIANTS)
    asked = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in asked if name not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown variant {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    return [BY_NAME["current"], *(BY_NAME[name] for name in dict.fromkeys(asked) if name != "current")]


COLUMNS = ("load s", "docs/s", "server µs/doc", "merge µs/doc", "MB/M")
FORMATS = ("{:.1f}", "{:,.0f}", "{:.0f}", "{:.0f}", "{:.0f}")


def table(results: dict[str, list[Measure]]) -> list[str]:
    """One line per variant: each figure (the median over rounds) and its difference from `current` in %."""
    medians = {
        name: [statistics.median(column) for column in zip(*(run.figures for run in runs), strict=True)]
        for name, runs in results.items()
    }
    baseline = medians["current"]
    header = f"{'variant':<18}" + "".join(f"{column:>15} {'vs cur':>7}" for column in COLUMNS)
    lines = [header]
    for name, figures in medians.items():
        cells = "".join(
            f"{shape.format(value):>15} {(value - base) / base * 100 if base else 0.0:>+6.1f}%"
            for shape, value, base in zip(FORMATS, figures, baseline, strict=True)
        )
        lines.append(f"{name:<18}{cells}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--variants", help=f"comma-separated, from: {', '.join(BY_NAME)} (default: all)")
    parser.add_argument("--rounds", type=int, default=1, help="loads of each variant (the medians are printed)")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=2)
    parser.add_argument("--quiet-seconds", type=float, default=60.0, help="longest wait for the server to go quiet")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark indices afterwards")
    parser.add_argument("--prefix", default="bench", help="the benchmark's indices: PREFIX-fields-VARIANT")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where generated releases and bodies are kept")
    args = parser.parse_args()
    variants = chosen(args.variants)

    settings = Settings.from_env()
    es = connect(settings)
    template = orjson.loads(TEMPLATE_FILE.read_bytes())
    for variant in variants:  # a variant the template no longer fits fails before anything is loaded
        variant_template(variant, template)
    release = release_for(args.tweets, args.seed, args.cache)
    bodies = bodies_for(release, args.batch_size)
    server_pid = local_server_pid(es, settings.url)
    print(f"server {settings.display_url}, {args.tweets:,} tweets, batch {args.batch_size}, in flight {args.in_flight}")
    print(f"variants: {', '.join(variant.name for variant in variants)}; {args.rounds} round(s)", flush=True)

    results: dict[str, list[Measure]] = {variant.name: [] for variant in variants}
    try:
        warm_up(es, settings.url, template, bodies, args, server_pid)
        for number in range(args.rounds):
            shift = number % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                run = measure(es, settings.url, variant, template, bodies, args, server_pid)
                results[variant.name].append(run)
                seconds, rate, load_us, merge_us, size = run.figures
                print(
                    f"  round {number + 1} {variant.name:<18} {run.docs:,} docs in {seconds:.1f} s"
                    f" = {rate:,.0f} docs/s, server {load_us:.0f} µs/doc + merge {merge_us:.0f} µs/doc,"
                    f" {size:.0f} MB per million",
                    flush=True,
                )
        docs = {run.docs for runs in results.values() for run in runs}
        if len(docs) != 1:
            raise SystemExit(f"the variants did not load the same documents: {sorted(docs)}")
        print(f"\n{docs.pop():,} documents per variant; medians over {args.rounds} round(s):")
        print("\n".join(table(results)))
    finally:
        if not args.keep:
            names = ",".join(f"{args.prefix}-fields-{name}" for name in (*results, "warmup"))
            es.indices.delete(index=names, ignore_unavailable=True)


if __name__ == "__main__":
    main()
