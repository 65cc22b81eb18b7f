"""Coordination benchmark: `tweetsearch coordination` against the coordination-network-toolkit, on the same tweets.

The coordination-network-toolkit (QUT Digital Observatory, `pip install coordination-network-toolkit`, the
`bench` extra) is what researchers of information operations run for co-tweet, co-link and co-retweet networks:
it copies the messages into SQLite and joins them there. `tweetsearch coordination` answers the same question
from the index the archive is already loaded into. This benchmark runs both on one generated release and prints,
for each kind, the time of each, their ratio, our command's peak memory and whether the two found the same pairs.

In one run:
  (1) the release of `--tweets` tweets is generated into the cache (once) and loaded with `tweetsearch index`
      into `--alias` (default `benchco`), unless that alias already holds it;
  (2) `tweetsearch coordination --by text|url|retweet --window 60s --min-repeats 2 --json` is run as a user
      runs it, `--runs` times each, over everything and over `--campaign-query` (a campaign-sized question):
      wall time, the analysis's own `took`, and the command's peak RSS (its process only: the server's memory
      is the server's);
  (3) the same tweets are written in the toolkit's CSV format and imported into its SQLite database (timed,
      like the toolkit's `preprocess`), then its co-tweet, co-link and co-retweet networks are computed with the
      same window and `min_edge_weight`, once per `--threads` value, each on a fresh copy of the imported
      database so that no run profits from indexes or text a previous one left;
  (4) one table, then up to `--examples` pairs that only one side found, each with the reason.

The toolkit's CSV is made from the release's files by the project's own reader (`indexer.archive`, the records
the indexer turns into documents), not exported from the index: the values are the indexed ones (userid,
retweeted tweet, the normalised URLs) without making the server's export speed part of the preparation, and the
same file would be the toolkit user's starting point. Each tweet is given:
  - its time as `search.coordination` takes it: the millisecond its snowflake id carries, else `tweet_time`
    (the 2018 files' minute), in seconds as a float: both sides use the same times;
  - its links as the pages the analysis compares (`search.coordination.page_key` of each normalised URL), so
    that co-link compares the same keys on both sides;
  - `repost_id` = the retweeted tweet's id, `message` = the text as published.
Both sides' definitions, and where they differ by design:
  - a pair of ours (`co_actions` >= R) is a toolkit edge in both directions, each of weight >= R (the toolkit's
    weight user_1 -> user_2 counts user_1's messages with a match by user_2 in the window; its self-loops,
    user_1 = user_2, are left out);
  - text: ours compares the text with case, punctuation, a leading `RT @x:` and t.co links removed; the
    toolkit lower-cases, removes @mentions and collapses white space, so a few text pairs differ legitimately;
  - links: the toolkit leaves the links of reposts out; ours counts every tweet's links, retweets' included;
  - times known only to the minute: ours compares minutes (within 60 s means the same minute), the toolkit
    the seconds given (a tweet at 12:01 is within 60 s of one at 12:00).
The toolkit's CSV import (`preprocess_csv_files`) splits an empty `urls` column into one empty URL, which
pairs every link-less message with every other; its documented `preprocess_data` is fed the same CSV rows
with the empty URL list instead. Figures only; nothing is asserted.

    python bench/bench_coordination.py --tweets 1000000 [--runs 2] [--threads 1,2] [--alias benchco]
    (or: make bench-coordination BENCH_TWEETS=N)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, suppress
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_index import CACHE, PEAK_MEMORY_WRAPPER, release_for  # noqa: E402  (releases, peak RSS of a child)

from common.connection import Settings, connect  # noqa: E402
from common.records import Reject  # noqa: E402
from indexer.archive import discover, read_archive  # noqa: E402
from search.coordination import ITEM_KINDS, Post, co_acting, page_key, post_time  # noqa: E402
from search.point_in_time import pages as walk  # noqa: E402
from search.point_in_time import point_in_time  # noqa: E402
from search.safe_text import one_line  # noqa: E402

TWEETSEARCH = str(ROOT / ".venv" / "bin" / "tweetsearch")
KINDS = ("text", "url", "retweet")
NETWORKS = {"text": "co_tweet", "url": "co_link", "retweet": "co_retweet"}
"""Our `--by` → the toolkit's network of the same question (and its table, `<network>_network`)."""
TARGETS = {"text": "≤ 60 s", "url": "≤ 60 s", "retweet": "–"}
"""The issue's targets at 10M tweets, for the whole release; a campaign-sized question: ≤ 5 s."""
CAMPAIGN_TARGET = "≤ 5 s"
MEMORY_TARGET_MB = 500
SHAPING = tuple(ROOT / path for path in ("search/coordination.py", "search/pages.py", "search/data/page_forms.json",
                                          "common/urls.py", "indexer/normalise.py", "indexer/archive.py"))  # fmt: skip
