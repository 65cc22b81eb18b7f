"""Web benchmark: how long each page of `tweetsearch serve` takes, with several clients at once.

Serves the application (the same as `tweetsearch serve`) on a free loopback port over an alias that holds a
loaded release, and has `--clients` threads ask for `--requests` pages in turn: search pages (with their facets
and timeline), quote pages and URL pages. Each response's `Server-Timing` header says what the application
took in all (`app`) and what each of its searches took on the server (`search`, `facets`, `timeline`,
`quote`, `url`); the table prints p50 and p95 of each, and of the client's wall time, beside the issue's
targets at 10M tweets (p50: search, quote and URL pages <= 100 ms; facets and timeline <= 300 ms). The shard
request cache is off while it runs, as in bench_search.py. Figures only, nothing asserted. The quotes and URLs
asked for are the release's planted ones (its ground truth, as bench_search.py uses them), with the busiest
host read from the index.

    python bench/bench_web.py --alias bench-e2e --tweets 1000000 [--clients 4] [--requests 200]
    (make bench runs it on the index bench_index.py --keep leaves)
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from bench_index import CACHE, release_for  # noqa: E402
from bench_search import NONSENSE, discover, near_miss, no_request_cache  # noqa: E402

from common.connection import Settings, connect  # noqa: E402
from search_web.app import create_app  # noqa: E402

TARGETS = {"search page": "≤ 100 ms", "quote page": "≤ 100 ms", "url page": "≤ 100 ms"}
PART_TARGETS = {"facets": "≤ 300 ms", "timeline": "≤ 300 ms"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def serve(settings: Settings) -> tuple[str, uvicorn.Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def pages(es, alias: str, truth: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, address) of every page asked for, taken in turn: the searches of bench_search.py's mix, the
    release's planted quotes (EXACT), each with a word changed (NEAR) and a nonsense text (NOT FOUND), its
    planted URLs and the busiest host (the heaviest URL page there is)."""
    searches = ["vote", "election lang:en", '"voter fraud"', "#maga", "police brutality -filter:retweets", ""]
    planted = [quote["text"] for quote in truth["quotes"][:2]]
    quotes = [*planted, *(near_miss(text) for text in planted), NONSENSE[0]]
    hosts = [*(url["url"] for url in truth["urls"][:2]), discover(es, alias)["host"]]
    found = [("search page", "/?" + urllib.parse.urlencode({"q": query})) for query in searches]
    found += [("quote page", "/quote?" + urllib.parse.urlencode({"text": text})) for text in quotes]
    found += [("url page", "/url?" + urllib.parse.urlencode({"u": host})) for host in hosts]
    return found


def timings(header: str) -> dict[str, float]:
    parts = (item.strip().split(";dur=") for item in header.split(",") if ";dur=" in item)
    return {name: float(duration) for name, duration in parts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alias", default="bench-e2e", help="an alias holding the release of --tweets")
    parser.add_argument("--tweets", type=int, default=1_000_000, help="the release's size (its ground truth)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=CACHE, help="where generated releases are kept")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds over every page first")
    args = parser.parse_args()

    settings = Settings.from_env(alias=args.alias)
    es = connect(settings)
    with no_request_cache(es, args.alias):
        run(settings, es, args)


def run(settings: Settings, es, args) -> None:
    site, server = serve(settings)
    truth = json.loads((release_for(args.tweets, args.seed, args.cache) / "ground_truth.json").read_text())
    asked = pages(es, args.alias, truth)
    for _ in range(args.warmup):
        for _, address in asked:
            urllib.request.urlopen(site + address).read()
    numbers = itertools.count()
    lock = threading.Lock()
    figures: dict[tuple[str, str], list[float]] = defaultdict(list)

    def work() -> None:
        while (number := next(numbers)) < args.requests:
            kind, address = asked[number % len(asked)]
            started = time.perf_counter()
            with urllib.request.urlopen(site + address) as answer:
                answer.read()
                header = answer.headers.get("server-timing", "")
            wall = (time.perf_counter() - started) * 1000
            with lock:
                figures[(kind, "wall")].append(wall)
                for name, duration in timings(header).items():
                    figures[(kind, name)].append(duration)

    threads = [threading.Thread(target=work) for _ in range(args.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    server.should_exit = True

    print(f"{args.requests} pages of {args.alias} by {args.clients} clients in {seconds:.1f} s "
          f"({args.requests / seconds:.1f} pages/s); ms, p50 / p95")  # fmt: skip
    print(f"{'page':<12} {'part':<10} {'p50':>8} {'p95':>8} {'n':>5}   target at 10M (p50)")
    for kind in ("search page", "quote page", "url page"):
        for part in ("app", "search", "facets", "timeline", "quote", "url", "wall"):
            values = figures.get((kind, part))
            if not values:
                continue
            target = TARGETS[kind] if part == "app" else PART_TARGETS.get(part, "")
            print(f"{kind:<12} {part:<10} {percentile(values, 0.5):8.1f} {percentile(values, 0.95):8.1f} "
                  f"{len(values):>5}   {target}")  # fmt: skip


if __name__ == "__main__":
    main()
