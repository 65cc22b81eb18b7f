"""Which accounts acted together: posted the same text, retweeted the same tweet, shared the same page or used
the same set of hashtags within seconds of each other, again and again (co-tweet, co-retweet, co-link and
co-hashtag networks, as researchers of information operations map them).

The definitions, which README repeats for readers of the output:

- An **item** is what two tweets can have in common (`ITEM_KINDS`): the text of a tweet that is not a
  retweet, after the normalizer `coordination_text` in `mappings/tweets-template.json` (lower case; a leading
  `RT @name:`, t.co links and punctuation gone); the retweeted tweet's id; a page (`page_key`: the normalised
  URL, or one key for every address of a page `search.pages` knows, such as `youtu.be/ID` and
  `youtube.com/watch?v=ID`); the set of a tweet's hashtags.
- A tweet's **time** is the millisecond its snowflake id carries wherever it has one, else `tweet_time`,
  which the 2018 files give to the minute. Two tweets timed to the millisecond co-act when |t1 - t2| <= the
  window. When either is timed to the minute only, their minutes are compared: the same minute always counts
  and a window of N minutes takes minutes fewer than N apart, so "within 60 s" on minute times means "in the
  same minute". The report counts the tweets timed each way.
- Two different accounts **co-act** on a tweet when they posted the same item within the window. A pair's
  **co-actions** are min(a's tweets with a co-acting tweet of b, b's tweets with one of a): the number of
  times each of the two did it. The coordination-network-toolkit's directed weight is the first of the two,
  so a pair here is an edge there in both directions.
- A pair is **coordinated** when its co-actions reach `min_repeats`; **groups** are the connected components
  of the coordinated pairs (networkx), largest first.

How it runs on the index, not on an export of every tweet: (1) the stretches of time in which an item was
posted twice close enough to be within the window are found from (tweet_time bucket, item key): on the server
by esplugin's `tweetsearch_near_repeats` aggregation where the server has the plugin, else here from a
composite aggregation's pages, in the index's own order (`near_candidates`); for `--window auto`, which
needs every post of every item posted twice, a partitioned terms aggregation with `min_doc_count: 2` finds
those items instead; (2) only those tweets are read, from doc values (no source, no `_id`), through a point in
time; (3) the pairing, the window estimate and the components run here, over those few tweets. The candidates
are found by tweet_time, which the analysis takes to be the id's time to the minute (as in every published
file); tweets where it is not are counted and said (`TimeUsed.disagreeing`).
"""

from __future__ import annotations

import math
import re
import statistics
import sys
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby, pairwise
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from common.errors import LimitReached, UsageError
from common.mapping import MAX_RESULT_WINDOW
from indexer.normalise import snowflake_ms
from search import pages, profiles
from search.choices import DEFAULT_MIN_REPEATS, DEFAULT_WINDOW
from search.point_in_time import composite_buckets, point_in_time
from search.point_in_time import pages as walk
from search.query_context import query_for
from search.quote import utc_iso
from search.tweets import whole_answer

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

MAX_WINDOW_SECONDS = 7 * 24 * 3600
"""A week: a wider window pairs nearly everything with everything, which says nothing about coordination."""

MAX_PAIRS = 2_000_000
"""Account pairs kept while pairing (a few hundred bytes each): more means the query or the window is too wide to
say anything, and the analysis stops saying so rather than running out of memory."""

TERMS_SIZE = 50_000
"""Buckets asked of one partition (under the server's default `search.max_buckets`, 65,536)."""

PER_PARTITION = 20_000
"""Items with two or more tweets aimed at per partition: far under `TERMS_SIZE`, so that the estimate's error
never overflows one (an overflow is detected anyway, and the partitions doubled)."""

SHARD_TERMS = 200_000
"""On an index of several shards, each shard returns at most this many items of a partition; an item with one
tweet on each of two shards is found only if both return it, so partitions are also sized by the distinct items."""

KEYS_PER_FETCH = 5_000
SELECTIONS_PER_FETCH = 200
"""Selections (each a terms and a range clause) per request: well under the least clause limit the server sets
from its heap (1,024). 500 a request was no faster at 10M (`--by hashtags`: 145 s against 119 s)."""
NEAR_PAGE = 50_000
"""Buckets per page of the composite aggregations (under `search.max_buckets`, 65,536): fewer, larger pages
walk the index in less time (measured: 5 pages of 50,000 take two thirds of 25 pages of 10,000)."""
AUTO_MAX_TWEETS = 2_000_000
SPLIT_AT = 200_000
"""Tweets from which the walk is split in `SLICES`, run at once."""
SLICES = 2
"""Slices walked at once (the server answers each on a thread of its own)."""
SLICE_TWEETS = 5_000_000
"""At most about this many tweets a slice, past which there are more slices than `SLICES`, still walked
`SLICES` at once: the server's aggregation holds 8 bytes a tweet's item while it sorts them (40 MB a slice),
against its request circuit breaker, whatever the size of the archive."""
SLICE_TWEETS_ACROSS_SHARDS = 1_000_000
"""The same on an index of several shards, where every item's buckets (its name, and 8 bytes a bucket) travel
to the node that merges them: some 50 MB there a slice."""
NEAR_REPEATS = "tweetsearch_near_repeats"
"""esplugin's aggregation (esplugin/coordination), which finds the stretches on the server."""
MAX_SAME_ITEM_KEYS = 100_000
MAX_SAME_ITEM_BYTES = 8 * 2**20
"""The most keys, and UTF-8 bytes of keys, that `tweetsearch_near_repeats` takes in `same_item` (the plugin's
bounds, NearRepeatsAggregationBuilder.java): past them the stretches are read from the composite pages instead."""
SERVER_MEMORY_REFUSAL = (
    "the server stopped finding the near repeats at its memory limit for one request (its request circuit "
    "breaker): narrow the query (a campaign, a date range)"
)
"""What a `UsageError` says when the server's request circuit breaker stops `tweetsearch_near_repeats`: its
answer grows with the tweets asked about, and the plugin counts it against that breaker rather than run out."""
FETCH_PAGE = MAX_RESULT_WINDOW
AUTO_FASTEST_SHARE = 0.1
"""`--window auto`: the share of items whose second post came fastest (CooRnet's `q`)."""
AUTO_CUMULATED_SHARE = 0.5
"""`--window auto`: how far into those items' posts the time is taken (CooRnet's `p`)."""