"""The code and data behind the values the toolkit's CSV holds: a CSV older than any of them is written again."""
CSV_COLUMNS = ("message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls")

TOOLKIT_STEP = """
import csv, sys, time
from coordination_network_toolkit import compute_networks, preprocess
step, db = sys.argv[1], sys.argv[2]
started = time.perf_counter()
if step == "import":
    with open(sys.argv[3], encoding="utf-8", newline="") as source:
        rows = csv.reader(source)
        next(rows)
        preprocess.preprocess_data(db, ((*row[:-1], row[-1].split()) for row in rows))
else:
    compute = {"co_tweet": compute_networks.compute_co_tweet_network,
               "co_link": compute_networks.compute_co_link_network,
               "co_retweet": compute_networks.compute_co_retweet_parallel}[step]
    compute(db, float(sys.argv[3]), min_edge_weight=int(sys.argv[4]), n_threads=int(sys.argv[5]))
print(time.perf_counter() - started, file=sys.stderr)
"""
"""One step of the toolkit (its import, or one network) in a process of its own, under PEAK_MEMORY_WRAPPER: it
prints the seconds the toolkit's own call took (not the interpreter's start or its imports)."""

PairKey = tuple[str, str]


@dataclass
class OurRun:
    """`tweetsearch coordination` for one kind and query: each run's wall time, and what the last one found."""

    kind: str
    query: str
    walls: list[float]
    took_ms: int
    peak_mb: float
    pairs: dict[PairKey, dict[str, int]]
    time_used: dict[str, int]

    @property
    def best(self) -> float:
        return min(self.walls)


@dataclass
class ToolkitRun:
    seconds: float
    peak_mb: float
    edges: dict[PairKey, int] = field(default_factory=dict)
    """Directed weights (user_1, user_2) of at least `min_edge_weight`, self-loops left out."""

    def pairs(self) -> set[PairKey]:
        """Unordered pairs (in order) with an edge each way: what a pair of ours is."""
        return {(a, b) for (a, b) in self.edges if a < b and (b, a) in self.edges}


@dataclass
class Export:
    """What the toolkit's CSV holds: its rows and how many of each sort (the same counts for every run)."""

    rows: int
    reposts: int
    with_links: int
    minute_timed: int
    retweets_without_id: int
    seconds: float | None
    """Time taken to write it in this run; None when a previous run's file was used."""


@dataclass(frozen=True)
class Tweet:
    """One tweet as each side sees it, for explaining a pair only one side found."""

    tweetid: str
    userid: str
    is_retweet: bool
    repost_id: str | None
    text: str
    ours_text: str | None
    """The text as ours keys it (the library's text field, read from doc values: the normalised text or its hash)."""
    toolkit_text: str
    pages: tuple[str, ...]
    ms: int
    precise: bool

    def key(self, kind: str, side: str) -> set[str]:
        """The items this tweet carries for `kind`, by `side`'s definition (module docstring)."""
        if kind == "retweet":
            return {self.repost_id} if self.repost_id else set()
        if kind == "url":
            return set(self.pages) if side == "ours" or not self.repost_id else set()
        if side == "ours":
            return {self.ours_text} if self.ours_text and not self.is_retweet else set()
        return set() if self.repost_id else {self.toolkit_text}


# --------------------------------------------------------------------------------------------------------------
# (1) The release and its index.


def holds_release(es, alias: str, truth: Mapping[str, Any]) -> bool:
    """Whether `alias` holds this release, loaded with the fields the analysis reads now: its count, a planted
    tweet of it (another seed's ids differ), and those fields in its mapping (an index loaded before a key field
    existed is refused by the command)."""
    if not es.indices.exists_alias(name=alias):
        return False
    if es.count(index=alias).body["count"] != truth["well_formed_tweets"]:
        return False
    wanted = [ITEM_KINDS[kind].field for kind in KINDS]
    mapped = es.field_caps(index=alias, fields=wanted).body.get("fields", {})
    if any(field not in mapped for field in wanted):
        return False
    groups = truth.get("coordination", {}).get("groups", [])
    if not groups:
        return True
    return bool(es.exists(index=alias, id=groups[0]["tweetids"][0][0]).body)


