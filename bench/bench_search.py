"""Search benchmark: how long each kind of question takes, one client at a time and then four at once.

Runs a fixed mix of query classes through the library functions the CLI calls (`search_tweets`, `top_values`,
`timeline`, `check_quote`, `url_report`, `account_report`, `export_tweets`), each `--repeat` times after
`--warmup` untimed calls, and prints one table: per class the p50 and p95 of the server's `took` and of the
client's wall time per call, beside the issue's targets at 10M tweets (phrase and word searches <= 20 ms,
any combination of operators <= 50 ms, top and timeline <= 300 ms, a quote check <= 100 ms of server time
over all its requests, whatever the verdict). Then an export of up to `--export-limit` tweets (time and
rows/s) and the throughput of `--clients` concurrent clients (threads, one client each) running the search
mix for `--requests` requests. Figures only; nothing is asserted.

The index is the one `bench_index.py --keep` leaves behind (alias PREFIX-e2e) when it holds the generated
release of `--tweets` tweets; otherwise that release is generated into the cache (once) and loaded with the
library's loader into PREFIX-search, which is removed afterwards unless `--keep` is given. Query values
(the planted quotes, URLs and hashtags) come from the release's ground_truth.json, a few others (an account,
a mentioned name, a host) from the index itself, asked before the timing starts.

    python bench/bench_search.py --tweets 1000000 [--repeat 20] [--requests 400]
    (or: make bench BENCH_TWEETS=N, after bench_index.py)
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_index import CACHE, release_for  # noqa: E402  (the same cached releases)

from common.connection import Settings, connect  # noqa: E402
from indexer.loader import LoadOptions, load_archive  # noqa: E402
from search.aggregate import FIELDS, timeline, top_values  # noqa: E402
from search.export import export_tweets  # noqa: E402
from search.lookup import account_report, url_report  # noqa: E402
from search.quote import check_quote  # noqa: E402
from search.tweets import count_tweets, search_tweets  # noqa: E402

WORDS = "≤ 20 ms"
OPERATORS = "≤ 50 ms"
AGGREGATES = "≤ 300 ms"
QUOTES = "≤ 100 ms"
NONSENSE = (
    "Quantum marmalade zeppelins harmonise the velvet spreadsheet of Tuesday.",
    "Eleven translucent accordions negotiated a ceasefire with the moonlit parsnips.",
)
EVERY_OPERATOR = (
    "police brutality lang:en since:2015-01-01 until:2017-01-01 -filter:retweets -filter:replies -filter:links"
)
BROAD = "lang:en"
"""A query that matches about half the tweets: `top` and `timeline` with it count over them all."""
EXPORT_CANDIDATES = (
    *(f"lang:{code}" for code in ("en", "ru", "de", "uk", "es", "fa", "ar", "fr")),
    *(f"since:{year}-{month:02d}-01 until:{year + month // 12}-{month % 12 + 1:02d}-01"
      for year in (2015, 2016, 2017) for month in range(1, 13)),
)  # fmt: skip
"""Queries an export may run: the one with the most tweets up to `--export-limit` is taken."""


@dataclass(frozen=True)
class Case:
    """One query class: its calls (taken in turn), the target its server time is held to, and whether it
    belongs to the search mix the concurrent clients run."""

    name: str
    target: str
    calls: tuple[Callable[[Any], int], ...]
    mix: bool = False


@dataclass
class Timings:
    took: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: a value that was measured, never one interpolated between two."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def searching(alias: str, query: str) -> Callable[[Any], int]:
    return lambda es: search_tweets(es, alias, query, limit=20).took_ms


def searches(name: str, target: str, alias: str, *queries: str) -> Case:
    return Case(name, target, tuple(searching(alias, query) for query in queries), mix=True)


def discover(es, alias: str) -> dict[str, str]:
    """Values that exist in this index whatever its size: the busiest account, mentioned name and host."""
    found = {"account": "nobody", "mention": "nobody", "host": "nytimes.com"}
    accounts = top_values(es, alias, "accounts", limit=5).counts
    named = [count.screen_name for count in accounts if count.screen_name]
    if named:
        found["account"] = named[0]
    for key, facet in (("mention", "mentions"), ("host", "hosts")):
        counts = top_values(es, alias, facet, limit=1).counts
        if counts:
            found[key] = counts[0].value
    return found


def near_miss(text: str) -> str:
    """The quote with one word in the middle replaced: close enough for NEAR, never an exact phrase."""
    words = text.split()
    words[len(words) // 2] = "zeppelin"
    return " ".join(words)


def verdict_of(alias: str, text: str, seen: dict[str, set[str]], name: str) -> Callable[[Any], int]:
    def call(es) -> int:
        verdict = check_quote(es, alias, text)
        seen.setdefault(name, set()).add(verdict.verdict)
        return verdict.took_ms

    return call


def cases(es, alias: str, truth: dict[str, Any], seen: dict[str, set[str]]) -> list[Case]:
    """The fixed mix of query classes, with values from the ground truth and the index."""
    values = discover(es, alias)
    quotes = [quote["text"] for quote in truth["quotes"]]
    marker = truth["quotes"][0]["marker"]
    planted_url = truth["urls"][0]["url"]
    planted_tag = truth["hashtags"][0]["tag"]
    account, mention, host = values["account"], values["mention"], values["host"]
    mix = [
        searches("phrase", WORDS, alias, '"voter fraud"', '"the voting machines"', f'"{marker}"'),
        searches("word", WORDS, alias, "election", "protesters", "refugees", "ballots"),
        searches("words", WORDS, alias, "police brutality", "voted against taxes", "hillary election fraud"),
        searches("words lang:", OPERATORS, alias, "election lang:en", "выборы lang:ru"),
        searches("words since: until:", OPERATORS, alias, "election since:2016-01-01 until:2016-11-09"),
        searches("words -filter:retweets", OPERATORS, alias, "election -filter:retweets"),
        searches("words -filter:replies", OPERATORS, alias, "police -filter:replies"),
        searches("words -filter:links", OPERATORS, alias, "vote -filter:links"),
        searches("all of them", OPERATORS, alias, EVERY_OPERATOR),
        searches("OR groups", OPERATORS, alias, "(hillary OR obama) (election OR vote)", "refugees OR border OR taxes"),
        searches("prefix word*", OPERATORS, alias, "elect*", "vot*"),
        searches("#hashtag", OPERATORS, alias, "#MAGA", f"#{planted_tag}"),
        searches("@mention", OPERATORS, alias, f"@{mention}"),
        searches("from:", OPERATORS, alias, f"from:{account}", f"from:{account} election"),
        searches("url: host", OPERATORS, alias, f"url:{host}"),
        searches("url: full URL", OPERATORS, alias, f"url:{planted_url}"),
        searches("min_retweets:", OPERATORS, alias, "min_retweets:100", "election min_retweets:10"),
    ]
    aggregates = [
        Case(f"top {name}", AGGREGATES, (lambda es, name=name: top_values(es, alias, name).took_ms,)) for name in FIELDS
    ]
    aggregates += [
        Case(f"timeline {interval}", AGGREGATES, (lambda es, i=interval: timeline(es, alias, interval=i).took_ms,))
        for interval in ("day", "month")
    ]
    # The whole archive's top accounts are read from the accounts index; with a query they are counted.
    aggregates += [
        Case(f"top accounts {BROAD}", AGGREGATES, (lambda es: top_values(es, alias, "accounts", BROAD).took_ms,)),
        Case(f"timeline day {BROAD}", AGGREGATES, (lambda es: timeline(es, alias, BROAD, interval="day").took_ms,)),
    ]
    checks = [
        Case("quote EXACT", QUOTES, tuple(verdict_of(alias, text, seen, "quote EXACT") for text in quotes)),
        Case("quote NEAR", QUOTES, tuple(verdict_of(alias, near_miss(text), seen, "quote NEAR") for text in quotes)),
        Case("quote NOT FOUND", QUOTES, tuple(verdict_of(alias, text, seen, "quote NOT FOUND") for text in NONSENSE)),
        Case(
            "url",
            "-",
            (lambda es: url_report(es, alias, planted_url).took_ms, lambda es: url_report(es, alias, host).took_ms),
        ),
        Case("account", "-", (lambda es: account_report(es, alias, account).took_ms,)),
    ]
    return mix + aggregates + checks


def timed(call: Callable[[Any], int], es) -> tuple[float, float]:
    started = time.perf_counter()
    took = call(es)
    return float(took), (time.perf_counter() - started) * 1000


def measure(es, alias: str, case: Case, warmup: int, repeat: int) -> Timings:
    """Warm-ups warm the file cache and the global ordinals (built once per index reader, kept until the index
    changes: an archive's index, loaded once, keeps them). The shard request cache is off for the whole run
    (`no_request_cache`): it keeps whole answers of `size=0` requests, so from the second call on a `top` or
    `timeline` would be read back rather than computed, whereas a user's question is new to the server.
    Emptying it before each call instead would also drop the global ordinals, and time their building."""
    timings = Timings()
    calls = itertools.cycle(case.calls)
    for _ in range(warmup):
        next(calls)(es)
    for _ in range(repeat):
        took, wall = timed(next(calls), es)
        timings.took.append(took)
        timings.wall.append(wall)
    return timings


def row(name: str, timings: Timings, target: str) -> str:
    figures = [percentile(values, share) for values in (timings.took, timings.wall) for share in (0.5, 0.95)]
    cells = " ".join(f"{value:7.1f}" for value in figures)
    return f"{name:<24} {cells} {len(timings.took):>5}   {target}"


def throughput(settings: Settings, mix: list[Case], clients: int, requests: int) -> tuple[float, Timings]:
    """`requests` searches of the mix, taken in turn by `clients` threads, each with its own client."""
    calls = [call for case in mix for call in case.calls]
    numbers = itertools.count()
    lock = threading.Lock()
    timings = Timings()

    def work() -> None:
        es = connect(settings)
        while (number := next(numbers)) < requests:
            took, wall = timed(calls[number % len(calls)], es)
            with lock:
                timings.took.append(took)
                timings.wall.append(wall)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, timings


def export_query(es, alias: str, limit: int) -> tuple[str, int]:
    counted = [(count_tweets(es, alias, query), query) for query in EXPORT_CANDIDATES]
    fitting = [(count, query) for count, query in counted if count <= limit] or [min(counted)]
    count, query = max(fitting)
    return query, count


def run_export(es, alias: str, query: str, repeat: int) -> list[tuple[int, float]]:
    """(rows, seconds) of each export to /dev/null, as `tweetsearch export QUERY out.csv` writes it."""
    runs = []
    with open(os.devnull, "wb") as sink:
        for _ in range(repeat):
            started = time.perf_counter()
            summary = export_tweets(es, alias, query, sink, fmt="csv")
            runs.append((summary.rows, time.perf_counter() - started))
    return runs


def index_for(es, args, truth: dict[str, Any], release: Path) -> tuple[str, bool]:
    """The alias to search and whether this run loaded it: PREFIX-e2e when it holds this release."""
    reused = f"{args.prefix}-e2e"
    expected = truth["well_formed_tweets"]
    if es.indices.exists_alias(name=reused) and es.count(index=reused).body["count"] == expected:
        print(f"searching {reused} ({expected:,} tweets, left by bench_index.py --keep)")
        return reused, False
    own = f"{args.prefix}-search"
    print(f"loading {release} into {own} (no {reused} holding these {expected:,} tweets)", flush=True)
    rejects = args.cache / f"{own}-rejects.jsonl"
    summary = load_archive(es, own, [release], LoadOptions(rejects_path=rejects, rebuild=True, drop_replaced=True))
    if summary.indexed != expected:
        raise SystemExit(f"the load indexed {summary.indexed:,} tweets, not {expected:,}: see {rejects}")
    es.indices.refresh(index=own)
    return own, True


@contextmanager
def no_request_cache(es, alias: str) -> Iterator[None]:
    """The index's shard request cache turned off while the benchmark runs, then put back as it was."""
    index = next(iter(es.indices.get_alias(name=alias).body))
    answer = es.indices.get_settings(index=index, name="index.requests.cache.enable").body
    before = answer.get(index, {}).get("settings", {})  # empty when the index leaves it to the default
    es.indices.put_settings(index=alias, settings={"index.requests.cache.enable": False})
    try:
        yield
    finally:
        previous = before.get("index", {}).get("requests", {}).get("cache", {}).get("enable")
        es.indices.put_settings(index=alias, settings={"index.requests.cache.enable": previous})


def remove(es, alias: str) -> None:
    names = list(es.indices.get(index=f"{alias}-v*", allow_no_indices=True, expand_wildcards="all").body)
    if names:
        es.indices.delete(index=",".join(names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per class")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls per class before those")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients in the throughput run")
    parser.add_argument("--requests", type=int, default=400, help="searches in the throughput run")
    parser.add_argument("--export-limit", type=int, default=100_000, help="at most this many tweets exported")
    parser.add_argument("--export-repeat", type=int, default=3)
    parser.add_argument("--prefix", default="bench", help="searches PREFIX-e2e, else loads PREFIX-search")
    parser.add_argument("--keep", action="store_true", help="keep PREFIX-search when this run loaded it")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where generated releases are kept")
    args = parser.parse_args()

    settings = Settings.from_env()
    es = connect(settings)
    release = release_for(args.tweets, args.seed, args.cache)
    truth = json.loads((release / "ground_truth.json").read_text())
    alias, loaded = index_for(es, args, truth, release)
    cache_off = ExitStack()
    try:
        cache_off.enter_context(no_request_cache(es, alias))
        seen: dict[str, set[str]] = {}
        mix = cases(es, alias, truth, seen)
        print(f"server {settings.display_url}, {args.tweets:,} tweets, {args.repeat} calls per class after "
              f"{args.warmup} warm-ups, one client")  # fmt: skip
        print(f"{'class':<24} {'took ms p50':>11} {'p95':>7} {'wall ms p50':>11} {'p95':>7} {'n':>5}   target at 10M")
        for case in mix:
            print(row(case.name, measure(es, alias, case, args.warmup, args.repeat), case.target), flush=True)
        for name, verdicts in seen.items():
            expected = name.removeprefix("quote ")
            if verdicts != {expected}:
                print(f"note: {name} texts were answered {', '.join(sorted(verdicts))}")

        query, count = export_query(es, alias, args.export_limit)
        runs = run_export(es, alias, query, args.export_repeat)
        best = min(seconds for _, seconds in runs)
        print(f"export {query!r}: {runs[0][0]:,} tweets (counted {count:,}) in {best:.2f} s = "
              f"{runs[0][0] / best:,.0f} rows/s (best of {len(runs)})")  # fmt: skip

        searches_only = [case for case in mix if case.mix]
        seconds, timings = throughput(settings, searches_only, args.clients, args.requests)
        print(f"throughput: {args.clients} clients, {args.requests} searches of the mix in {seconds:.1f} s = "
              f"{args.requests / seconds:,.1f} requests/s")  # fmt: skip
        print(row(f"{args.clients} clients", timings, f"{WORDS} / {OPERATORS} for one"))
    finally:
        cache_off.close()
        if loaded and not args.keep:
            remove(es, alias)


if __name__ == "__main__":
    main()