_WINDOW = re.compile(
    r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?"
)
_KEY = re.compile("[0-9a-f]{16}")
_SCHEME = re.compile("^https?://", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class ItemKind:
    """Where an item kind is read: a keyword field kept for this analysis (`tweet_text.key`, `urls.key`: hashes
    made by the template's normalizers; `hashtag_set`, written by the indexer) or published (`retweet_tweetid`)."""

    name: str
    what: str
    field: str
    excluded: Mapping[str, Any] | None = None
    """Tweets that never carry this kind of item (retweets, for `text`)."""


ITEM_KINDS: dict[str, ItemKind] = {
    "text": ItemKind(
        "text", "the same text (retweets aside)", "tweet_text.key", excluded={"term": {"is_retweet": True}}
    ),
    "retweet": ItemKind("retweet", "a retweet of the same tweet", "retweet_tweetid"),
    "url": ItemKind("url", "a link to the same page", "urls.key"),
    "hashtags": ItemKind("hashtags", "the same set of hashtags", "hashtag_set"),
}
KINDS: tuple[str, ...] = tuple(ITEM_KINDS)


@dataclass(frozen=True)
class Window:
    """The window the analysis used, and how it was chosen."""

    seconds: float
    auto: bool = False
    basis: str = ""
    """For `auto`: how the estimate was made, in words."""

    @property
    def label(self) -> str:
        return format_seconds(self.seconds)


@dataclass(frozen=True, slots=True)
class Post:
    """One tweet carrying an item: its id, account and time (`precise`: to the millisecond, from its id)."""

    tweetid: str
    userid: str
    ms: int
    precise: bool


@dataclass
class SharedItem:
    """An item a group's accounts co-acted on: its `key` as compared (a hash for texts and links, a page's name
    for a page with several addresses), and its `label` for a reader (the link; else the key)."""

    kind: str
    key: str
    label: str
    tweets: int
    accounts: int
    first_time: str
    first_tweetid: str
    example: str | None = None
    """The text of its first tweet, as posted (archived text: escape it where it is shown)."""
    url: str | None = None
    """For a link: the address as a tweet carried it, known for a page of one address (a page with several is
    named by its page, `label`)."""


@dataclass
class Member:
    userid: str
    screen_name: str | None
    campaigns: list[str]
    tweets: int
    """Its tweets that co-acted with another member's."""
    partners: int


@dataclass
class Pair:
    """Two accounts (userids in order) and their co-actions."""

    a: str
    b: str
    co_actions: int
    a_tweets: int
    b_tweets: int
    items: int


@dataclass
class Group:
    accounts: int
    co_actions: int
    pairs: int
    members: list[Member]
    items: list[SharedItem]
    items_total: int
    campaigns: dict[str, int]
    first_time: str
    last_time: str


@dataclass
class TimeUsed:
    """How the tweets' times were known: `snowflake` to the millisecond, `tweet_time` to the minute."""

    snowflake: int = 0
    tweet_time: int = 0
    none: int = 0
    """Tweets with neither (left out)."""
    disagreeing: int = 0
    """Tweets whose id's time and tweet_time are a minute or more apart: the candidates are found by tweet_time,
    so pairs among such tweets may be missed (no published file has any)."""


@dataclass
class CoordinationReport:
    query: str
    by: str
    what: str
    window: Window
    min_repeats: int
    tweets: int
    """Matching tweets that carry an item of this kind."""
    candidate_items: int
    """Items two or more accounts posted (close in time, unless the window was estimated: then at any time)."""
    candidate_tweets: int
    """Their tweets, read to pair the accounts."""
    candidates_note: str
    """The two counts in words, for every front end."""
    time_used: TimeUsed
    minute_note: str | None
    groups: list[Group]
    pairs: list[Pair]
    took_ms: int
    screen_names: dict[str, str] = field(default_factory=dict)
    campaigns: dict[str, str] = field(default_factory=dict)
    """userid → the campaign of its tweets here (the first seen, for an account in several)."""


# --------------------------------------------------------------------------------------------------------------
# Pure parts: windows, keys, pairing, the estimate, the groups.


def parse_window(text: str) -> Window | None:
    """`60s`, `10`, `2m`, `1h`, `1d`, `500ms` as a window; None for `auto`. Raises `UsageError` for zero, negative,
    too wide or unreadable text."""
    value = text.strip().lower()
    if value == "auto":
        return None
    match = _WINDOW.fullmatch(value)
    if match is None:
        raise UsageError(
            f"cannot read the window {text!r}: give seconds (60s, 10), minutes (2m), hours (1h), days (1d) or auto"
        )
    unit = (match["unit"] or "s")[0] if match["unit"] != "ms" else "ms"
    seconds = float(match["number"]) * _UNIT_SECONDS[unit]
    if seconds <= 0:
        raise UsageError(f"the window must be longer than 0 seconds, not {text!r}")
    if seconds > MAX_WINDOW_SECONDS:
        raise UsageError(f"the window must be at most a week ({MAX_WINDOW_SECONDS:,} s), not {text!r}")
    return Window(seconds=seconds)


def format_seconds(seconds: float) -> str:
    """`60 s`, `1.5 s`, `2 min`, `1 h 30 min` for a person."""
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:g} min"
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours} h {rest // 60} min" if rest >= 60 else f"{hours} h"


def check_kind(by: str) -> ItemKind:
    kind = ITEM_KINDS.get(by.strip().lower())
    if kind is None:
        raise UsageError(f"unknown --by {by!r}: {', '.join(KINDS)}")
    return kind


def page_key(url: str) -> str:
    """The page a normalised URL links: one key for every address of a page `search.pages` knows, else the URL
    without its scheme (so `http` and `https` links to one page are one item)."""
    bare = _without_scheme(url)
    page = pages.recognise(bare)
    return page.label if page is not None else bare


def fingerprint64(text: str) -> str:
    """The FNV-1a 64-bit hash of `text`'s UTF-8 bytes as 16 hex digits ("" and 16 hex digits stay): what the template's
    normalizers `coordination_text_key` and `url_key` index. Java twin: `KeyFilters.fingerprint64` in
    esplugin/coordination; `tests/test_coordination.py` checks the two agree on the server."""
    if not text or _KEY.fullmatch(text):
        return text  # a key already (as the server's filter leaves it, so that a query for a key finds it)
    value = 0xCBF29CE484222325
    for byte in text.encode():
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def url_key(url: str, *, hashed: bool = True) -> str:
    """The key `urls.key` holds for a normalised URL: without its scheme, hashed unless the server builds the
    keys without the plugin (`hashed=False`)."""
    bare = _without_scheme(url)
    return fingerprint64(bare) if hashed else bare


def _without_scheme(url: str) -> str:
    """The URL without a leading `http://` or `https://` (any case), as the normalizer `url_key` drops it."""
    return _SCHEME.sub("", url, count=1)


def co_acting(first: Post, second: Post, window_ms: int) -> bool:
    """Whether two posts of one item are within the window (module docstring: minutes when either is timed to
    the minute only)."""
    if first.precise and second.precise:
        return abs(first.ms - second.ms) <= window_ms
    minutes = max(1, math.ceil(window_ms / 60_000))
    return abs(first.ms // 60_000 - second.ms // 60_000) < minutes


def pair_posts(
    items: Mapping[str, Sequence[Post]], window_ms: int, *, max_pairs: int = MAX_PAIRS
) -> dict[tuple[str, str], tuple[set[int], set[int], set[str]]]:
    """Every pair of accounts that co-acted, with the posts of each (positions in `posts_of`) and the items.

    Posts are numbered in the order `items` gives them (item by item, post by post), which `posts_of` repeats.
    Raises `LimitReached` past `max_pairs` pairs.
    """
    pairs: dict[tuple[str, str], tuple[set[int], set[int], set[str]]] = {}
    reach = max(window_ms, 60_000 * max(1, math.ceil(window_ms / 60_000)))
    # One int object per post, shared by every set that holds it: half the memory of the sets at 10M tweets.
    numbers = list(range(sum(len(posts) for posts in items.values())))
    offset = 0
    for key, posts in items.items():
        order = sorted(range(len(posts)), key=lambda i: posts[i].ms)
        for position, i in enumerate(order):
            first = posts[i]
            # By index, not over a slice of `order`: a slice copies the rest of an item's posts for every post,
            # which for an item of 180,000 posts (a popular hashtag set at 10M) took a minute.
            for later in range(position + 1, len(order)):
                j = order[later]
                second = posts[j]
                if second.ms - first.ms > reach:
                    break
                if second.userid == first.userid or not co_acting(first, second, window_ms):
                    continue
                a, b, ia, ib = (first.userid, second.userid, i, j)
                if a > b:
                    a, b, ia, ib = b, a, j, i
                entry = pairs.get((a, b))
                if entry is None:
                    if len(pairs) >= max_pairs:
                        raise LimitReached(
                            f"more than {max_pairs:,} pairs of accounts co-act: the query or the window is too wide "
                            "to say anything; narrow the query (a campaign, a date range) or the window"
                        )
                    entry = pairs[(a, b)] = (set(), set(), set())
                entry[0].add(numbers[offset + ia])
                entry[1].add(numbers[offset + ib])
                entry[2].add(key)
        offset += len(posts)
    return pairs


def posts_of(items: Mapping[str, Sequence[Post]]) -> list[tuple[str, Post]]:
    """(item, post) in the numbering `pair_posts` uses."""
    return [(key, post) for key, posts in items.items() for post in posts]


def estimate_window(items: Mapping[str, Sequence[Post]]) -> Window:
    """CooRnet's estimate: among the items posted by two or more accounts, take the share `AUTO_FASTEST_SHARE`
    whose second account came soonest after the first post; the window is the median time those items took to
    gather `AUTO_CUMULATED_SHARE` of their posts (at least 1 s, in whole seconds)."""
    spans: list[tuple[int, int]] = []
    for posts in items.values():
        ordered = sorted(posts, key=lambda post: post.ms)
        first = ordered[0]
        second = next((post for post in ordered if post.userid != first.userid), None)
        if second is None:
            continue
        cumulated = ordered[max(1, math.ceil(AUTO_CUMULATED_SHARE * len(ordered))) - 1]
        spans.append((second.ms - first.ms, max(cumulated.ms, second.ms) - first.ms))
    if not spans:
        return Window(seconds=60, auto=True, basis="no item was posted by two accounts; 60 s taken")
    spans.sort()
    fastest = spans[: max(1, math.ceil(AUTO_FASTEST_SHARE * len(spans)))]
    seconds = max(1, math.ceil(statistics.median(span for _, span in fastest) / 1000))
    basis = (
        f"the median time the fastest {AUTO_FASTEST_SHARE:.0%} of {len(spans):,} items shared by two or more "
        f"accounts ({len(fastest):,}) took to gather {AUTO_CUMULATED_SHARE:.0%} of their posts (CooRnet's way)"
    )
    if seconds > MAX_WINDOW_SECONDS:
        basis += f"; that is {format_seconds(seconds)}, nothing like coordination, so a week is taken"
        seconds = MAX_WINDOW_SECONDS
    return Window(seconds=seconds, auto=True, basis=basis)


@dataclass(frozen=True, slots=True)
class Selection:
    """Tweets to read: those carrying one of `keys` (as indexed) and, unless `start` is None, with a tweet_time in
    [start, end) (ms)."""

    keys: tuple[str, ...]
    start: int | None = None
    end: int | None = None


def bucket_width(window_ms: int) -> int:
    """The width (ms) of the tweet_time buckets in which two tweets within the window fall together or side by
    side: the window plus the minute a tweet_time may lag its id's time (the 2018 files drop the seconds), in
    whole minutes."""
    return 60_000 * math.ceil((window_ms + 60_000) / 60_000)


def near_candidates(
    buckets: Iterable[tuple[int, str, int]], width: int, item_of: Callable[[str], str] | None = None
) -> list[Selection]:
    """The stretches worth reading: from (bucket start, key as indexed, tweets) in descending time order, as the
    composite aggregation gives them, an item (`item_of(key)`: a page for links; the key itself by default) with
    two or more tweets in one bucket, or tweets in two side-by-side buckets, selects its keys over that bucket or
    those two buckets. Written for speed: it sees every (bucket, item) of the query, millions at 10M tweets.

    Java twin: `NearRepeatsAggregator` in esplugin/coordination, which does the same on the server (and merges
    each item's stretches as `merge_selections` does); tests/test_coordination.py checks the two agree."""
    selections: list[Selection] = []
    previous: dict[str, list[Any]] = {}
    previous_start = None
    for start, group in groupby(buckets, key=itemgetter(0)):
        current: dict[str, list[Any]] = {}
        for _, key, count in group:
            item = key if item_of is None else item_of(key)
            entry = current.get(item)
            if entry is None:
                current[item] = [count, key]
            else:
                entry[0] += count
                entry.append(key)
        adjacent = previous_start == start + width
        for item, entry in current.items():
            if entry[0] >= 2:
                selections.append(Selection(tuple(sorted(set(entry[1:]))), start, start + width))
            if adjacent and item in previous:
                both = tuple(sorted({*entry[1:], *previous[item][1:]}))
                selections.append(Selection(both, start, start + 2 * width))
        previous, previous_start = current, start
    return selections


def time_slices(splits: Sequence[int], width: int) -> list[dict[str, int]]:
    """The tweet_time ranges (`gte`/`lt`, ms) of the walks cut at `splits` (bucket starts, ascending): each
    reaches one bucket into the next, so an item in the two buckets either side of a cut is seen whole by one
    walk. No cut: one walk over everything (`{}`)."""
    edges: list[int | None] = [None, *splits, None]
    return [
        {**({"gte": low} if low is not None else {}), **({"lt": high + width} if high is not None else {})}
        for low, high in pairwise(edges)
    ]


def whole_items(keys: Sequence[str]) -> list[Selection]:
    """Every tweet of these keys, whenever posted, a request's worth of keys a selection."""
    return [Selection(tuple(keys[at : at + KEYS_PER_FETCH])) for at in range(0, len(keys), KEYS_PER_FETCH)]


def merge_selections(selections: Iterable[Selection]) -> list[Selection]:
    """The same selections with each key set's overlapping or touching stretches made one, so that no tweet is
    read twice for them (an item twice in a bucket and also in the next gives two stretches that overlap)."""
    stretches: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    whole: list[Selection] = []
    for selection in selections:
        if selection.start is None or selection.end is None:
            whole.append(selection)
        else:
            stretches[selection.keys].append((selection.start, selection.end))
    merged: list[Selection] = []
    for keys, spans in stretches.items():
        spans.sort()
        start, end = spans[0]
        for later_start, later_end in spans[1:]:
            if later_start <= end:
                end = max(end, later_end)
            else:
                merged.append(Selection(keys, start, end))
                start, end = later_start, later_end
        merged.append(Selection(keys, start, end))
    return merged + whole


def coordinated_pairs(
    raw: Mapping[tuple[str, str], tuple[set[int], set[int], set[str]]],
    min_repeats: int,
    numbered: Sequence[tuple[str, Post]],
) -> list[Pair]:
    """The pairs with `min_repeats` co-actions or more, most first. Tweets are counted, not posts: a tweet with
    two links to two pages the other account also shared is one co-action (`numbered` is `posts_of(items)`)."""

    def tweets(posts: set[int]) -> int:
        return len({numbered[index][1].tweetid for index in posts})

    pairs = []
    for (a, b), (mine, theirs, keys) in raw.items():
        ours, others = tweets(mine), tweets(theirs)
        pairs.append(Pair(a, b, min(ours, others), ours, others, len(keys)))
    kept = [pair for pair in pairs if pair.co_actions >= min_repeats]
    return sorted(kept, key=lambda pair: (-pair.co_actions, pair.a, pair.b))


def components(pairs: Iterable[Pair]) -> list[set[str]]:
    """The groups: connected components of the coordinated pairs, largest first (then by their first account)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_edges_from((pair.a, pair.b) for pair in pairs)
    return sorted(nx.connected_components(graph), key=lambda group: (-len(group), min(group)))


# --------------------------------------------------------------------------------------------------------------
# The analysis.


def find_coordination(
    es: Elasticsearch,
    alias: str,
    query_text: str = "",
    *,
    by: str = "text",
    window: str = DEFAULT_WINDOW,
    min_repeats: int = DEFAULT_MIN_REPEATS,
    items_per_group: int = 5,
    max_pairs: int = MAX_PAIRS,
    max_tweets: int | None = None,
) -> CoordinationReport:
    """The groups of accounts that co-acted at least `min_repeats` times among the tweets matching `query_text`.

    Raises `UsageError` for an unknown `by`, a bad window, `min_repeats` under 1 or an index loaded before the
    text key existed; `QuerySyntaxError` for a malformed query; `PartialResults` when a shard did not answer;
    `LimitReached` past `max_pairs` account pairs or `max_tweets` tweets read to pair them (the memory the
    analysis holds: the web sets both lower than the command line).
    """
    started = time.monotonic()
    kind = check_kind(by)
    chosen = parse_window(window)
    if min_repeats < 1:
        raise UsageError(f"--min-repeats must be 1 or more, not {min_repeats}")
    _check_field(es, alias, kind)
    query = _kind_query(query_for(es, alias, query_text), kind)
    links = _link_pages(es, alias, query) if kind.name == "url" else None
    tweets, items, time_used, campaigns = _candidates(es, alias, query, kind, chosen, links, max_tweets)
    used = chosen if chosen is not None else estimate_window(items)
    window_ms = max(1, round(used.seconds * 1000))
    raw = pair_posts(items, window_ms, max_pairs=max_pairs)
    numbered = posts_of(items)
    pairs = coordinated_pairs(raw, min_repeats, numbered)
    accounts = {account for pair in pairs for account in (pair.a, pair.b)}
    names = profiles.screen_names(es, alias, accounts) if accounts and profiles.available(es, alias) else {}
    groups = _groups(es, alias, kind, numbered, raw, pairs, campaigns, names, items_per_group, links)
    minute_note = _time_notes(time_used, used)
    return CoordinationReport(
        query=query_text,
        by=kind.name,
        what=kind.what,
        window=used,
        min_repeats=min_repeats,
        tweets=tweets,
        candidate_items=len(items),
        candidate_tweets=(read := sum(len(posts) for posts in items.values())),
        candidates_note=_candidates_note(len(items), read, None if chosen is None else bucket_width(window_ms)),
        time_used=time_used,
        minute_note=minute_note,
        groups=groups,
        pairs=pairs,
        took_ms=round((time.monotonic() - started) * 1000),
        screen_names=names,
        campaigns=campaigns,
    )


def _candidates(
    es: Elasticsearch,
    alias: str,
    query: dict[str, Any],
    kind: ItemKind,
    chosen: Window | None,
    links: LinkPages | None,
    max_tweets: int | None = None,
) -> tuple[int, dict[str, list[Post]], TimeUsed, dict[str, str]]:
    """Steps 1 and 2: the tweets carrying an item, and the posts of the items two or more accounts posted that
    may co-act, with the times used and the accounts' campaigns. (A function of its own so that the selections,
    hundreds of thousands at 10M tweets, are freed before the pairing.)"""
    if chosen is None:
        tweets, keys = _repeated_keys(es, alias, query, kind, links)
        selections = whole_items(keys)
    else:
        tweets, selections = _near_keys(es, alias, query, kind, bucket_width(round(chosen.seconds * 1000)), links)
    items, time_used, campaigns = _read_posts(es, alias, query, kind, selections, links, max_tweets)
    shared = {key: posts for key, posts in items.items() if len({post.userid for post in posts}) > 1}
    return tweets, shared, time_used, campaigns


def _candidates_note(items: int, tweets: int, width: int | None) -> str:
    posted = f"{items:,} item was" if items == 1 else f"{items:,} items were"
    if width is None:
        return f"{posted} posted by two or more accounts (all {tweets:,} of their tweets read: the estimate)"
    near = format_seconds(2 * width / 1000)
    return f"{posted} posted by two or more accounts less than {near} apart ({tweets:,} of their tweets read)"


def _time_notes(time_used: TimeUsed, window: Window) -> str | None:
    """What a reader must know about the times: what the window meant for minute-timed tweets, and how many
    tweets' tweet_time disagrees with their id's time."""
    window_ms = max(1, round(window.seconds * 1000))
    notes = []
    if time_used.tweet_time:
        minutes = math.ceil(window_ms / 60_000)
        meaning = "the same minute" if minutes <= 1 else f"minutes fewer than {minutes} apart"
        notes.append(
            f"{time_used.tweet_time:,} tweets have no time in their id and are timed to the minute (tweet_time): "
            f"for them a window of {window.label} means {meaning}"
        )
    if time_used.disagreeing:
        notes.append(
            f"{time_used.disagreeing:,} tweets read have a tweet_time a minute or more away from their id's time: "
            "the candidates are found by tweet_time, so pairs among such tweets may be missed"
        )
    return "; ".join(notes) or None


def _check_field(es: Elasticsearch, alias: str, kind: ItemKind) -> None:
    """An index loaded before `tweet_text.key`, `urls.key` and `hashtag_set` existed cannot answer `--by text`,
    `url` or `hashtags`: say so, rather than "no coordinated groups"."""
    answer = es.field_caps(index=alias, fields=[kind.field], include_unmapped=True).body
    caps = answer.get("fields", {}).get(kind.field, {})
    if not caps or "unmapped" in caps:
        raise UsageError(
            f"an index behind {alias!r} was loaded before tweetsearch kept `{kind.field}`, which "
            f"`coordination --by {kind.name}` compares; load it again with `tweetsearch index --rebuild`"
        )


def _kind_query(query: dict[str, Any], kind: ItemKind) -> dict[str, Any]:
    """The matching tweets that carry an item of this kind. A text with nothing left once normalised (a link or
    an emoji alone) carries none: its key is empty, and empty texts are not the same text."""
    clause: dict[str, Any] = {
        "filter": [query, {"exists": {"field": kind.field}}],
        "must_not": [{"term": {kind.field: ""}}],
    }
    if kind.excluded is not None:
        clause["must_not"].append(kind.excluded)
    return {"bool": clause}


def _near_keys(
    es: Elasticsearch, alias: str, query: dict[str, Any], kind: ItemKind, width: int, links: LinkPages | None
) -> tuple[int, list[Selection]]:
    """The matching tweets carrying an item, and the stretches of time in which an item was posted twice, close
    enough to be within the window (`near_candidates`), walked in slices of time at once (the server answers
    each on its own thread), each slice reaching one bucket into the next so that an item in the two buckets
    either side of a cut is seen whole by one of them.

    The server finds the stretches itself with esplugin's `tweetsearch_near_repeats` aggregation where it has
    the plugin. Elsewhere a composite aggregation on (tweet_time bucket, key) sends every (bucket, item) here,
    page by page, in the index's own order (newest first).

    Tweets without a tweet_time cannot be bucketed: their items are read whole (the archives give every tweet a
    time; this is for the odd row)."""
    dated = {"bool": {"filter": [query, {"exists": {"field": "tweet_time"}}]}}
    dated_tweets, splits, shards = _time_splits(es, alias, dated, width)
    on_server = server_near_repeats(es, alias, kind)

    def walk_slice(bounds: dict[str, int]) -> list[Selection]:
        narrowed = {"bool": {"filter": [dated, {"range": {"tweet_time": {**bounds, "format": "epoch_millis"}}}]}}
        sliced = narrowed if bounds else dated
        if on_server:
            return _stretches_on_server(es, alias, sliced, kind, width, links, across_shards=shards > 1)
        return _stretches_from_buckets(es, alias, sliced, kind, width, links)

    slices = time_slices(splits, width)
    with ThreadPoolExecutor(min(len(slices), SLICES)) as pool:
        selections = list(dict.fromkeys(chosen for found in pool.map(walk_slice, slices) for chosen in found))
    undated = {"bool": {"filter": [query], "must_not": [{"exists": {"field": "tweet_time"}}]}}
    undated_tweets = _count(es, alias, undated)
    if undated_tweets:
        sources = [{"key": {"terms": {"field": kind.field}}}]
        keys = [str(key["key"]) for key, _ in composite_buckets(es, alias, undated, sources, NEAR_PAGE)]
        selections += whole_items(keys)
    return dated_tweets + undated_tweets, selections


def server_near_repeats(es: Elasticsearch, alias: str, kind: ItemKind) -> bool:
    """Whether the server has esplugin's `tweetsearch_near_repeats` aggregation (`scripts/elasticsearch`
    installs it; the official image has none): an aggregation the server does not know is refused as the
    request is read, before any shard is asked."""
    from elasticsearch import BadRequestError

    try:
        es.search(
            index=alias, size=0, query={"match_none": {}},
            aggs={"near": {NEAR_REPEATS: {"field": kind.field, "width": 60_000}}},
        )  # fmt: skip
    except BadRequestError as exc:
        if NEAR_REPEATS in str(exc):
            return False
        raise
    return True


def _stretches_on_server(
    es: Elasticsearch,
    alias: str,
    query: dict[str, Any],
    kind: ItemKind,
    width: int,
    links: LinkPages | None,
    *,
    across_shards: bool,
) -> list[Selection]:
    """The stretches as the server's `tweetsearch_near_repeats` finds them, in one request: what
    `_stretches_from_buckets` finds (tests/test_coordination.py checks it), without sending every (bucket, item)
    here. On an index of several shards (`across_shards`) each shard sends its items' buckets to the node that
    merges them, since the two tweets of a pair may lie on two shards. For links, every key of a page is one
    item and is read over the page's stretches; more such keys than the server takes (`MAX_SAME_ITEM_KEYS`,
    `MAX_SAME_ITEM_BYTES`) are read from the composite pages instead. An answer too big for the server's memory
    is refused by its request circuit breaker, said as a `UsageError`."""
    from elasticsearch import ApiError

    same_item = links.same_items() if links is not None else []
    keys = [key for keys in same_item for key in keys]
    if len(keys) > MAX_SAME_ITEM_KEYS or sum(len(key.encode()) for key in keys) > MAX_SAME_ITEM_BYTES:
        return _stretches_from_buckets(es, alias, query, kind, width, links)
    spec = {"field": kind.field, "width": width, "same_item": same_item, "across_shards": across_shards}
    try:
        body = es.search(index=alias, query=query, size=0, aggs={"near": {NEAR_REPEATS: spec}}).body
    except ApiError as exc:
        if _breaker_tripped(exc.body):
            raise UsageError(SERVER_MEMORY_REFUSAL) from None
        raise
    if _breaker_tripped(body.get("_shards", {}).get("failures")):
        raise UsageError(SERVER_MEMORY_REFUSAL)
    answer = whole_answer(body)
    stretches = answer["aggregations"]["near"]["stretches"]
    if links is None:
        return [Selection((key,), start, end) for key, start, end in stretches]
    return [Selection(links.keys_of(key), start, end) for key, start, end in stretches]


def _breaker_tripped(error: object) -> bool:
    """Whether a server's error (or its shards' failures) says a circuit breaker stopped the request."""
    if isinstance(error, dict):
        return error.get("type") == "circuit_breaking_exception" or any(map(_breaker_tripped, error.values()))
    if isinstance(error, list):
        return any(map(_breaker_tripped, error))
    return False


def _stretches_from_buckets(
    es: Elasticsearch, alias: str, query: dict[str, Any], kind: ItemKind, width: int, links: LinkPages | None
) -> list[Selection]:
    """The stretches from a composite aggregation on (tweet_time bucket, key), newest first: the index's own
    order, in which the server walks the index once."""
    sources = [
        {"time": {"date_histogram": {"field": "tweet_time", "fixed_interval": f"{width // 1000}s", "order": "desc"}}},
        {"key": {"terms": {"field": kind.field}}},
    ]
    pages = composite_buckets(es, alias, query, sources, NEAR_PAGE)
    item_of = None if links is None else links.item
    return near_candidates(((int(key["time"]), str(key["key"]), n) for key, n in pages), width, item_of)


def _time_splits(es: Elasticsearch, alias: str, query: dict[str, Any], width: int) -> tuple[int, list[int], int]:
    """The tweets `query` matches, the starts of the buckets that cut them into parts of as many tweets (`SLICES`
    parts, or more of `SLICE_TWEETS` each, `SLICE_TWEETS_ACROSS_SHARDS` on several shards; none for too few
    tweets to be worth it), and the shards behind the alias, in one request: the percentiles of tweet_time from
    1 to 99, of which the cuts are chosen."""
    answer = whole_answer(
        es.search(
            index=alias, query=query, size=0, track_total_hits=True,
            aggs={"cuts": {"percentiles": {"field": "tweet_time", "percents": list(range(1, 100))}}},
        ).body
    )  # fmt: skip
    total = answer["hits"]["total"]["value"]
    shards = answer.get("_shards", {}).get("total", 1)
    values = answer["aggregations"]["cuts"]["values"]  # "50.0": ms (and "50.0_as_string", a date field's)
    per_slice = SLICE_TWEETS if shards == 1 else SLICE_TWEETS_ACROSS_SHARDS
    parts = min(100, max(SLICES, math.ceil(total / per_slice)))
    cuts = [values.get(f"{round(100 * part / parts)}.0") for part in range(1, parts)]
    if total < SPLIT_AT or any(cut is None for cut in cuts):
        return total, [], shards
    return total, sorted({int(cut) // width * width for cut in cuts if cut is not None}), shards


def _count(es: Elasticsearch, alias: str, query: dict[str, Any]) -> int:
    return whole_answer(es.count(index=alias, query=query).body)["count"]


def _repeated_keys(
    es: Elasticsearch, alias: str, query: dict[str, Any], kind: ItemKind, links: LinkPages | None
) -> tuple[int, list[str]]:
    """For `--window auto`, which needs every post of every item posted twice however far apart: the matching
    tweets carrying an item, and the items two or more of them carry, by a partitioned terms aggregation.
    Refused (`UsageError`) past `AUTO_MAX_TWEETS` such tweets, which would not fit the memory.

    For links, also every link to a site whose pages have several addresses (`search.pages`): two tweets with
    `youtu.be/ID` and `youtube.com/watch?v=ID` carry one page under two terms of one tweet each."""
    source = {"field": kind.field}
    answer = whole_answer(
        es.search(
            index=alias,
            query=query,
            size=0,
            track_total_hits=True,
            aggs={"distinct": {"cardinality": {**source, "precision_threshold": 40_000}}},
        ).body
    )
    tweets = answer["hits"]["total"]["value"]
    distinct = answer["aggregations"]["distinct"]["value"]
    shards = answer.get("_shards", {}).get("total", 1)
    repeated_at_most = max(0, tweets - int(distinct * 0.95))
    partitions = max(1, math.ceil(repeated_at_most / PER_PARTITION))
    if shards > 1:
        partitions = max(partitions, math.ceil(distinct * 1.5 / SHARD_TERMS))
    keys: set[str] = set()
    repeated = 0
    while True:
        found = _repeated_terms(es, alias, query, source, partitions, shards)
        if found is not None:
            keys.update(key for key, _ in found)
            repeated = sum(count for _, count in found)
            break
        partitions *= 4
    if repeated > AUTO_MAX_TWEETS:
        raise UsageError(
            f"--window auto reads every tweet of every item posted twice, {repeated:,} here (at most "
            f"{AUTO_MAX_TWEETS:,}); narrow the query (a campaign, a date range) or give the window (60s)"
        )
    if links is not None:
        keys.update(links.page_of)
    keys.discard("")
    return tweets, sorted(keys)


def _repeated_terms(
    es: Elasticsearch, alias: str, query: dict[str, Any], source: dict[str, Any], partitions: int, shards: int
) -> list[tuple[str, int]] | None:
    """Every term of two or more tweets and its tweets, partition by partition; None when one overflowed."""
    keys: list[tuple[str, int]] = []
    for partition in range(partitions):
        terms: dict[str, Any] = {**source, "min_doc_count": 2, "size": TERMS_SIZE}
        if partitions > 1:
            terms["include"] = {"partition": partition, "num_partitions": partitions}
        if shards > 1:
            terms["shard_size"] = SHARD_TERMS
        answer = whole_answer(es.search(index=alias, query=query, size=0, aggs={"repeated": {"terms": terms}}).body)
        buckets = answer["aggregations"]["repeated"]["buckets"]
        if len(buckets) >= TERMS_SIZE:
            return None
        keys.extend((str(bucket["key"]), bucket["doc_count"]) for bucket in buckets)
    return keys


@dataclass
class LinkPages:
    """What the keys of `urls.key` (hashes of links without their scheme) stand for: the page of every link to a
    site with several addresses for one page (`search.pages`), so that `youtu.be/ID` and `youtube.com/watch?v=ID`
    are one item; and, as tweets are read, the link itself, to show."""

    hashed: bool
    page_of: dict[str, str] = field(default_factory=dict)
    url_of: dict[str, str] = field(default_factory=dict)
    _pages: dict[str, list[str]] | None = field(default=None, init=False, repr=False)

    def item(self, key: str) -> str:
        return self.page_of.get(key, key)

    def same_items(self) -> list[list[str]]:
        """The keys that are one page, a list a page with two keys or more (for `tweetsearch_near_repeats`)."""
        return [keys for keys in self._keys_of_page().values() if len(keys) > 1]

    def keys_of(self, key: str) -> tuple[str, ...]:
        """Every key of the page `key` stands for (the key alone for a page with one address)."""
        page = self.page_of.get(key)
        return (key,) if page is None else tuple(self._keys_of_page()[page])

    def _keys_of_page(self) -> dict[str, list[str]]:
        if self._pages is None:  # built whole before it is kept: the walk's slices ask from two threads
            pages: dict[str, list[str]] = defaultdict(list)
            for key, page in sorted(self.page_of.items()):
                pages[page].append(key)
            self._pages = pages
        return self._pages

    def label(self, item: str) -> str:
        return self.url_of.get(item, item)

    def remember(self, urls: Iterable[str]) -> None:
        for url in urls:
            self.url_of.setdefault(url_key(url, hashed=self.hashed), url)


def _link_pages(es: Elasticsearch, alias: str, query: dict[str, Any]) -> LinkPages:
    """The keys of every link to a page rule's host among the matching tweets (even of one tweet), with their
    page; whether the server hashes the keys is asked of it (a server without the plugin does not)."""
    from common.mapping import indices_behind

    index = indices_behind(es, alias)[0] if indices_behind(es, alias) else alias
    probe = es.indices.analyze(index=index, normalizer="url_key", text="https://a.example").body["tokens"]
    links = LinkPages(hashed=probe[0]["token"] != "a.example")
    for url in _known_page_links(es, alias, query):
        links.page_of[url_key(url, hashed=links.hashed)] = page_key(url)
    return links


def _known_page_links(es: Elasticsearch, alias: str, query: dict[str, Any]) -> Iterator[str]:
    """Every link (even of one tweet) to a host of a page rule, through a composite aggregation's pages."""
    hosts = sorted({host for rule in pages.shipped_rules() for form in rule.forms for host in form.hosts})
    if not hosts:
        return
    pattern = "https?://(" + "|".join(pages.literal(host) for host in hosts) + ")/.*"
    narrowed = {"bool": {"filter": [query, {"regexp": {"urls": {"value": pattern, "flags": "NONE"}}}]}}
    sources = [{"url": {"terms": {"field": "urls"}}}]
    yield from (str(key["url"]) for key, _ in composite_buckets(es, alias, narrowed, sources, NEAR_PAGE))