def load(es, url: str, alias: str, release: Path, truth: Mapping[str, Any]) -> float:
    """`tweetsearch index --rebuild --drop-replaced` as a user runs it, then the merge it starts in the background
    (searched meanwhile, the analysis would be timed against a merging server). Returns the load's seconds."""
    rejects = release.parent / f"{alias}-rejects.jsonl"
    command = [TWEETSEARCH, "--url", url, "--alias", alias, "index", str(release), "--rebuild", "--drop-replaced",
               "--json", "--rejects", str(rejects)]  # fmt: skip
    print(f"loading {release} into {alias} with tweetsearch index", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"tweetsearch index failed ({done.returncode}): {done.stderr[-1000:]}")
    summary = json.loads(done.stdout)
    if summary["indexed"] != truth["well_formed_tweets"]:
        raise SystemExit(f"the load indexed {summary['indexed']:,} tweets, not {truth['well_formed_tweets']:,}")
    if summary.get("merge_task"):
        from elasticsearch import NotFoundError
        from elasticsearch.exceptions import GeneralAvailabilityWarning

        # The client warns on every call that the tasks API is a technical preview; a finished task may be gone.
        with warnings.catch_warnings(action="ignore", category=GeneralAvailabilityWarning), suppress(NotFoundError):
            es.options(request_timeout=7200).tasks.get(task_id=summary["merge_task"], wait_for_completion=True,
                                                       timeout="2h")  # fmt: skip
    return seconds


# --------------------------------------------------------------------------------------------------------------
# (2) Ours.


def run_ours(url: str, alias: str, query: str, kind: str, window: int, repeats: int, runs: int) -> OurRun:
    """`tweetsearch coordination ... --json` in a process of its own, `runs` times; pairs from the last run."""
    command = [TWEETSEARCH, "--url", url, "--alias", alias, "coordination", query, "--by", kind,
               "--window", f"{window}s", "--min-repeats", str(repeats), "--json"]  # fmt: skip
    walls: list[float] = []
    peak_kb = 0
    report: dict[str, Any] = {}
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PEAK_MEMORY_WRAPPER, *command], capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"tweetsearch coordination --by {kind} failed: {done.stderr.decode()[-1000:]}")
        peak_kb = max(peak_kb, int(done.stderr.decode().strip().splitlines()[-1].split()[0]))
        report = json.loads(done.stdout)
    pairs = {(pair["a"], pair["b"]): pair for pair in report["pairs"]}
    return OurRun(kind, query, walls, report["took_ms"], peak_kb / 1024, pairs, report["time_used"])


# --------------------------------------------------------------------------------------------------------------
# (3) The toolkit.


def export_for_toolkit(release: Path, target: Path) -> Export:
    """The toolkit's CSV of every tweet of the release (module docstring), written once and then reused until the
    release or the code that shapes its values changes; the counts are kept beside it."""
    facts = target.with_suffix(".json")
    shaping = [release / "ground_truth.json", Path(__file__), *SHAPING]
    if target.exists() and facts.exists() and facts.stat().st_mtime > max(path.stat().st_mtime for path in shaping):
        return Export(**{**json.loads(facts.read_text()), "seconds": None})
    print(f"writing the toolkit's CSV of {release.name} into {target} (once)", flush=True)
    started = time.perf_counter()
    counts = dict.fromkeys(("rows", "reposts", "with_links", "minute_timed", "retweets_without_id"), 0)
    keys: dict[str, str] = {}
    partial = target.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for record in read_archive(discover([release])):
            if isinstance(record, Reject) or record.userid is None:
                continue
            stamp = None if record.tweet_time is None else round(record.tweet_time.timestamp() * 1000)
            timed = post_time(record.tweetid, stamp)
            if timed is None:
                continue  # no time: the analysis leaves it out too
            ms, precise = timed
            counts["minute_timed"] += not precise
            links = dict.fromkeys(
                keys.get(url) or keys.setdefault(url, link_token(url)) for url in record.urls_normalised
            )
            writer.writerow((record.tweetid, record.userid, record.user_screen_name or "", record.retweet_tweetid or "",
                             record.in_reply_to_tweetid or "", record.tweet_text or "", repr(ms / 1000),
                             " ".join(links)))  # fmt: skip
            counts["rows"] += 1
            counts["reposts"] += record.retweet_tweetid is not None
            counts["with_links"] += bool(links)
            counts["retweets_without_id"] += record.is_retweet and record.retweet_tweetid is None
    partial.replace(target)
    facts.write_text(json.dumps(counts))
    return Export(**counts, seconds=time.perf_counter() - started)


def link_token(url: str) -> str:
    """The page a normalised URL links (`page_key`) as one word of the toolkit's space-separated `urls`: a known
    page's key is a label with spaces (`YouTube video ID`), which the toolkit would split into three links."""
    return page_key(url).replace("%", "%25").replace(" ", "%20")


def toolkit_step(*args: str) -> tuple[float, float]:
    """One toolkit step in its own process: (seconds of the toolkit's call, peak RSS in MB of its largest
    process, the worker processes of a network included)."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY_WRAPPER, sys.executable, "-c", TOOLKIT_STEP, *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"the toolkit's {args[0]} failed: {done.stderr[-1500:]}")
    *_, seconds, usage = done.stderr.strip().splitlines()
    return float(seconds), int(usage.split()[0]) / 1024


def toolkit_import(csv_path: Path, work: Path) -> tuple[Path, ToolkitRun]:
    """The CSV into a new database (timed); that database stays as imported, each network runs on a copy."""
    imported = work / "imported.db"
    for stale in work.glob("*.db*"):
        stale.unlink()
    seconds, peak = toolkit_step("import", str(imported), str(csv_path))
    return imported, ToolkitRun(seconds, peak)


def toolkit_network(imported: Path, work: Path, kind: str, window: int, repeats: int, threads: int) -> ToolkitRun:
    """One network on a fresh copy of the imported database, and its edges."""
    copy = work / f"{NETWORKS[kind]}-{threads}.db"
    shutil.copyfile(imported, copy)
    try:
        seconds, peak = toolkit_step(NETWORKS[kind], str(copy), str(window), str(repeats), str(threads))
        with closing(sqlite3.connect(copy)) as db:
            rows = db.execute(f"select user_1, user_2, weight from {NETWORKS[kind]}_network where user_1 != user_2")
            edges = {(str(a), str(b)): int(weight) for a, b, weight in rows}
    finally:
        for made in work.glob(f"{copy.name}*"):
            made.unlink()
    return ToolkitRun(seconds, peak, edges)


# --------------------------------------------------------------------------------------------------------------
# (4) Agreement and the reasons for each difference.


@dataclass
class Agreement:
    both: set[PairKey]
    only_ours: set[PairKey]
    only_theirs: set[PairKey]


def agreement(ours: Iterable[PairKey], theirs: Iterable[PairKey]) -> Agreement:
    mine, their = set(ours), set(theirs)
    return Agreement(mine & their, mine - their, their - mine)


CARRIES = {"text": None, "url": "urls", "retweet": "retweet_tweetid"}
"""The field a tweet must have to carry an item of the kind on either side (any tweet may carry a text)."""


def tweets_of(es, alias: str, userids: Iterable[str], kind: str) -> dict[str, list[Tweet]]:
    """The tweets of these accounts that may carry an item of `kind`, as each side sees them: the text key the
    analysis reads (ours) and the toolkit's preprocessed text, the pages, the time both sides were given."""
    from coordination_network_toolkit.similarity import message_preprocessor

    found: dict[str, list[Tweet]] = defaultdict(list)
    text_key = ITEM_KINDS["text"].field
    fields = [text_key, {"field": "tweet_time", "format": "epoch_millis"}]
    source = ["tweetid", "userid", "is_retweet", "retweet_tweetid", "tweet_text", "urls"]
    query: dict[str, Any] = {"bool": {"filter": [{"terms": {"userid": sorted(userids)}}]}}
    if CARRIES[kind] is not None:
        query["bool"]["filter"].append({"exists": {"field": CARRIES[kind]}})
    with point_in_time(es, alias, "2m") as pit:
        for hits, _ in walk(es, pit, query, source=source, page_size=5000, keep_alive="2m", sort=["_shard_doc"],
                            fields=fields):  # fmt: skip
            for hit in hits:
                doc, values = hit["_source"], hit.get("fields", {})
                stamp = values.get("tweet_time", [None])[0]
                timed = post_time(doc["tweetid"], None if stamp is None else int(float(stamp)))
                if timed is None:
                    continue
                ms, precise = timed
                text = doc.get("tweet_text") or ""
                found[doc["userid"]].append(Tweet(
                    tweetid=doc["tweetid"], userid=doc["userid"], is_retweet=bool(doc.get("is_retweet")),
                    repost_id=doc.get("retweet_tweetid"), text=text,
                    ours_text=(values.get(text_key) or [None])[0],
                    toolkit_text=message_preprocessor(text),
                    pages=tuple(dict.fromkeys(page_key(url) for url in doc.get("urls", []))), ms=ms, precise=precise,
                ))  # fmt: skip
    return found