def _read_posts(
    es: Elasticsearch,
    alias: str,
    query: dict[str, Any],
    kind: ItemKind,
    selections: Sequence[Selection],
    links: LinkPages | None,
    max_tweets: int | None = None,
) -> tuple[dict[str, list[Post]], TimeUsed, dict[str, str]]:
    """The tweets the selections pick, by item (step 2): doc values only, a batch of selections a request. A
    tweet picked twice (two stretches, two batches) counts once per item. Raises `LimitReached` once more than
    `max_tweets` hits were read, before they are all held."""
    items: dict[str, list[Post]] = defaultdict(list)
    used = TimeUsed()
    campaigns: dict[str, str] = {}
    fields = [
        kind.field,
        *(["urls"] if links is not None else []),
        "userid",
        "tweetid",
        "campaign",
        {"field": "tweet_time", "format": "epoch_millis"},
    ]
    if not selections:
        return items, used, campaigns
    held = 0

    def read(batch: list[Selection]) -> tuple[set[str], list[dict[str, Any]]]:
        narrowed = {"bool": {"filter": [query, {"bool": {"should": [_picked(kind, one) for one in batch]}}]}}
        pages = walk(
            es, pit, narrowed, source=False, page_size=FETCH_PAGE, keep_alive="2m", sort=["_shard_doc"], fields=fields
        )  # fmt: skip
        return {key for selection in batch for key in selection.keys}, [hit for hits, _ in pages for hit in hits]

    # Batches are read `SLICES` at once, here as in the walk: the server answers one while the last is sorted
    # here (at 10M, 1,400 requests for the hashtags question). Only this thread touches what is counted.
    with point_in_time(es, alias, "2m") as pit, ThreadPoolExecutor(SLICES) as pool:
        for wanted, hits in _ahead(pool, read, _batches(merge_selections(selections)), SLICES):
            held += len(hits)
            if max_tweets is not None and held > max_tweets:
                raise LimitReached(
                    f"more than {max_tweets:,} tweets would be read to pair the accounts: the query or the window "
                    "is too wide; narrow the query (a campaign, a date range) or the window"
                )
            for hit in hits:
                post = _post(hit.get("fields", {}), used, campaigns)
                if post is None:
                    continue
                for key in _keys_of(kind, hit.get("fields", {}), wanted, links):
                    items[key].append(post)
    # A tweet read twice (a link's page under two keys of two selections) counts once per item.
    return {key: list({post.tweetid: post for post in posts}.values()) for key, posts in items.items()}, used, campaigns