def co_acts(first: Tweet, second: Tweet, kind: str, side: str, window: int) -> bool:
    """Whether two tweets co-act by `side`'s rules: a shared item, and ours' time rule (`co_acting`) or the
    toolkit's (the seconds given, |t1 - t2| <= window)."""
    if not first.key(kind, side) & second.key(kind, side):
        return False
    if side == "ours":
        return co_acting(Post(first.tweetid, first.userid, first.ms, first.precise),
                         Post(second.tweetid, second.userid, second.ms, second.precise), window * 1000)  # fmt: skip
    return abs(first.ms / 1000 - second.ms / 1000) <= window


def sharing(mine: list[Tweet], theirs: list[Tweet], kind: str) -> Iterator[tuple[Tweet, list[Tweet]]]:
    """Each of `mine` with those of `theirs` that share an item with it by either side's definition."""
    by_key: dict[tuple[str, str], list[Tweet]] = defaultdict(list)
    for tweet in theirs:
        for side in ("ours", "toolkit"):
            for key in tweet.key(kind, side):
                by_key[(side, key)].append(tweet)
    for tweet in mine:
        found = {id(other): other for side in ("ours", "toolkit") for key in tweet.key(kind, side)
                 for other in by_key.get((side, key), [])}  # fmt: skip
        yield tweet, list(found.values())


def weight(mine: list[Tweet], theirs: list[Tweet], kind: str, side: str, window: int) -> int:
    """`mine`'s tweets with a co-acting tweet among `theirs`: the toolkit's directed weight, and one of ours' two
    counts as the module docstring of `search.coordination` defines it."""
    return sum(
        any(co_acts(tweet, other, kind, side, window) for other in others)
        for tweet, others in sharing(mine, theirs, kind)
    )


def short(userid: str) -> str:
    """A userid for a reader: the archives' hashed ids are 64 characters, their first 12 tell them apart (archived
    text: made one terminal-safe line)."""
    return one_line(userid if len(userid) <= 13 else userid[:12] + "…")


def clip(text: str, size: int = 60) -> str:
    """Archived text for a terminal: quoted, with its control characters escaped, clipped."""
    return repr(text if len(text) <= size else text[: size - 1] + "…")


def apart(first: str, second: str, size: int = 50) -> str:
    """Two texts that differ, each from a little before the first character where they do."""
    at = next((i for i, (x, y) in enumerate(zip(first, second, strict=False)) if x != y), min(len(first), len(second)))
    start = max(0, at - 15)
    lead = "…" if start else ""
    return f"{clip(lead + first[start:], size)} against {clip(lead + second[start:], size)}"


def why(first: Tweet, second: Tweet, kind: str, window: int) -> str:
    """Why two tweets co-act by one side's rules and not by the other's."""
    ours = co_acts(first, second, kind, "ours", window)
    theirs = co_acts(first, second, kind, "toolkit", window)
    shared_ours = bool(first.key(kind, "ours") & second.key(kind, "ours"))
    shared_theirs = bool(first.key(kind, "toolkit") & second.key(kind, "toolkit"))
    if shared_ours and shared_theirs:
        gap = abs(first.ms - second.ms) / 1000
        timing = "both" if not (first.precise or second.precise) else "one"
        return (f"the same item {gap:g} s apart, {timing} timed to the minute: ours compares minutes (the same "
                f"minute: {'yes' if ours else 'no'}), the toolkit the seconds given (within {window} s: "
                f"{'yes' if theirs else 'no'})")  # fmt: skip
    if kind == "url":
        page = sorted(first.key(kind, "ours") & second.key(kind, "ours"))[0]
        return (
            f"a link to {clip(page)} in a retweet: ours counts retweets' links, the toolkit leaves reposts' links out"
        )
    if kind == "text" and shared_ours:
        return (
            f"the same text for ours once normalised; the toolkit: {apart(first.toolkit_text, second.toolkit_text)} "
            "(it keeps punctuation, t.co links and a leading RT @x:)"
        )
    if kind == "text":
        return (
            f"the toolkit: both {clip(first.toolkit_text)} (it removes @mentions); ours compares the texts as "
            f"published, {apart(first.text, second.text)}, without their case, punctuation and t.co links"
        )
    return "the same retweeted tweet for one side only"