def _ahead(pool: ThreadPoolExecutor, work: Callable[[Any], Any], jobs: Iterable[Any], ahead: int) -> Iterator[Any]:
    """`work` of each job, in order, with at most `ahead` jobs running or done but not yet taken (`pool.map`
    would run them all, and hold every answer not yet taken)."""
    running: deque[Future[Any]] = deque()
    for job in jobs:
        running.append(pool.submit(work, job))
        if len(running) >= ahead:
            yield running.popleft().result()
    while running:
        yield running.popleft().result()


def _batches(selections: Sequence[Selection]) -> Iterator[list[Selection]]:
    """Selections a request at a time: at most `SELECTIONS_PER_FETCH` of them and about `KEYS_PER_FETCH` keys."""
    batch: list[Selection] = []
    keys = 0
    for selection in selections:
        if batch and (len(batch) >= SELECTIONS_PER_FETCH or keys + len(selection.keys) > KEYS_PER_FETCH):
            yield batch
            batch, keys = [], 0
        batch.append(selection)
        keys += len(selection.keys)
    if batch:
        yield batch


def _picked(kind: ItemKind, selection: Selection) -> dict[str, Any]:
    terms = {"terms": {kind.field: list(selection.keys)}}
    if selection.start is None:
        return terms
    return {"bool": {"filter": [terms, {"range": {"tweet_time": {"gte": selection.start, "lt": selection.end,
                                                                   "format": "epoch_millis"}}}]}}  # fmt: skip