def explain(
    tweets: Mapping[str, list[Tweet]], pair: PairKey, kind: str, window: int, reported: Mapping[str, int] | None
) -> list[str]:
    """Each side's counts for the pair, recomputed from the two accounts' tweets, what our report said, and the
    first two tweets that co-act by one side's rules only."""
    a, b = pair
    mine, theirs = tweets.get(a, []), tweets.get(b, [])
    counts = {side: (weight(mine, theirs, kind, side, window), weight(theirs, mine, kind, side, window))
              for side in ("ours", "toolkit")}  # fmt: skip
    line = (f"    {short(a)} / {short(b)}: tweets of each with a co-acting tweet of the other: by our definition "
            f"{counts['ours'][0]} / {counts['ours'][1]}, by the toolkit's {counts['toolkit'][0]} / "
            f"{counts['toolkit'][1]}")  # fmt: skip
    lines = [line]
    if reported is not None:
        said = (reported["a_tweets"], reported["b_tweets"])
        lines.append(f"      our report: co_actions {reported['co_actions']} ({said[0]} / {said[1]})")
        if said != counts["ours"]:
            lines.append("      the report's counts differ from the definition's: a bug in search.coordination")
    for tweet, others in sharing(mine, theirs, kind):
        for other in others:
            if co_acts(tweet, other, kind, "ours", window) != co_acts(tweet, other, kind, "toolkit", window):
                both = f"{one_line(tweet.tweetid)} and {one_line(other.tweetid)}"
                lines.append(f"      {both}: {why(tweet, other, kind, window)}")
                return lines
    return lines


# --------------------------------------------------------------------------------------------------------------
# The report.


def planted_pairs(truth: Mapping[str, Any], kind: str) -> set[PairKey]:
    """The pairs of the release's planted groups of this kind (ground_truth.json's `coordination`)."""
    groups = truth.get("coordination", {}).get("groups", [])
    return {(min(a, b), max(a, b)) for group in groups if group["by"] == kind
            for a, b in combinations(group["userids"], 2)}  # fmt: skip


def seconds_cell(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def ratio_cell(toolkit: float | None, ours: float) -> str:
    return "–" if toolkit is None else f"{toolkit / ours:,.1f}x"


def header(threads: list[int]) -> str:
    toolkit = "".join(f"{f'toolkit {n}p s':>14}" for n in threads)
    ratios = "".join(f"{f'{n}p/ours':>9}" for n in threads)
    return (f"{'kind':<9}{'query':<18}{'ours s':>8}{'1st s':>8}{'took s':>8}{'peak MB':>9}{toolkit}{ratios}"
            f"{'both':>7}{'only ours':>11}{'only toolkit':>14}   target")  # fmt: skip


def row(ours: OurRun, toolkit: Mapping[int, ToolkitRun], threads: list[int], agreed: Agreement | None,
        target: str) -> str:  # fmt: skip
    times = "".join(f"{seconds_cell(toolkit[n].seconds if n in toolkit else None):>14}" for n in threads)
    ratios = "".join(f"{ratio_cell(toolkit[n].seconds if n in toolkit else None, ours.best):>9}" for n in threads)
    counts = ("–", "–", "–") if agreed is None else (len(agreed.both), len(agreed.only_ours), len(agreed.only_theirs))
    query = ours.query or "(everything)"
    return (f"{ours.kind:<9}{query:<18}{ours.best:>8.1f}{ours.walls[0]:>8.1f}{ours.took_ms / 1000:>8.1f}"
            f"{ours.peak_mb:>9,.0f}{times}{ratios}{counts[0]:>7}{counts[1]:>11}{counts[2]:>14}   {target}")  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--alias", default="benchco", help="the alias loaded with the release (kept for reuse)")
    parser.add_argument("--window", type=int, default=60, help="seconds, both sides")
    parser.add_argument("--min-repeats", type=int, default=2, help="ours' --min-repeats, the toolkit's min_edge_weight")
    parser.add_argument("--campaign-query", default="campaign:iranian", help="a campaign-sized question, timed too")
    parser.add_argument("--runs", type=int, default=2, help="runs of each of our commands (the best is compared)")
    parser.add_argument("--threads", default="1,2", help="the toolkit's n_threads values, each run once")
    parser.add_argument("--examples", type=int, default=3, help="pairs listed per kind of difference")
    parser.add_argument("--cache", type=Path, default=CACHE / "coordination", help="releases and the toolkit's files")
    args = parser.parse_args(argv)
    args.thread_counts = [int(value) for value in args.threads.split(",") if value.strip()]
    if args.tweets < 1000 or args.runs < 1 or not args.thread_counts or min(args.thread_counts) < 1:
        parser.error("--tweets must be at least 1000, --runs and every --threads value at least 1")
    return args


def measure_ours(args: argparse.Namespace, url: str) -> list[OurRun]:
    """Each kind over everything, then over the campaign-sized query."""
    runs: list[OurRun] = []
    for query in ("", args.campaign_query):
        for kind in KINDS:
            run = run_ours(url, args.alias, query, kind, args.window, args.min_repeats, args.runs)
            walls = ", ".join(f"{seconds:.1f}" for seconds in run.walls)
            print(f"  ours --by {kind} {query or '(everything)'}: {walls} s, {len(run.pairs):,} pairs", flush=True)
            runs.append(run)
    return runs


def measure_toolkit(
    args: argparse.Namespace, release: Path
) -> tuple[Export, ToolkitRun, dict[str, dict[int, ToolkitRun]]]:
    """The CSV (made once), its import, then each network once per `--threads` value."""
    work = args.cache / f"toolkit-{release.name}"
    work.mkdir(parents=True, exist_ok=True)
    export = export_for_toolkit(release, work / "messages.csv")
    imported, import_run = toolkit_import(work / "messages.csv", work)
    print(f"  toolkit import: {export.rows:,} rows in {import_run.seconds:.1f} s", flush=True)
    networks: dict[str, dict[int, ToolkitRun]] = defaultdict(dict)
    for kind in KINDS:
        for threads in args.thread_counts:
            run = toolkit_network(imported, work, kind, args.window, args.min_repeats, threads)
            print(f"  toolkit {NETWORKS[kind]}, n_threads={threads}: {run.seconds:.1f} s, {len(run.pairs()):,} pairs",
                  flush=True)  # fmt: skip
            networks[kind][threads] = run
    return export, import_run, networks


def print_table(
    args: argparse.Namespace,
    load_seconds: float | None,
    ours: list[OurRun],
    export: Export,
    import_run: ToolkitRun,
    theirs: Mapping[str, Mapping[int, ToolkitRun]],
) -> dict[str, Agreement]:
    """The figures side by side; returns each kind's agreement over everything."""
    used = ours[0].time_used
    print()
    print(f"times: both sides used the same times: the millisecond of the snowflake id, else tweet_time to the "
          f"minute ({export.minute_timed:,} of the release's {export.rows:,} tweets; of the tweets our text "
          f"analysis read, {used['snowflake']:,} by id and {used['tweet_time']:,} by minute), given to the toolkit "
          "in seconds")  # fmt: skip
    written = "" if export.seconds is None else f", written in {export.seconds:.1f} s (not timed below)"
    print(f"the toolkit's CSV: {export.rows:,} tweets ({export.reposts:,} retweets, {export.with_links:,} with "
          f"links){written}")  # fmt: skip
    if export.retweets_without_id:
        print(f"note: {export.retweets_without_id:,} retweets have no retweeted tweet's id: ours leaves them out of "
              "--by text, the toolkit compares their text")  # fmt: skip
    print(
        f"{args.tweets:,} tweets; ours: `tweetsearch coordination`, wall time of the command (best of {args.runs}; "
        "1st: the first run), took: the analysis's own time, peak MB: the command's process; toolkit: its call "
        "alone, n_threads=N, each on a fresh copy of its database; Np/ours: the toolkit's time over ours"
    )
    print(header(args.thread_counts))
    first = args.thread_counts[0]
    imports = "".join(f"{seconds_cell(import_run.seconds) if n == first else '':>14}" for n in args.thread_counts)
    loaded = "before" if load_seconds is None else seconds_cell(load_seconds)
    print(f"{'import':<9}{'(load / import)':<18}{loaded:>8}{'':>8}{'':>8}{'':>9}{imports}   (toolkit peak "
          f"{import_run.peak_mb:,.0f} MB)")  # fmt: skip
    agreements: dict[str, Agreement] = {}
    for run in ours:
        if run.query:
            print(row(run, {}, args.thread_counts, None, CAMPAIGN_TARGET))
            continue
        agreements[run.kind] = agreement(run.pairs, theirs[run.kind][first].pairs())
        print(row(run, theirs[run.kind], args.thread_counts, agreements[run.kind], TARGETS[run.kind]))
    largest = max(run.peak_mb for runs in theirs.values() for run in runs.values())
    print(f"our peak memory: {max(run.peak_mb for run in ours):,.0f} MB (target at 10M: ≤ {MEMORY_TARGET_MB} MB); "
          f"the toolkit's largest process: {largest:,.0f} MB")  # fmt: skip
    for kind in KINDS:
        if len({frozenset(run.pairs()) for run in theirs[kind].values()}) > 1:
            print(f"note: the toolkit's {NETWORKS[kind]} pairs differ between n_threads values")
    return agreements


def print_differences(
    es,
    args: argparse.Namespace,
    truth: Mapping[str, Any],
    ours: list[OurRun],
    theirs: Mapping[str, Mapping[int, ToolkitRun]],
    agreements: Mapping[str, Agreement],
) -> None:
    """The planted groups each side found, then up to `--examples` pairs of each difference, with the reason."""
    mine = {run.kind: run for run in ours if not run.query}
    for kind in KINDS:
        planted = planted_pairs(truth, kind)
        if planted:
            found_theirs = len(planted & theirs[kind][args.thread_counts[0]].pairs())
            print(f"planted {kind} pairs: {len(planted)}; ours found {len(planted & set(mine[kind].pairs))}, "
                  f"the toolkit {found_theirs}")  # fmt: skip
    for kind, agreed in agreements.items():
        if not (agreed.only_ours or agreed.only_theirs):
            print(f"{kind}: the same {len(agreed.both):,} pairs on both sides")
            continue
        listed = sorted(agreed.only_ours)[: args.examples] + sorted(agreed.only_theirs)[: args.examples]
        tweets = tweets_of(es, args.alias, {user for pair in listed for user in pair}, kind)
        for label, pairs in (("only ours", agreed.only_ours), ("only the toolkit", agreed.only_theirs)):
            if pairs:
                print(f"{kind}, {label}: {len(pairs):,} pairs, e.g.")
            for pair in sorted(pairs)[: args.examples]:
                for line in explain(tweets, pair, kind, args.window, mine[kind].pairs.get(pair)):
                    print(line)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        import coordination_network_toolkit  # noqa: F401
    except ImportError:
        raise SystemExit("the coordination-network-toolkit is missing: pip install -e '.[bench]'") from None
    settings = Settings.from_env(alias=args.alias)
    es = connect(settings)
    release = release_for(args.tweets, args.seed, args.cache)
    truth = json.loads((release / "ground_truth.json").read_text())
    if not truth.get("coordination", {}).get("groups"):
        print(f"note: {release} has no planted coordinated groups (generated before the generator planted them); "
              "delete it to have it generated again")  # fmt: skip
    load_seconds = None
    if holds_release(es, args.alias, truth):
        print(f"{args.alias} holds {release.name} ({truth['well_formed_tweets']:,} tweets): not loaded again")
    else:
        load_seconds = load(es, settings.url, args.alias, release, truth)
    print(f"server {settings.display_url}, {args.tweets:,} tweets, window {args.window} s, min repeats "
          f"{args.min_repeats}, {os.cpu_count()} CPUs (shared with the server)", flush=True)  # fmt: skip

    ours = measure_ours(args, settings.url)
    export, import_run, theirs = measure_toolkit(args, release)
    agreements = print_table(args, load_seconds, ours, export, import_run, theirs)
    print_differences(es, args, truth, ours, theirs, agreements)


if __name__ == "__main__":
    main()