def _keys_of(
    kind: ItemKind, fields: Mapping[str, list[Any]], wanted: set[str], links: LinkPages | None
) -> Iterator[str]:
    """The items of a tweet among those wanted: its keys, or for links their pages (each once)."""
    values = [str(value) for value in fields.get(kind.field, [])]
    if links is None:
        yield from (value for value in values if value in wanted)
        return
    links.remember(str(url) for url in fields.get("urls", []))
    yield from dict.fromkeys(links.item(value) for value in values if value in wanted)


def post_time(tweetid: str, tweet_time_ms: int | None) -> tuple[int, bool] | None:
    """A tweet's time as the analysis takes it, and whether to the millisecond: its snowflake id's millisecond,
    else its tweet_time (the 2018 files give it to the minute), else None (the tweet is left out). The
    benchmark gives the coordination-network-toolkit the same times."""
    ms = snowflake_ms(tweetid)
    if ms is not None:
        return ms, True
    return None if tweet_time_ms is None else (tweet_time_ms, False)


def _post(fields: Mapping[str, list[Any]], used: TimeUsed, campaigns: dict[str, str]) -> Post | None:
    tweetid = str(fields.get("tweetid", [""])[0])
    userid = fields.get("userid", [None])[0]
    if userid is None:
        return None
    # One string per account, not per post: 60 MB less for the 668,000 posts of a 10M hashtag question.
    userid = sys.intern(userid)
    campaign = fields.get("campaign", [None])[0]
    if campaign is not None:
        campaigns.setdefault(userid, campaign)
    stamp = fields.get("tweet_time", [None])[0]
    stamp_ms = None if stamp is None else int(float(stamp))
    timed = post_time(tweetid, stamp_ms)
    if timed is None:
        used.none += 1
        return None
    ms, precise = timed
    if not precise:
        used.tweet_time += 1
    else:
        used.snowflake += 1
        if stamp_ms is not None and abs(ms - stamp_ms) >= 60_000:
            used.disagreeing += 1
    return Post(tweetid, userid, ms, precise)


def _groups(
    es: Elasticsearch,
    alias: str,
    kind: ItemKind,
    numbered: Sequence[tuple[str, Post]],
    raw: Mapping[tuple[str, str], tuple[set[int], set[int], set[str]]],
    pairs: Sequence[Pair],
    campaigns: Mapping[str, str],
    names: Mapping[str, str],
    items_per_group: int,
    links: LinkPages | None,
) -> list[Group]:
    groups: list[Group] = []
    found = components(pairs)
    group_of = {account: number for number, members in enumerate(found) for account in members}
    pairs_of: list[list[Pair]] = [[] for _ in found]
    for pair in pairs:
        pairs_of[group_of[pair.a]].append(pair)
    for members, inside in zip(found, pairs_of, strict=True):
        posts_by_member: dict[str, set[int]] = defaultdict(set)
        partners: Counter[str] = Counter()
        for pair in inside:
            mine, theirs, _ = raw[(pair.a, pair.b)]
            posts_by_member[pair.a] |= mine
            posts_by_member[pair.b] |= theirs
            partners.update((pair.a, pair.b))
        matched = sorted({index for posts in posts_by_member.values() for index in posts})
        by_item: dict[str, list[Post]] = defaultdict(list)
        for index in matched:
            key, post = numbered[index]
            by_item[key].append(post)
        shared = sorted(
            (_shared_item(kind, key, posts, links) for key, posts in by_item.items()),
            key=lambda item: (-item.accounts, -item.tweets, item.first_time, item.key),
        )
        times = [numbered[index][1].ms for index in matched]
        groups.append(
            Group(
                accounts=len(members),
                co_actions=sum(pair.co_actions for pair in inside),
                pairs=len(inside),
                members=sorted(
                    (
                        Member(
                            userid=userid,
                            screen_name=names.get(userid),
                            campaigns=[campaigns[userid]] if userid in campaigns else [],
                            tweets=len(posts_by_member[userid]),
                            partners=partners[userid],
                        )
                        for userid in members
                    ),
                    key=lambda member: (-member.tweets, member.userid),
                ),
                items=shared[:items_per_group],
                items_total=len(shared),
                campaigns=dict(Counter(campaigns.get(userid, "?") for userid in members).most_common()),
                first_time=_iso(min(times)),
                last_time=_iso(max(times)),
            )
        )
    _add_examples(es, alias, [item for group in groups for item in group.items])
    return groups


def _shared_item(kind: ItemKind, key: str, posts: Sequence[Post], links: LinkPages | None) -> SharedItem:
    first = min(posts, key=lambda post: (post.ms, post.tweetid))
    return SharedItem(
        kind=kind.name,
        key=key,
        label=key if links is None else links.label(key),
        url=None if links is None else links.url_of.get(key),
        tweets=len(posts),
        accounts=len({post.userid for post in posts}),
        first_time=_iso(first.ms),
        first_tweetid=first.tweetid,
    )


def _add_examples(es: Elasticsearch, alias: str, items: Sequence[SharedItem]) -> None:
    """Each shown item's first tweet as posted: the text a reader recognises (the key is a hash)."""
    wanted = sorted({item.first_tweetid for item in items})
    if not wanted:
        return
    texts: dict[str, str | None] = {}
    for at in range(0, len(wanted), FETCH_PAGE):  # a page holds at most 10,000 hits; groups may show more items
        chunk = wanted[at : at + FETCH_PAGE]
        answer = whole_answer(
            es.search(index=alias, size=len(chunk), query={"ids": {"values": chunk}}, source=["tweet_text"]).body
        )
        texts.update((hit["_id"], hit["_source"].get("tweet_text")) for hit in answer["hits"]["hits"])
    for item in items:
        item.example = texts.get(item.first_tweetid)


def _iso(ms: int) -> str:
    return utc_iso(datetime.fromtimestamp(ms / 1000, UTC))
