"""Synthetic Twitter information-operations releases, for tests, demos and benchmarks.

The real archives cannot be downloaded where this project is built and tested, so everything runs on files
written here. They copy the real layout closely enough to exercise the reader: file names, both column
orders, both quoting/encoding conventions (the 2018 IRA/Iran files and the later releases), multi-line and
quote-laden text, hashed and numeric ids, snowflake tweet ids, and optionally malformed rows.

Alongside the CSVs, `ground_truth.json` lists what was planted (quotes copied across campaigns, shared URLs,
hashtags with exact counts, coordinated groups of accounts, malformed rows with their line numbers) and what was
written (counts per campaign, language and year), so tests can check search answers against known numbers.

`ground_truth.json` keys: `generator` (arguments), `total_tweets` and `well_formed_tweets` (the same number: the
well-formed tweet rows, every one of which a reader must accept; the malformed rows come on top), `total_users`,
`files` (name, member, campaign, kind, style, rows, malformed, physical lines), `campaigns` (per campaign: tweets,
users, hashed_users, kinds, geo, languages, years, files, top_accounts), `languages`, `quotes` (text, marker,
counts per kind, campaigns, accounts, earliest, copies with tweetid/userid/campaign/kind/text/time/file/line),
`urls` and `hashtags` (exact counts, per campaign, tweetids), `coordination` (`groups`: per campaign and kind of
item, `by` text, retweet, url or hashtags, the accounts that post the same `items` `repeats` times, each time all
within `max_gap_seconds` by the time in their snowflake ids, with the `tweetids` of each item's posts; and
`background`: accounts sharing the same links and text again and again, but never two posts of an item less than
`background_min_gap_seconds` apart, which no coordination analysis should report), `malformed` (file, member,
line, kind, tweetid: the rows a reader must reject, each on the line it starts on, for the reason `kind`, and no
other). Lines are 1-based, the header is line 1, and a row's line is where it starts.

Speed matters because benchmarks need millions of rows: the hot loop only indexes precomputed pools of
already CSV-encoded UTF-8 pieces and joins them (csv.writer alone caps out near 100k rows/s). Memory stays
flat: rows are written in batches and never kept; only accounts, pools and counters live for the whole run.
"""

from __future__ import annotations

import base64
import bisect
import gzip
import hashlib
import itertools
import json
import math
import random
import time
import zipfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, Literal

from common.errors import OutputFailed, UsageError
from common.records import ACCOUNT_COLUMNS, TWEET_COLUMNS, RejectReason
from generator import corpus

Compress = Literal["none", "gz", "zip"]

SNOWFLAKE_EPOCH_MS = 1288834974657
LEGACY_BASE_ID = 1_000_000_000
LEGACY_IDS_PER_MINUTE = 20_000
FIRST_DAY = date(2009, 1, 1)
LAST_DAY = date(2019, 6, 30)
HASH_BELOW_FOLLOWERS = 5000
BATCH_ROWS = 10_000
MIN_TWEETS = 1000
MIN_CAMPAIGN_ROWS = 200
GROUND_TRUTH_FILE = "ground_truth.json"

# The 2018 releases use Twitter's original column order; later ones swap the two reply columns.
USER_COLUMNS: tuple[str, ...] = ACCOUNT_COLUMNS
TWEET_COLUMNS_2018: tuple[str, ...] = TWEET_COLUMNS
TWEET_COLUMNS_LATER: tuple[str, ...] = tuple(
    {"in_reply_to_tweetid": "in_reply_to_userid", "in_reply_to_userid": "in_reply_to_tweetid"}.get(c, c)
    for c in TWEET_COLUMNS_2018
)

# Every kind below is planted `malformed` times; a truncated last line is added once per tweets file, at
# most `malformed` files. The codes are the reader's own reject reasons, so tests compare them directly.
MALFORMED_KINDS: tuple[str, ...] = (
    RejectReason.WRONG_FIELD_COUNT,
    RejectReason.BAD_DATE,
    RejectReason.BAD_NUMBER,
    RejectReason.BAD_UTF8,
    RejectReason.NUL_BYTE,
    RejectReason.RUNAWAY_QUOTE,
)
BAD_DATES = ("2016-13-45 25:61", "not a date", "2017/06/32 16:03")
BAD_NUMBERS = ("1.2k", "abc", "--5")

KIND_ORIGINAL, KIND_RETWEET, KIND_REPLY, KIND_QUOTE, KIND_POLL = range(5)
KIND_NAMES = ("original", "retweet", "reply", "quote", "poll")

ProgressCallback = Callable[[int], None]


# --------------------------------------------------------------------------------------------------------------
# Styles: how a release spells its values.


@dataclass(frozen=True, slots=True)
class Style:
    """The encoding conventions of one generation of releases (2018 vs later)."""

    name: Literal["2018", "later"]
    columns: tuple[str, ...]
    quote_all: bool
    true: str
    false: str
    geo_missing: str
    float_counts: bool

    @property
    def q(self) -> str:
        """The quote wrapped around fields known to need no escaping (ids, numbers, dates)."""
        return '"' if self.quote_all else ""

    def field(self, value: str) -> str:
        """One CSV field, quoted the way Python's csv module would for this style's quoting mode."""
        if self.quote_all or "," in value or '"' in value or "\n" in value or "\r" in value:
            return '"' + value.replace('"', '""') + '"'
        return value

    def row(self, values: Sequence[str]) -> str:
        return ",".join([self.field(v) for v in values]) + "\n"

    def list_value(self, items: Sequence[str]) -> str:
        """`[a, b]` in 2018 files, Python repr `['a', 'b']` later; `[]` when empty in both."""
        if self.name == "2018":
            return "[" + ", ".join(items) + "]"
        return "[" + ", ".join(repr(x) for x in items) + "]"

    def count(self, n: int) -> str:
        """Engagement counts: integers in 2018, floats (`3.0`) later, as pandas wrote them."""
        return f"{n}.0" if self.float_counts else str(n)

    def boolean(self, value: bool) -> str:
        return self.true if value else self.false

    def hashed_id(self, key: str) -> str:
        """Hashed account id: sha256 hex in 2018, base64 of the digest (ends in `=`) later."""
        digest = hashlib.sha256(key.encode()).digest()
        return digest.hex() if self.name == "2018" else base64.b64encode(digest).decode()


STYLE_2018 = Style("2018", TWEET_COLUMNS_2018, True, "true", "false", "", False)
STYLE_LATER = Style("later", TWEET_COLUMNS_LATER, False, "True", "False", "absent", True)


# --------------------------------------------------------------------------------------------------------------
# Campaigns: shaped after the real releases.


CampaignSpec = corpus.CampaignShape
"""One release's shape, as `generator/data/campaigns.json` gives it; its `style` is a name in `STYLES`."""


STYLES: dict[str, Style] = {s.name: s for s in (STYLE_2018, STYLE_LATER)}


def campaign_specs() -> tuple[CampaignSpec, ...]:
    """The campaigns of `generator/data/campaigns.json`; read when a release is first made."""
    return corpus.CAMPAIGNS


# --------------------------------------------------------------------------------------------------------------
# Public results.


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """One file written. `member` is the CSV name (inside the zip, or under the .gz)."""

    path: Path
    campaign: str
    kind: Literal["tweets", "users"]
    member: str
    rows: int
    malformed: int
    lines: int


@dataclass(frozen=True, slots=True)
class GenerateSummary:
    """What `generate_release` wrote; `tweets` counts well-formed tweet rows only."""

    out_dir: Path
    files: tuple[GeneratedFile, ...]
    tweets: int
    users: int
    malformed_rows: int
    ground_truth: Path
    seconds: float


# --------------------------------------------------------------------------------------------------------------
# Calendar and id helpers.


@dataclass(frozen=True, slots=True)
class _Calendar:
    days: tuple[date, ...]
    day_ms: tuple[int, ...]
    iso: tuple[str, ...]


@cache
def _calendar() -> _Calendar:
    n = (LAST_DAY - FIRST_DAY).days + 1
    days = tuple(FIRST_DAY + timedelta(days=i) for i in range(n))
    base = int(datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC).timestamp() * 1000)
    return _Calendar(days, tuple(base + i * 86_400_000 for i in range(n)), tuple(d.isoformat() for d in days))


def _day_index(d: date) -> int:
    return (d - FIRST_DAY).days


def _epoch_ms(t: datetime) -> int:
    return int(t.replace(tzinfo=UTC).timestamp() * 1000)


def _parse_minute(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%d %H:%M")


class _LegacyIds:
    """Sequential ids for tweets before snowflakes (2010-11-04): base + minute * 20000 + order in minute."""

    def __init__(self) -> None:
        self._used: dict[int, int] = {}
        self._origin = _calendar().day_ms[0]

    def __call__(self, ms: int) -> bytes:
        minute = (ms - self._origin) // 60_000
        seq = self._used.get(minute, 0)
        if seq >= LEGACY_IDS_PER_MINUTE:
            raise RuntimeError("more pre-2010 tweets in one minute than legacy ids can number")
        self._used[minute] = seq + 1
        return b"%d" % (LEGACY_BASE_ID + minute * LEGACY_IDS_PER_MINUTE + seq)

    def ref(self, ms: int, bits: int) -> bytes:
        """An id for an earlier tweet that is not in the release (retweeted, replied to, quoted)."""
        minute = (ms - self._origin) // 60_000
        return b"%d" % (LEGACY_BASE_ID + minute * LEGACY_IDS_PER_MINUTE + bits % LEGACY_IDS_PER_MINUTE)


def _snowflake(ms: int, counter: int) -> int:
    """Tweet id for a time; `counter` (unique per row) fills the low bits and the ms within the minute.

    Low 22 bits = counter mod 2**22 and ms mod 64 = (counter >> 22) mod 64, so ids stay unique for
    2**28 rows whatever the times are.
    """
    return ((ms - SNOWFLAKE_EPOCH_MS) << 22) | (counter & 0x3FFFFF)


def _within_minute(counter: int, bits: int) -> int:
    return ((counter >> 22) & 63) + (bits % 937) * 64


def _near_within_minute(counter: int, target: int) -> int:
    """The millisecond nearest `target` (at most 63 ms off) with the residue mod 64 `_within_minute` gives a row.

    Rows whose counters share their low 22 bits differ in that residue, which is what keeps every id unique.
    """
    return target - target % 64 + ((counter >> 22) & 63)


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_VIDEO_CHARS = _ALNUM + "-_"


def _code(rng: random.Random, n: int, alphabet: str = _ALNUM) -> str:
    return "".join(rng.choices(alphabet, k=n))


def _tco(rng: random.Random) -> str:
    return "https://t.co/" + _code(rng, 10)


# --------------------------------------------------------------------------------------------------------------
# Text.


def _sentence(lang: corpus.Language, rng: random.Random) -> str:
    ch = rng.choice
    template = ch(lang.templates)
    if "\n" in template and rng.random() < 0.7:
        # Multi-line tweets exist but are a minority; without this a quarter of tweets would span lines.
        template = ch(lang.templates)
    return template.format(
        S=ch(lang.subjects),
        V=ch(lang.verbs),
        O=ch(lang.objects),
        P=ch(lang.places),
        X=ch(lang.interjections),
        Q=ch(lang.scare_quotes),
        E=ch(corpus.EMOJI),
    )


def _und_sentence(rng: random.Random) -> str:
    """Text Twitter labels `und`: emoji, ellipses, nothing at all."""
    pick = rng.random()
    if pick < 0.8:
        return rng.choice(corpus.EMOJI) * rng.randint(1, 4)
    return rng.choice(corpus.UND_TEXTS)


def _url(lang: corpus.Language, rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.55:
        pattern = rng.choice(lang.url_patterns)
    elif pick < 0.75:
        pattern = rng.choice(corpus.SHORTENER_PATTERNS)
    elif pick < 0.9:
        pattern = rng.choice(corpus.VIDEO_PATTERNS)
    else:
        pattern = rng.choice(corpus.BLOG_PATTERNS)
    slugs = lang.slugs or ("news",)
    url = pattern.format(
        y=rng.randint(2012, 2019),
        m=f"{rng.randint(1, 12):02d}",
        d=f"{rng.randint(1, 28):02d}",
        n=rng.randint(100_000, 9_999_999),
        slug=rng.choice(slugs),
        code=_code(rng, 7),
        vid=_code(rng, 11, _VIDEO_CHARS),
        word=rng.choice(corpus.URL_WORDS),
        word2=rng.choice(corpus.URL_WORDS),
    )
    if pick < 0.55 and rng.random() < 0.25 and "?" not in url and "#" not in url:
        url += rng.choice(corpus.TRACKING_SUFFIXES).format(word=rng.choice(corpus.URL_WORDS), code=_code(rng, 8))
    return url


@dataclass(frozen=True, slots=True)
class _Tail:
    text: str
    hashtags: tuple[str, ...]
    urls: tuple[str, ...]


def _tail(lang: corpus.Language, rng: random.Random) -> _Tail:
    """The end of a tweet: emoji, hashtags and t.co links, whose entities fill the list columns."""
    parts: list[str] = []
    tags: list[str] = []
    urls: list[str] = []
    if rng.random() < 0.15:
        parts.append(" " + rng.choice(corpus.EMOJI))
    n_tags = rng.choices((0, 1, 2, 3), (60, 28, 10, 2))[0]
    pool = (*lang.hashtags, "news")
    for tag in rng.sample(pool, n_tags):
        if tag not in tags:
            tags.append(tag)
            parts.append(" #" + tag)
    n_urls = rng.choices((0, 1, 2), (50, 45, 5))[0]
    links = []
    for _ in range(n_urls):
        urls.append(_url(lang, rng))
        links.append(" " + _tco(rng))
    if rng.random() < 0.5:
        parts = links + parts
    else:
        parts += links
    return _Tail("".join(parts), tuple(tags), tuple(urls))


# --------------------------------------------------------------------------------------------------------------
# Accounts.


def _numeric_userid(created: date, rng: random.Random) -> int:
    """A plausible numeric user id for an account created that day (snowflake ids from mid-2016 on)."""
    knots = corpus.USERID_GROWTH
    if created >= knots[-1][0]:
        ms = _epoch_ms(datetime(created.year, created.month, created.day)) + rng.randrange(86_400_000)
        return _snowflake(ms, rng.getrandbits(22))
    for (d0, v0), (d1, v1) in itertools.pairwise(knots):
        if d0 <= created < d1:
            frac = (created - d0).days / (d1 - d0).days
            per_day = (v1 - v0) / (d1 - d0).days
            return int(v0 + frac * (v1 - v0) + rng.random() * per_day)
    return int(knots[0][1] * rng.random()) + 1


@dataclass(slots=True)
class _Account:
    """A campaign account. `userid`/`display_name`/`screen_name` are as written (hashes for small ones)."""

    index: int
    userid: str
    display_name: str
    screen_name: str
    public_screen_name: str
    hashed: bool
    followers: int
    following: int
    created: date
    language: str
    location: str
    bio: str
    profile_url: str
    clients: tuple[str, ...]
    chunk: str = ""
    newlines: int = 0


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def _make_accounts(
    spec: CampaignSpec, n: int, seed: int, used_ids: set[int], first: int = 0, taken: frozenset[str] = frozenset()
) -> list[_Account]:
    """Accounts `first` .. `first + n - 1` of a campaign; `taken` are lower-cased screen names already in use.

    Accounts made later (from `first` on) come from their own random stream, so the first ones stay the same.
    """
    rng = random.Random(f"{seed}:{spec.key}:accounts" + (f":{first}" if first else ""))
    style = STYLES[spec.style]
    last_created = _parse_minute(spec.activity[-1][0] + " 00:00").date() - timedelta(days=62)
    accounts: list[_Account] = []
    screen_names: set[str] = set(taken)
    for i in range(first, first + n):
        lang_code = _weighted(rng, spec.languages)
        lang = corpus.LANGUAGES[lang_code]
        if i == 0:
            followers = rng.randint(25_000, 150_000)
            year = min(y for y, _ in spec.created_years)
        else:
            followers = min(3_000_000, int(rng.lognormvariate(5.5, 2.2)))
            year = _weighted(rng, spec.created_years)
        following = min(7_500, int(rng.lognormvariate(6.0, 1.2)))
        created = min(date(year, 1, 1) + timedelta(days=rng.randrange(365)), last_created)
        if i == 0:
            created = min(created, date(year, 3, 1))
        if rng.random() < 0.7:
            first, first_ascii = rng.choice(lang.first_names)
            last, last_ascii = rng.choice(lang.last_names)
            display = f"{first} {last}"
            form = rng.randrange(4)
            if form == 0:
                screen = f"{first_ascii.capitalize()}{last_ascii.capitalize()}"
            elif form == 1:
                screen = f"{first_ascii.lower()}_{last_ascii.lower()}{rng.randint(70, 99)}"
            elif form == 2:
                screen = f"{first_ascii.capitalize()}_{last_ascii.capitalize()}"
            else:
                screen = f"{first_ascii.lower()}{last_ascii.lower()}{rng.randint(1, 999)}"
        else:
            display, screen = rng.choice(lang.outlets)
        screen = screen[:15]
        while screen.lower() in screen_names:
            screen = screen[:12] + str(rng.randint(100, 999))
        screen_names.add(screen.lower())
        hashed = followers < HASH_BELOW_FOLLOWERS
        if hashed:
            userid = style.hashed_id(f"{seed}:{spec.key}:{i}")
        else:
            num = _numeric_userid(created, rng)
            while num in used_ids:
                num += 1
            used_ids.add(num)
            userid = str(num)
        bio = rng.choice(lang.bios)
        if "\n" in bio and rng.random() < 0.7:
            bio = rng.choice(lang.bios)
        bio = bio.format(city=rng.choice(lang.locations), emoji=rng.choice(corpus.EMOJI))
        location = rng.choice(lang.locations) if rng.random() < 0.7 else ""
        profile_url = _tco(rng) if rng.random() < 0.25 else ""
        own_clients = [_weighted(rng, spec.clients) for _ in range(rng.randint(1, 3))]
        clients = tuple(own_clients[min(len(own_clients) - 1, int(rng.random() ** 2 * 3))] for _ in range(8))
        acc = _Account(
            index=i,
            userid=userid,
            display_name=userid if hashed else display,
            screen_name=userid if hashed else screen,
            public_screen_name=screen,
            hashed=hashed,
            followers=followers,
            following=following,
            created=created,
            language=lang_code,
            location=location,
            bio=bio,
            profile_url=profile_url,
            clients=clients,
        )
        values = _account_values(acc)
        acc.chunk = ",".join(style.field(v) for v in values)
        acc.newlines = acc.chunk.count("\n")
        accounts.append(acc)
    return accounts


def _source_userid(screen_name: str) -> str:
    """A stable numeric id for an outside account (not in any release) that campaigns amplify."""
    return str(10_000_000 + int(hashlib.sha256(screen_name.encode()).hexdigest()[:12], 16) % 4_000_000_000)


def _account_values(acc: _Account) -> list[str]:
    return [
        acc.userid,
        acc.display_name,
        acc.screen_name,
        acc.location,
        acc.bio,
        acc.profile_url,
        str(acc.followers),
        str(acc.following),
        acc.created.isoformat(),
        acc.language,
    ]


# --------------------------------------------------------------------------------------------------------------
# Campaign state: pools and tickets the hot loop indexes with random bits.


def _pow2(n: int) -> int:
    return 1 << max(0, math.ceil(math.log2(max(1, n))))


# Per language, the hot loop gets a flat tuple of (pool, mask) pairs: originals 0-1, tails 2-3, retweets 4-5,
# replies 6-7, quotes 8-9, polls 10-11 (plain indices are the fastest lookup there is). Pool items are tuples
# of UTF-8 pieces, each starting with the comma that precedes it in a row (see `_build_pools`).
_Pools = tuple[Any, ...]


class _Campaign:
    """Everything precomputed for one campaign, plus the counters the ground truth reports."""

    def __init__(self, spec: CampaignSpec, rows: int, offset: int, seed: int, used_ids: set[int]) -> None:
        self.spec = spec
        self.style = STYLES[spec.style]
        self.rows = rows
        self.offset = offset
        self.seed = seed
        self.rng = random.Random(f"{seed}:{spec.key}:rows")
        n_accounts = max(24, min(spec.real_accounts, rows // 200))
        self.accounts = _make_accounts(spec, n_accounts, seed, used_ids)
        # The accounts of the random rows and of the planted quotes, URLs and hashtags; `add_accounts` adds others.
        self.ordinary = list(self.accounts)
        self.languages: list[str] = [code for code, _ in spec.languages] + ["und"]
        self.day_quantiles = _quantiles(self._day_weights(), 1 << 16)
        self._cohort_tickets: dict[int, list[int]] = {}
        self.lang_counts: list[int] = []
        self.acc_counts = [0] * n_accounts
        self.day_counts = [0] * len(_calendar().days)
        self.kind_counts = [0] * len(KIND_NAMES)
        self.geo_count = 0

    def add_accounts(self, n: int, used_ids: set[int]) -> list[_Account]:
        """`n` more accounts, in the users file but with no random rows: what they post is planted and known."""
        taken = frozenset(a.public_screen_name.lower() for a in self.accounts)
        made = _make_accounts(self.spec, n, self.seed, used_ids, first=len(self.accounts), taken=taken)
        self.accounts += made
        self.acc_counts += [0] * n
        return made

    def language_index(self, code: str) -> int:
        if code not in self.languages:
            self.languages.append(code)
        return self.languages.index(code)

    def _day_weights(self) -> list[float]:
        cal = _calendar()
        knots = [(_day_index(date.fromisoformat(d)), level) for d, level in self.spec.activity]
        bursts = [(_day_index(date.fromisoformat(d)), width, height) for d, width, height in self.spec.bursts]
        weights = [0.0] * len(cal.days)
        for (i0, v0), (i1, v1) in itertools.pairwise(knots):
            for i in range(i0, i1 + 1):
                weights[i] = v0 + (v1 - v0) * (i - i0) / (i1 - i0)
        for i, w in enumerate(weights):
            if w <= 0:
                continue
            bump = sum(h * math.exp(-0.5 * ((i - c) / s) ** 2) for c, s, h in bursts if abs(i - c) < 5 * s)
            weekend = 0.85 if cal.days[i].weekday() >= 5 else 1.0
            weights[i] = w * (1.0 + bump) * weekend
        return weights

    def day_tickets(self, created: date) -> list[int]:
        """4096 day indices following the campaign's volume, from the month after `created` on.

        The campaign's day quantiles are sorted, so the days open to an account are a suffix of them;
        evenly spaced picks from that suffix follow the same volume curve, conditioned on the start.
        """
        key = created.year * 12 + created.month
        tickets = self._cohort_tickets.get(key)
        if tickets is None:
            nxt = date(created.year + created.month // 12, created.month % 12 + 1, 1)
            quantiles = self.day_quantiles
            suffix = quantiles[bisect.bisect_left(quantiles, _day_index(nxt)) :] or quantiles
            n = len(suffix)
            tickets = [suffix[(j * n) >> 12] for j in range(4096)]
            self._cohort_tickets[key] = tickets
        return tickets

    def minute_tickets(self, rng: random.Random) -> list[int]:
        """Minutes of the day (UTC) weighted by a working-day rhythm in the campaign's own time zone."""
        by_hour = corpus.ACTIVITY_BY_LOCAL_HOUR
        off = int(self.spec.utc_offset_hours * 60)
        weights = [by_hour[((m + off) % 1440) // 60] for m in range(1440)]
        return rng.choices(range(1440), weights, k=4096)


def _quantiles(weights: Sequence[float], n: int) -> list[int]:
    """`n` evenly spaced quantiles of the distribution `weights` (indices, sorted): sampling without noise."""
    total = sum(weights)
    out: list[int] = []
    acc = 0.0
    i = 0
    last = len(weights) - 1
    for j in range(n):
        target = (j + 0.5) / n * total
        while i < last and acc + weights[i] <= target:
            acc += weights[i]
            i += 1
        out.append(i)
    return out


def _earlier_delays(rng: random.Random) -> list[int]:
    """How long before a retweet/reply/quote the original was posted: 30 s to 30 days, log-uniform."""
    lo, hi = math.log(30_000), math.log(30 * 86_400_000)
    return [int(math.exp(rng.uniform(lo, hi))) for _ in range(1024)]


def _count_chunks(style: Style, rng: random.Random, spec: CampaignSpec, retweets: bool) -> tuple[list[str], int]:
    """Pre-encoded `latitude,longitude,quote,reply,like,retweet` chunks; geo-tagged ones come first."""
    q = style.q
    chunks: list[str] = []
    n_geo = 0 if retweets else 20
    for i in range(4096):
        if i < n_geo:
            lat, lon = rng.choice(spec.geo)
            geo = f"{q}{round(lat + rng.uniform(-0.05, 0.05), 6)}{q},{q}{round(lon + rng.uniform(-0.05, 0.05), 6)}{q}"
        else:
            geo = f"{q}{style.geo_missing}{q},{q}{style.geo_missing}{q}"
        if retweets:
            counts = (0, 0, 0, 0)
        else:
            counts = (
                _heavy(rng, 0.03, 0.0, 1.0),
                _heavy(rng, 0.15, 0.3, 1.2),
                _heavy(rng, 0.4, 0.8, 1.6),
                _heavy(rng, 0.3, 0.6, 1.6),
            )
        chunks.append("," + geo + "," + ",".join(q + style.count(n) + q for n in counts))
    return chunks, n_geo


def _heavy(rng: random.Random, p: float, mu: float, sigma: float) -> int:
    """Zero with probability 1 - p, else a log-normal count: most tweets get no engagement, a few get lots."""
    return 0 if rng.random() > p else int(rng.lognormvariate(mu, sigma)) + 1


def _contains_marker(markers: tuple[str, ...], *texts: str) -> bool:
    low = " ".join(texts).lower()
    return any(m in low for m in markers)


def _build_pools(
    camp: _Campaign, code: str, size: int, targets: Sequence[tuple[str, str]], markers: tuple[str, ...]
) -> _Pools:
    """Pre-encode every piece of text the hot loop needs for one language.

    Sentences and tails are generated once and recombined into originals, retweets, replies and quotes, which
    keeps start-up short. In the 2018 style text is always quoted; later, only when the csv module would.
    """
    style = camp.style
    f = style.field
    q = style.q
    rng = random.Random(f"{camp.seed}:{camp.spec.key}:pool:{code}")
    lang = corpus.LANGUAGES.get(code) or corpus.LANGUAGES[camp.languages[0]]
    pick = rng.choice

    sentences: list[str] = []
    while len(sentences) < size:
        text = _und_sentence(rng) if code == "und" else _sentence(lang, rng)
        if not _contains_marker(markers, text):
            sentences.append(text)
    tails: list[_Tail] = []
    while len(tails) < size:
        tail = _tail(lang, rng)
        if not _contains_marker(markers, tail.text, *tail.hashtags, *tail.urls):
            tails.append(tail)

    def needs_quote(s: str) -> bool:
        return style.quote_all or "," in s or '"' in s or "\n" in s or "\r" in s

    def esc(s: str) -> str:
        return s.replace('"', '""')

    def lst(items: Sequence[str]) -> str:
        return f(style.list_value(items))

    # Item layouts (text pieces are escaped; "needs" says whether the joined text must be quoted):
    #   originals (text, needs, newlines, ",mentions,poll")      tails (text, needs, newlines, ",hashtags,urls")
    #   retweets (",text", newlines, ",hashtags,urls,mentions,poll", ",irt,iru,qt,true,rtu," + [rtt])
    #   replies (text, needs, newlines, ",mentions,poll", "," + [iru,] , [irt] + ",...rest of ids")
    #   quotes (",text", newlines, ",hashtags," + [urls up to the status id], [rest of urls] + ",mentions,poll")
    #   polls (",text", newlines, ",hashtags,urls,mentions,poll")
    no_poll = f("")

    def body() -> str:
        # Some tweets run to two sentences, so retweets overflow 140 characters and get truncated.
        first = pick(sentences)
        return f"{first} {pick(sentences)}" if code != "und" and rng.random() < 0.3 else first

    originals = []
    for text in sentences:
        if code != "und" and rng.random() < 0.15:
            text = f"{text} {pick(sentences)}"
        mentions: list[str] = []
        if rng.random() < 0.12:
            screen, uid = pick(targets)
            text = f"@{screen} {text}"
            mentions.append(uid)
        originals.append((esc(text), needs_quote(text), text.count("\n"), "," + lst(mentions) + "," + no_poll))
    tail_items = [
        (esc(t.text), needs_quote(t.text), t.text.count("\n"), "," + lst(t.hashtags) + "," + lst(t.urls)) for t in tails
    ]
    retweets = []
    rt_ids = ",".join([f(""), f(""), f(""), f(style.true)])
    for _ in range(size):
        screen, uid = pick(targets)
        t = pick(tails)
        text = f"RT @{screen}: {body()}{t.text}".strip()
        if len(text) > 140 and rng.random() < 0.8:
            text = text[:139].rstrip() + "…"
        ents = "," + lst(t.hashtags) + "," + lst(t.urls) + "," + lst([uid]) + "," + no_poll
        retweets.append(("," + f(text), text.count("\n"), ents, "," + rt_ids + "," + f(uid) + ","))
    replies = []
    tail_ids = [f(""), f(style.false), f(""), f("")]
    for _ in range(max(64, size // 4)):
        screen, uid = pick(targets)
        extra = ""
        uids = [uid]
        if rng.random() < 0.15:
            screen2, uid2 = pick(targets)
            if uid2 != uid:
                extra = f"@{screen2} "
                uids.append(uid2)
        text = f"@{screen} {extra}{pick(sentences)}".strip()
        if style.name == "2018":
            pre, post = ",", "," + ",".join([f(uid), *tail_ids])
        else:
            pre, post = "," + f(uid) + ",", "," + ",".join(tail_ids)
        replies.append((esc(text), needs_quote(text), text.count("\n"), "," + lst(uids) + "," + no_poll, pre, post))
    quotes = []
    for _ in range(max(64, size // 8)):
        screen, _uid = pick(targets)
        t = pick(tails)
        text = (pick(sentences) + t.text + " " + _tco(rng)).strip()
        status = f"https://twitter.com/{screen}/status/"
        if style.name == "2018":
            url_pre, url_post = q + "[" + ", ".join([*t.urls, status]), "]" + q
        else:
            wrap = '"' if t.urls else ""
            url_pre = wrap + "[" + ", ".join([*(repr(u) for u in t.urls), "'" + status])
            url_post = "']" + wrap
        ents_pre = "," + lst(t.hashtags) + "," + url_pre
        ents_post = url_post + "," + lst([]) + "," + no_poll
        quotes.append(("," + f(text), text.count("\n"), ents_pre, ents_post))
    polls = []
    for _ in range(64):
        text = pick(sentences).strip() or "?"
        ents = "," + lst([]) + "," + lst([]) + "," + lst([]) + "," + f("|".join(pick(lang.polls)))
        polls.append(("," + f(text), text.count("\n"), ents))
    out: list[Any] = []
    for items in (originals, tail_items, retweets, replies, quotes, polls):
        encoded = [tuple(x.encode() if isinstance(x, str) else x for x in item) for item in items]
        filled = _fill_pow2(encoded)
        out += [filled, len(filled) - 1]
    return tuple(out)


def _fill_pow2(items: list[Any]) -> list[Any]:
    """Pad a pool to a power of two by repeating it, so `bits & (len - 1)` picks uniformly enough."""
    n = _pow2(len(items))
    return (items * (n // len(items) + 1))[:n]


# --------------------------------------------------------------------------------------------------------------
# Planted rows and malformed rows.


@dataclass(slots=True)
class _Planted:
    """A tweet whose position, id and content are fixed before writing, so the ground truth is exact.

    A retweet names its original by `retweet_of` (a planted row) or `retweet_tweetid` (a tweet not in the
    release). `ms_in_minute` places the post to the millisecond (coordinated posts); None: anywhere in the minute.
    """

    campaign: str
    account: _Account
    language: str
    text: str
    when: datetime
    kind: str
    group: str
    hashtags: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    retweet_of: _Planted | None = None
    retweet_userid: str = ""
    retweet_tweetid: str = ""
    ms_in_minute: int | None = None
    position: int = -1
    tweetid: str = ""
    file: str = ""
    member: str = ""
    line: int = 0


@dataclass(slots=True)
class _Malformed:
    campaign: str
    kind: str
    text: str
    tweetid: str = ""
    file: str = ""
    member: str = ""
    line: int = 0


@dataclass(slots=True)
class _Part:
    campaign: _Campaign
    number: int
    start: int
    end: int
    csv_name: str
    malformed_at: dict[int, list[_Malformed]] = field(default_factory=dict)
    truncated: _Malformed | None = None


def _eligible(accounts: Sequence[_Account], when: datetime) -> list[_Account]:
    found = [a for a in accounts if a.created < when.date()]
    return found or [accounts[0]]


class _Plan:
    """Decides every planted row before any file is written."""

    def __init__(self, campaigns: dict[str, _Campaign], seed: int) -> None:
        self.campaigns = campaigns
        self.rng = random.Random(f"{seed}:plant")
        self.rows: list[_Planted] = []
        self.quotes: list[tuple[corpus.PlantedQuote, list[_Planted]]] = []
        self.urls: list[tuple[corpus.PlantedUrl, list[_Planted]]] = []
        self.hashtags: list[tuple[corpus.PlantedHashtag, list[_Planted]]] = []
        for quote in corpus.PLANTED_QUOTES:
            self.quotes.append((quote, self._plant_quote(quote)))
        for url in corpus.PLANTED_URLS:
            self.urls.append((url, self._plant_url(url)))
        for tag in corpus.PLANTED_HASHTAGS:
            self.hashtags.append((tag, self._plant_hashtag(tag)))

    def _add(self, row: _Planted) -> _Planted:
        self.rows.append(row)
        return row

    def _next_time(self, when: datetime) -> datetime:
        return when + timedelta(minutes=self.rng.randint(7, 2_000))

    def _plant_quote(self, quote: corpus.PlantedQuote) -> list[_Planted]:
        rng = self.rng
        origin_campaign = self.campaigns[quote.campaigns[0]]
        origin_acc = origin_campaign.ordinary[0]
        when = _parse_minute(quote.first_time)
        origin = self._add(
            _Planted(quote.campaigns[0], origin_acc, quote.language, quote.text, when, "exact", quote.key)
        )
        words = quote.text.split()
        first_part = " ".join(words[: max(3, len(words) * 3 // 5)])
        rt = f"RT @{origin_acc.public_screen_name}: "
        copies: list[tuple[str, str]] = [("exact", quote.text)] * 2
        copies += [("retweet", rt + quote.text)] * 3
        copies += [("truncated", rt + first_part + "…")] * 2
        copies += [("near", near) for near in quote.near]
        rows = [origin]
        used: set[tuple[str, int]] = {(origin.campaign, origin_acc.index)}
        for j, (kind, text) in enumerate(copies, start=1):
            key = quote.campaigns[j % len(quote.campaigns)]
            when = self._next_time(when)
            pool = [a for a in _eligible(self.campaigns[key].ordinary, when) if (key, a.index) not in used]
            acc = rng.choice(pool or self.campaigns[key].ordinary)
            used.add((key, acc.index))
            row = _Planted(key, acc, quote.language, text, when, kind, quote.key)
            if kind in ("retweet", "truncated"):
                row.retweet_of = origin
                row.retweet_userid = origin_acc.userid
                row.mentions = [origin_acc.userid]
            rows.append(self._add(row))
        return rows

    def _plant_url(self, url: corpus.PlantedUrl) -> list[_Planted]:
        rng = self.rng
        lang = corpus.LANGUAGES[url.language]
        when = _parse_minute(url.first_time)
        rows = []
        for key, count in url.per_campaign:
            camp = self.campaigns[key]
            accounts = rng.sample(_eligible(camp.ordinary, when), min(url.accounts_per_campaign, len(camp.ordinary)))
            for j in range(count):
                when = self._next_time(when)
                text = f"{_sentence(lang, rng)} {_tco(rng)}"
                row = _Planted(
                    key, accounts[j % len(accounts)], url.language, text, when, "url", url.url, urls=[url.url]
                )
                rows.append(self._add(row))
        return rows

    def _plant_hashtag(self, tag: corpus.PlantedHashtag) -> list[_Planted]:
        rng = self.rng
        lang = corpus.LANGUAGES[tag.language]
        when = _parse_minute(tag.first_time)
        rows = []
        for key, count in tag.per_campaign:
            camp = self.campaigns[key]
            for j in range(count):
                when = self._next_time(when)
                tags = [tag.tag] if j % 3 else [tag.tag, "news"]
                text = _sentence(lang, rng) + "".join(" #" + t for t in tags)
                acc = rng.choice(_eligible(camp.ordinary, when))
                rows.append(self._add(_Planted(key, acc, tag.language, text, when, "hashtag", tag.tag, hashtags=tags)))
        return rows

    def assign(self) -> dict[str, dict[int, _Planted]]:
        """Place planted rows at random distinct row positions and fix their tweet ids."""
        by_campaign: dict[str, dict[int, _Planted]] = {}
        for key, camp in self.campaigns.items():
            rows = [r for r in self.rows if r.campaign == key]
            if len(rows) > camp.rows:
                raise ValueError(f"{key}: {camp.rows} rows cannot hold {len(rows)} planted tweets; raise --tweets")
            positions = sorted(self.rng.sample(range(camp.rows), len(rows)))
            self.rng.shuffle(rows)
            placed: dict[int, _Planted] = {}
            for pos, row in zip(positions, rows, strict=True):
                row.position = pos
                counter = camp.offset + pos
                if row.ms_in_minute is None:
                    within = _within_minute(counter, self.rng.getrandbits(12))
                else:
                    within = _near_within_minute(counter, row.ms_in_minute)
                ms = _epoch_ms(row.when) + within
                row.tweetid = str(_snowflake(ms, counter))
                placed[pos] = row
            by_campaign[key] = placed
        return by_campaign


# --------------------------------------------------------------------------------------------------------------
# Coordination: accounts posting the same item within seconds of each other, again and again, and sharing that
# looks alike but is hours apart. `tweetsearch coordination` must report the first and not the second.

COORDINATION_GAP_MS = 5_000
"""Every post of a coordinated item is within this of the item's first post, by the time its snowflake id carries."""
# Members aim within 4 s of the first post, and an id moves a post by up to 63 ms (`_near_within_minute`). The
# first post starts by second 50, so an item's posts also share their `tweet_time` minute.
_COORDINATION_SPREAD_MS = 4_000
_LATEST_START_MS = 50_000
GROUP_SIZES = (3, 5)
BACKGROUND_ACCOUNTS = 6
BACKGROUND_SHARES = 3
"""Times each background account shares each of its campaign's background links."""
# Minutes between one background post and the next in a campaign: two whole minutes more than 2 h apart are more
# than 2 h apart to the millisecond, whatever second each post gets.
BACKGROUND_GAP_MINUTES = (121, 480)
BACKGROUND_MIN_GAP_SECONDS = 7_200
FIRST_SNOWFLAKE_DAY = date(2010, 11, 5)


@dataclass(slots=True)
class _Group:
    """Accounts posting the same items: a coordinated group, or background accounts sharing hours apart."""

    campaign: str
    by: str
    accounts: list[_Account]
    coordinated: bool
    items: list[Any] = field(default_factory=list)
    posts: list[list[_Planted]] = field(default_factory=list)

    def truth(self) -> dict[str, Any]:
        """The group as `ground_truth.json` lists it: items as posted, tweet ids per item in member order."""
        head = {"campaign": self.campaign, "by": self.by}
        userids = [a.userid for a in self.accounts]
        tail = {"items": self.items, "tweetids": [[r.tweetid for r in posts] for posts in self.posts]}
        if not self.coordinated:
            return {**head, "userids": userids, **tail}
        # `_open_days` keeps planted posts after the first snowflake ids, so their ids carry the time.
        screen_names = [a.screen_name for a in self.accounts]
        return {
            **head,
            "time": "snowflake",
            "userids": userids,
            "screen_names": screen_names,
            "repeats": len(self.items),
            **tail,
        }


def _open_days(camp: _Campaign, accounts: Sequence[_Account], span_days: int) -> list[int]:
    """Days on which every one of `accounts` exists and `span_days` of the campaign's activity follow, weighted by
    the campaign's volume; none before the first snowflake ids, so planted posts' ids carry their time."""
    first = _day_index(FIRST_SNOWFLAKE_DAY)
    last = _day_index(date.fromisoformat(camp.spec.activity[-1][0])) - span_days
    tickets = camp.day_tickets(max(a.created for a in accounts))
    return [d for d in tickets if first <= d <= last] or [last]


class _CoordinationPlan:
    """Per campaign, one coordinated group per kind (`corpus.CampaignCoordination.items`) and background sharing.

    Group members and background accounts are accounts of their own (`_Campaign.add_accounts`) that post only what
    is planted here, and every item is found nowhere else in the release (`data/coordination.json`), so each pair
    of a group's members co-acts once per item and nobody co-acts with anyone else over these posts.
    """

    def __init__(self, campaigns: dict[str, _Campaign], seed: int, used_ids: set[int]) -> None:
        self.rows: list[_Planted] = []
        self.groups: list[_Group] = []
        self.background: list[_Group] = []
        for data in corpus.COORDINATION:
            camp = campaigns[data.campaign]
            planter = _CoordinationPlanter(camp, random.Random(f"{seed}:{camp.spec.key}:coordination"))
            for by, items in data.items().items():
                members = camp.add_accounts(planter.rng.randint(*GROUP_SIZES), used_ids)
                self.groups.append(planter.group(by, items, members))
            self.background += planter.background(data, camp.add_accounts(BACKGROUND_ACCOUNTS, used_ids))
            self.rows += planter.rows

    def truth(self) -> dict[str, Any]:
        return {
            "max_gap_seconds": COORDINATION_GAP_MS // 1000,
            "background_min_gap_seconds": BACKGROUND_MIN_GAP_SECONDS,
            "groups": [g.truth() for g in self.groups],
            "background": [g.truth() for g in self.background],
        }


class _CoordinationPlanter:
    """Plants one campaign's coordination; its random texts are kept distinct from each other."""

    def __init__(self, camp: _Campaign, rng: random.Random) -> None:
        self.camp = camp
        self.rng = rng
        self.minutes = camp.minute_tickets(rng)
        self.seen: set[str] = set()
        self.rows: list[_Planted] = []

    def group(self, by: str, items: Sequence[corpus.CoordinatedItem], members: list[_Account]) -> _Group:
        """Every member posts every item once, all within `COORDINATION_GAP_MS` of the item's first post."""
        rng = self.rng
        days = _open_days(self.camp, members, 0)
        group = _Group(self.camp.spec.key, by, members, coordinated=True)
        for item, day in zip(items, sorted(rng.choice(days) for _ in items), strict=True):
            when = self._minute(day)
            start = rng.randrange(_LATEST_START_MS)
            offsets = [start, *(start + rng.randint(0, _COORDINATION_SPREAD_MS) for _ in members[1:])]
            rng.shuffle(offsets)  # a different member is first each time
            retweeted = self._retweeted(item, when, start) if by == "retweet" else None
            posts = [
                self._post(by, item, k, acc, when, ms, retweeted)
                for k, (acc, ms) in enumerate(zip(members, offsets, strict=True))
            ]
            if retweeted is not None:
                group.items.append(retweeted[2])
            else:
                group.items.append(list(item.values) if by == "hashtags" else item.values[0])
            group.posts.append(posts)
        return group

    def _post(
        self,
        by: str,
        item: corpus.CoordinatedItem,
        k: int,
        acc: _Account,
        when: datetime,
        ms: int,
        retweeted: tuple[str, str, str] | None,
    ) -> _Planted:
        """Member `k`'s post of `item`. URL and hashtag posts say something of their own around the shared item:
        their texts must not coincide, or the group would co-act by text too."""
        lang = corpus.LANGUAGES[item.language]
        row = _Planted(self.camp.spec.key, acc, item.language, "", when, "coordinated", by, ms_in_minute=ms)
        if by == "text":
            row.text = item.values[k % len(item.values)]
        elif retweeted is not None:
            screen, userid, tweetid = retweeted
            row.text = f"RT @{screen}: {item.values[0]}"
            row.retweet_userid, row.retweet_tweetid, row.mentions = userid, tweetid, [userid]
        elif by == "url":
            row.text = f"{self._fresh_sentence(lang)} {_tco(self.rng)}"
            row.urls = [item.values[0]]
        else:
            row.text = self._fresh_sentence(lang) + "".join(" #" + tag for tag in item.values)
            row.hashtags = list(item.values)
        self.rows.append(row)
        return row

    def _retweeted(self, item: corpus.CoordinatedItem, when: datetime, start: int) -> tuple[str, str, str]:
        """The tweet a group retweets: an outside source's (screen name, user id, tweet id), from a minute to six
        hours before the first retweet. It is not in the release, like most retweeted tweets. The source's name has
        at most 15 characters, as Twitter's do, so readers take it from the `RT @name:` (some sources' are longer)."""
        sources = corpus.LANGUAGES[item.language].sources
        screen = self.rng.choice([name for name in sources if len(name) <= 15] or sources)
        ms = _epoch_ms(when) + start - self.rng.randint(60_000, 6 * 3_600_000)
        return screen, _source_userid(screen), str(_snowflake(ms, self.rng.getrandbits(22)))

    def background(self, data: corpus.CampaignCoordination, accounts: list[_Account]) -> list[_Group]:
        """Each account shares each background link `BACKGROUND_SHARES` times and two of them post the same text,
        one post every few hours: popular items, shared by the same accounts again and again, yet never together."""
        rng = self.rng
        key = self.camp.spec.key
        urls = data.background_urls
        links = _Group(key, "url", accounts, False, [u.values[0] for u in urls], [[] for _ in urls])
        talkers = rng.sample(accounts, 2)
        chat = _Group(key, "text", talkers, False, [data.background_text.values[0]], [[]])
        order = [(links, i, acc) for i in range(len(urls)) for acc in accounts] * BACKGROUND_SHARES
        order += [(chat, 0, acc) for acc in talkers]
        rng.shuffle(order)
        span_days = len(order) * BACKGROUND_GAP_MINUTES[1] // 1440 + 1
        when = self._minute(rng.choice(_open_days(self.camp, accounts, span_days)))
        for group, i, acc in order:
            item = urls[i] if group is links else data.background_text
            row = _Planted(key, acc, item.language, item.values[0], when, "background", group.by)
            if group is links:
                row.text = f"{self._fresh_sentence(corpus.LANGUAGES[item.language])} {_tco(rng)}"
                row.urls = [item.values[0]]
            group.posts[i].append(row)
            self.rows.append(row)
            when += timedelta(minutes=rng.randint(*BACKGROUND_GAP_MINUTES))
        return [links, chat]

    def _minute(self, day: int) -> datetime:
        d = _calendar().days[day]
        minute = self.rng.choice(self.minutes)
        return datetime(d.year, d.month, d.day, minute // 60, minute % 60)

    def _fresh_sentence(self, lang: corpus.Language) -> str:
        """A random sentence no other post planted here has, even ignoring case, punctuation, emoji and spacing."""
        while True:
            text = _sentence(lang, self.rng).strip()
            letters = corpus.text_letters(text)
            if letters not in self.seen:
                self.seen.add(letters)
                return text


# --------------------------------------------------------------------------------------------------------------
# Output files.


def _open_sink(stack: ExitStack, out_dir: Path, csv_name: str, compress: Compress) -> tuple[BinaryIO, Path]:
    """A binary stream for one CSV; compressed containers get fixed timestamps so output is reproducible."""
    if compress == "none":
        path = out_dir / csv_name
        return _open_raw(stack, path), path
    if compress == "gz":
        path = out_dir / (csv_name + ".gz")
        raw = _open_raw(stack, path)
        # Level 1: the generator is a benchmark input, and level 6 would halve its speed for 20% smaller files.
        gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=1)
        return stack.enter_context(gz), path
    if compress == "zip":
        path = out_dir / (csv_name.removesuffix(".csv") + ".zip")
        zf = stack.enter_context(zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED))
        info = zipfile.ZipInfo(csv_name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return stack.enter_context(zf.open(info, "w", force_zip64=True)), path
    raise ValueError(f"compress must be none, gz or zip, not {compress!r}")


def _open_raw(stack: ExitStack, path: Path) -> BinaryIO:
    return stack.enter_context(open(path, "wb", buffering=1 << 20))


def _encode(text: str) -> bytes:
    # surrogateescape turns the lone surrogates of planted bad-UTF-8 rows back into raw bytes.
    return text.encode("utf-8", "surrogateescape")


class _Release:
    """One run of the generator: campaigns, plan, writers and the ground truth they fill in."""

    def __init__(
        self,
        out_dir: Path,
        tweets: int,
        seed: int,
        malformed: int,
        compress: Compress,
        split_rows: int | None,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.out_dir = out_dir
        self.tweets = tweets
        self.seed = seed
        self.malformed = malformed
        self.compress = compress
        self.split_rows = split_rows
        self.on_progress = on_progress
        self.written = 0
        self.legacy = _LegacyIds()
        self.markers = corpus.planted_markers()
        counts = _campaign_rows(tweets, [c.share for c in campaign_specs()])
        used_ids: set[int] = set()
        self.campaigns: dict[str, _Campaign] = {}
        offset = 0
        for spec, n in zip(campaign_specs(), counts, strict=True):
            self.campaigns[spec.key] = _Campaign(spec, n, offset, seed, used_ids)
            offset += n
        self.plan = _Plan(self.campaigns, seed)
        self.coordination = _CoordinationPlan(self.campaigns, seed, used_ids)
        self.plan.rows += self.coordination.rows
        for row in self.plan.rows:
            self.campaigns[row.campaign].language_index(row.language)
        self.planted = self.plan.assign()
        for row in self.plan.rows:
            if row.retweet_of is not None:
                row.retweet_userid = row.retweet_of.account.userid
                row.retweet_tweetid = row.retweet_of.tweetid
        self.parts = self._parts()
        self.malformed_rows = self._plan_malformed()
        self.files: list[GeneratedFile] = []

    def _parts(self) -> list[_Part]:
        parts: list[_Part] = []
        for camp in self.campaigns.values():
            size = self.split_rows if self.split_rows and camp.rows > self.split_rows else camp.rows
            n_parts = math.ceil(camp.rows / size)
            for k in range(n_parts):
                name = camp.spec.tweets_csv if n_parts == 1 else camp.spec.tweets_csv.replace(".csv", f"_{k + 1}.csv")
                parts.append(_Part(camp, k, k * size, min(camp.rows, (k + 1) * size), name))
        return parts

    def _plan_malformed(self) -> list[_Malformed]:
        rng = random.Random(f"{self.seed}:malformed")
        planned: list[_Malformed] = []
        wanted: dict[int, list[_Malformed]] = {}
        for g in range(self.malformed * len(MALFORMED_KINDS)):
            kind = MALFORMED_KINDS[g % len(MALFORMED_KINDS)]
            part_no = (g + g // len(MALFORMED_KINDS)) % len(self.parts)
            bad = _Malformed(self.parts[part_no].campaign.spec.key, kind, "")
            planned.append(bad)
            wanted.setdefault(part_no, []).append(bad)
        for part_no, items in wanted.items():
            part = self.parts[part_no]
            if len(items) > part.end - part.start:
                raise UsageError(f"{part.csv_name}: too few rows for {len(items)} malformed rows")
            for pos, bad in zip(rng.sample(range(part.start, part.end), len(items)), items, strict=True):
                part.malformed_at.setdefault(pos, []).append(bad)
        for part in self.parts[: min(self.malformed, len(self.parts))]:
            part.truncated = _Malformed(part.campaign.spec.key, RejectReason.TRUNCATED_ROW, "")
            planned.append(part.truncated)
        # Row content is fixed here, in plan order, so it does not depend on write order.
        for g, bad in enumerate(planned):
            bad.text = self._malformed_row(self.campaigns[bad.campaign], bad, g, rng)
        return planned

    def _malformed_row(self, camp: _Campaign, bad: _Malformed, g: int, rng: random.Random) -> str:
        style = camp.style
        flat = [a for a in camp.ordinary if a.newlines == 0] or camp.ordinary
        acc = rng.choice(flat)
        lang = corpus.LANGUAGES[acc.language]
        text = _sentence(lang, rng).replace("\n", " ").replace('"', "'")
        counter = self.tweets + g
        day = _calendar().days[rng.choice(camp.day_tickets(acc.created))]
        when = datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60))
        ms = _epoch_ms(when) + _within_minute(counter, rng.getrandbits(12))
        bad.tweetid = str(_snowflake(ms, counter)) if ms > SNOWFLAKE_EPOCH_MS else self.legacy(ms).decode()
        values = {c: "" for c in style.columns}
        values.update(zip(USER_COLUMNS, _account_values(acc), strict=True))
        values.update(
            tweetid=bad.tweetid,
            tweet_language=acc.language,
            tweet_text=text,
            tweet_time=when.strftime("%Y-%m-%d %H:%M"),
            tweet_client_name=acc.clients[0],
            is_retweet=style.false,
            latitude=style.geo_missing,
            longitude=style.geo_missing,
            quote_count=style.count(0),
            reply_count=style.count(0),
            like_count=style.count(0),
            retweet_count=style.count(0),
            hashtags=style.list_value([]),
            urls=style.list_value([]),
            user_mentions=style.list_value([]),
        )
        ordered = [values[c] for c in style.columns]
        text_at = style.columns.index("tweet_text")
        kind = bad.kind
        if kind == RejectReason.WRONG_FIELD_COUNT:
            return style.row(ordered[:-2] if g % 2 == 0 else [*ordered, "", "extra"])
        if kind == RejectReason.BAD_DATE:
            ordered[style.columns.index("tweet_time")] = BAD_DATES[g % len(BAD_DATES)]
            return style.row(ordered)
        if kind == RejectReason.BAD_NUMBER:
            ordered[style.columns.index("follower_count")] = BAD_NUMBERS[g % len(BAD_NUMBERS)]
            return style.row(ordered)
        if kind == RejectReason.BAD_UTF8:
            cut = len(text) // 2
            junk = "\udcff\udcfe" if g % 2 == 0 else "\udcd0 "
            ordered[text_at] = text[:cut] + junk + text[cut:]
            return style.row(ordered)
        if kind == RejectReason.NUL_BYTE:
            cut = len(text) // 3
            ordered[text_at] = text[:cut] + "\x00" + text[cut:]
            return style.row(ordered)
        head = ",".join(style.field(v) for v in ordered[:text_at])
        if kind == RejectReason.RUNAWAY_QUOTE:
            return head + ',"' + text + "\n"
        if kind == RejectReason.TRUNCATED_ROW:
            return head + ',"' + text[: max(5, len(text) // 2)]
        raise AssertionError(kind)

    # ---------------------------------------------------------------------------------------------------------

    def run(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for camp in self.campaigns.values():
            self._write_users(camp)
            self._write_tweets(camp)
        if self.on_progress is not None:
            self.on_progress(self.written)

    def _write_users(self, camp: _Campaign) -> None:
        style = camp.style
        with ExitStack() as stack:
            sink, path = _open_sink(stack, self.out_dir, camp.spec.users_csv, self.compress)
            text = style.row(USER_COLUMNS) + "".join(a.chunk + "\n" for a in camp.accounts)
            sink.write(_encode(text))
        lines = 1 + len(camp.accounts) + sum(a.newlines for a in camp.accounts)
        self.files.append(
            GeneratedFile(path, camp.spec.key, "users", camp.spec.users_csv, len(camp.accounts), 0, lines)
        )

    def _write_tweets(self, camp: _Campaign) -> None:
        spec = camp.spec
        style = camp.style
        rng = camp.rng
        markers = self.markers
        # Who gets retweeted, replied to and mentioned: outside outlets plus the campaign's own public accounts.
        targets_by_lang: dict[str, list[tuple[str, str]]] = {}
        for code in camp.languages:
            lang = corpus.LANGUAGES.get(code) or corpus.LANGUAGES[camp.languages[0]]
            sources = [(name, _source_userid(name)) for name in lang.sources]
            own = [(a.public_screen_name, a.userid) for a in camp.ordinary if not a.hashed and a.language == code]
            targets_by_lang[code] = sources + own
        pools: list[_Pools | None] = []
        shares = dict(spec.languages)
        for code in camp.languages:
            # Extra languages only planted rows use get no pool; 'und' is one slot in 32 of each account.
            share = shares.get(code, 1 / 32 if code == "und" else 0.0)
            size = _pow2(max(64, min(4096, int(camp.rows * share / 32))))
            pools.append(_build_pools(camp, code, size, targets_by_lang[code], markers) if share else None)
        context = _HotContext.build(camp, pools, rng, self.legacy)
        for part in (p for p in self.parts if p.campaign is camp):
            with ExitStack() as stack:
                sink, path = _open_sink(stack, self.out_dir, part.csv_name, self.compress)
                sink.write(_encode(style.row(style.columns)))
                line, malformed = self._write_part(camp, part, context, sink, path)
                if part.truncated is not None:
                    bad = part.truncated
                    bad.file, bad.member, bad.line = path.name, part.csv_name, line
                    sink.write(_encode(bad.text))
                    malformed += 1
                    line += 1
                    self.written += 1
            self.files.append(
                GeneratedFile(path, spec.key, "tweets", part.csv_name, part.end - part.start, malformed, line - 1)
            )

    def _write_part(
        self, camp: _Campaign, part: _Part, ctx: _HotContext, sink: BinaryIO, path: Path
    ) -> tuple[int, int]:
        """Write rows [part.start, part.end); returns (next line number, malformed rows written)."""
        planted = self.planted[camp.spec.key]
        events = sorted({*(p for p in planted if part.start <= p < part.end), *part.malformed_at})
        events.append(-1)
        line = 2
        n_malformed = 0
        k = 0
        for chunk_start in range(part.start, part.end, BATCH_ROWS):
            chunk_end = min(part.end, chunk_start + BATCH_ROWS)
            out: list[bytes] = []
            n_out = chunk_end - chunk_start
            i = chunk_start
            while i < chunk_end:
                nxt = events[k]
                hit = i <= nxt < chunk_end
                stop = nxt if hit else chunk_end
                line = ctx.rows(i, stop, out, line)
                i = stop
                if hit:
                    for bad in part.malformed_at.get(i, ()):
                        bad.file, bad.member, bad.line = path.name, part.csv_name, line
                        out.append(_encode(bad.text))
                        line += bad.text.count("\n")
                        n_malformed += 1
                        n_out += 1
                    row = planted.get(i)
                    if row is None:
                        line = ctx.rows(i, i + 1, out, line)
                    else:
                        row.file, row.member, row.line = path.name, part.csv_name, line
                        text = self._planted_row(camp, row)
                        out.append(_encode(text))
                        line += text.count("\n")
                    i += 1
                    k += 1
            sink.write(b"".join(out))
            self.written += n_out
            if self.on_progress is not None:
                self.on_progress(self.written)
        return line, n_malformed

    def _planted_row(self, camp: _Campaign, row: _Planted) -> str:
        style = camp.style
        acc = row.account
        is_rt = bool(row.retweet_tweetid)
        values = dict(zip(USER_COLUMNS, _account_values(acc), strict=True))
        values.update(
            tweetid=row.tweetid,
            tweet_language=row.language,
            tweet_text=row.text,
            tweet_time=row.when.strftime("%Y-%m-%d %H:%M"),
            tweet_client_name=acc.clients[0],
            in_reply_to_tweetid="",
            in_reply_to_userid="",
            quoted_tweet_tweetid="",
            is_retweet=style.boolean(is_rt),
            retweet_userid=row.retweet_userid,
            retweet_tweetid=row.retweet_tweetid,
            latitude=style.geo_missing,
            longitude=style.geo_missing,
            quote_count=style.count(0),
            reply_count=style.count(0),
            like_count=style.count(0 if is_rt else 3),
            retweet_count=style.count(0),
            hashtags=style.list_value(row.hashtags),
            urls=style.list_value(row.urls),
            user_mentions=style.list_value(row.mentions),
            poll_choices="",
        )
        li = camp.language_index(row.language)
        while len(camp.lang_counts) <= li:
            camp.lang_counts.append(0)
        camp.lang_counts[li] += 1
        camp.acc_counts[acc.index] += 1
        camp.day_counts[_day_index(row.when.date())] += 1
        camp.kind_counts[KIND_RETWEET if is_rt else KIND_ORIGINAL] += 1
        return style.row([values[c] for c in style.columns])

    # ---------------------------------------------------------------------------------------------------------

    def ground_truth(self) -> dict[str, Any]:
        cal = _calendar()

        def copy(row: _Planted) -> dict[str, Any]:
            return {
                "tweetid": row.tweetid,
                "userid": row.account.userid,
                "campaign": row.campaign,
                "kind": row.kind,
                "language": row.language,
                "text": row.text,
                "tweet_time": row.when.strftime("%Y-%m-%d %H:%M"),
                "file": row.file,
                "member": row.member,
                "line": row.line,
            }

        quotes = []
        for quote, rows in self.plan.quotes:
            earliest = min(rows, key=lambda r: r.when)
            kinds = {k: sum(1 for r in rows if r.kind == k) for k in ("exact", "retweet", "truncated", "near")}
            quotes.append(
                {
                    "key": quote.key,
                    "text": quote.text,
                    "language": quote.language,
                    "marker": quote.marker,
                    "count": len(rows),
                    "counts": kinds,
                    "campaigns": sorted({r.campaign for r in rows}, key=[c.key for c in campaign_specs()].index),
                    "accounts": sorted({r.account.userid for r in rows}),
                    "earliest": {k: copy(earliest)[k] for k in ("tweetid", "userid", "campaign", "tweet_time")},
                    "copies": [copy(r) for r in sorted(rows, key=lambda r: r.when)],
                }
            )
        urls = []
        for url, rows in self.plan.urls:
            per_account: dict[str, int] = {}
            for r in rows:
                per_account[r.account.userid] = per_account.get(r.account.userid, 0) + 1
            urls.append(
                {
                    "url": url.url,
                    "count": len(rows),
                    "campaigns": dict(url.per_campaign),
                    "tweetids": [r.tweetid for r in rows],
                    "accounts": [{"userid": u, "count": n} for u, n in per_account.items()],
                    "tweets": [copy(r) for r in rows],
                }
            )
        hashtags = [
            {
                "tag": tag.tag,
                "count": len(rows),
                "campaigns": dict(tag.per_campaign),
                "tweetids": [r.tweetid for r in rows],
            }
            for tag, rows in self.plan.hashtags
        ]
        campaigns: dict[str, Any] = {}
        languages: dict[str, int] = {}
        for key, camp in self.campaigns.items():
            langs = {code: n for code, n in zip(camp.languages, camp.lang_counts, strict=False) if n}
            for code, n in langs.items():
                languages[code] = languages.get(code, 0) + n
            years: dict[str, int] = {}
            for d, n in enumerate(camp.day_counts):
                if n:
                    y = str(cal.days[d].year)
                    years[y] = years.get(y, 0) + n
            top = sorted(range(len(camp.accounts)), key=lambda i: (-camp.acc_counts[i], i))[:10]
            campaigns[key] = {
                "style": camp.style.name,
                "tweets": camp.rows,
                "users": len(camp.accounts),
                "hashed_users": sum(a.hashed for a in camp.accounts),
                "kinds": dict(zip(KIND_NAMES, camp.kind_counts, strict=True)),
                "geo": camp.geo_count,
                "languages": dict(sorted(langs.items())),
                "years": dict(sorted(years.items())),
                "files": [f.path.name for f in self.files if f.campaign == key],
                "top_accounts": [{"userid": camp.accounts[i].userid, "tweets": camp.acc_counts[i]} for i in top],
            }
        return {
            "schema": 1,
            "generator": {
                "seed": self.seed,
                "tweets": self.tweets,
                "malformed": self.malformed,
                "compress": self.compress,
                "split_rows": self.split_rows,
            },
            "total_tweets": self.tweets,
            "well_formed_tweets": self.tweets,
            "total_users": sum(len(c.accounts) for c in self.campaigns.values()),
            "files": [
                {
                    "file": f.path.name,
                    "member": f.member,
                    "campaign": f.campaign,
                    "kind": f.kind,
                    "style": self.campaigns[f.campaign].style.name,
                    "rows": f.rows,
                    "malformed": f.malformed,
                    "lines": f.lines,
                }
                for f in self.files
            ],
            "campaigns": campaigns,
            "languages": dict(sorted(languages.items())),
            "quotes": quotes,
            "urls": urls,
            "hashtags": hashtags,
            "coordination": self.coordination.truth(),
            "malformed": [
                {
                    "file": b.file,
                    "member": b.member,
                    "line": b.line,
                    "kind": b.kind,
                    "tweetid": b.tweetid,
                    "campaign": b.campaign,
                }
                for b in sorted(self.malformed_rows, key=lambda b: (b.file, b.line))
            ],
        }


@dataclass(slots=True)
class _HotContext:
    """The hot loop's tables for one campaign, all as UTF-8 pieces.

    Rows are assembled from bytes, not str: mixing scripts (Cyrillic, emoji) widens every str to 2 or 4 bytes
    per character, which made building and encoding rows several times slower than the loop itself.
    """

    camp: _Campaign
    legacy: _LegacyIds
    getrandbits: Callable[[int], int]
    acc_tickets: list[int]
    acc_hot: list[tuple[list[tuple[int, bytes]], list[int], list[bytes], int]]
    minutes: list[int]
    kinds: list[int]
    delays: list[int]
    gc_orig: list[bytes]
    gc_rt: list[bytes]
    n_geo: int
    pools: list[_Pools | None]
    q: bytes
    day_q: list[bytes]
    hm_q: list[bytes]
    ids_none: bytes
    quote_pre: bytes
    quote_post: bytes

    @classmethod
    def build(cls, camp: _Campaign, pools: list[_Pools | None], rng: random.Random, legacy: _LegacyIds) -> _HotContext:
        style = camp.style
        f = style.field
        q = style.q
        cal = _calendar()
        n_accounts = len(camp.ordinary)
        weights = [1.0 / (r + 3) ** 1.05 for r in rng.sample(range(n_accounts), n_accounts)]
        acc_tickets = rng.choices(range(n_accounts), weights, k=65536)
        n_lang = len(camp.spec.languages)
        lang_fields = [f(code) for code in camp.languages]
        acc_hot = []
        for acc in camp.ordinary:
            own = camp.languages.index(acc.language)
            # 26 of 32 tweets in the account's own language, one 'und', the rest in the campaign's mix.
            mixed = [camp.languages.index(_weighted(rng, camp.spec.languages)) for _ in range(5)]
            slots = [own] * 26 + [n_lang] + mixed
            heads = {li: (li, ("," + acc.chunk + "," + lang_fields[li]).encode()) for li in sorted(set(slots))}
            clients = [("," + f(c)).encode() for c in acc.clients]
            acc_hot.append(([heads[li] for li in slots], camp.day_tickets(acc.created), clients, acc.newlines))
        kinds = rng.choices(range(len(KIND_NAMES)), camp.spec.kinds, k=1024)
        gc_orig, n_geo = _count_chunks(style, rng, camp.spec, retweets=False)
        gc_rt, _ = _count_chunks(style, rng, camp.spec, retweets=True)
        empty = f("")
        camp.lang_counts = [0] * len(camp.languages)
        return cls(
            camp=camp,
            legacy=legacy,
            getrandbits=rng.getrandbits,
            acc_tickets=acc_tickets,
            acc_hot=acc_hot,
            minutes=camp.minute_tickets(rng),
            kinds=kinds,
            delays=_earlier_delays(rng),
            gc_orig=[g.encode() for g in gc_orig],
            gc_rt=[g.encode() for g in gc_rt],
            n_geo=n_geo,
            pools=pools,
            q=q.encode(),
            day_q=[f",{q}{iso}".encode() for iso in cal.iso],
            hm_q=[f" {m // 60:02d}:{m % 60:02d}{q}".encode() for m in range(1440)],
            ids_none=("," + ",".join([empty, empty, empty, f(style.false), empty, empty])).encode(),
            quote_pre=f",{empty},{empty},".encode(),
            quote_post=f",{f(style.false)},{empty},{empty}".encode(),
        )

    def rows(self, start: int, end: int, out: list[bytes], line: int) -> int:
        """Append the pieces of random rows [start, end) to `out`; returns the line number after them.

        Everything here is an index into a precomputed table; each row is one `extend` of pieces.
        """
        camp = self.camp
        q = self.q
        c0 = camp.offset
        getrandbits = self.getrandbits
        acc_tickets = self.acc_tickets
        acc_hot = self.acc_hot
        minutes = self.minutes
        kinds = self.kinds
        delays = self.delays
        gc_orig = self.gc_orig
        gc_rt = self.gc_rt
        n_geo = self.n_geo
        pools = self.pools
        day_q = self.day_q
        hm_q = self.hm_q
        ids_none = self.ids_none
        quote_pre = self.quote_pre
        quote_post = self.quote_post
        day_ms = _calendar().day_ms
        legacy = self.legacy
        lang_counts = camp.lang_counts
        acc_counts = camp.acc_counts
        day_counts = camp.day_counts
        kind_counts = camp.kind_counts
        geo = 0
        epoch = SNOWFLAKE_EPOCH_MS
        ext = out.extend
        quoted = (b',"', b'"')
        bare = (b",", b"")
        nl_b = b"\n"
        # fmt: off
        # (one row = one tuple of pieces; keeping each on a few lines shows the column order at a glance)
        for i in range(start, end):
            r = getrandbits(64)
            r2 = getrandbits(64)
            ai = acc_tickets[r & 0xFFFF]
            heads, days, clients, acc_nl = acc_hot[ai]
            li, head = heads[(r >> 16) & 31]
            d = days[(r >> 21) & 4095]
            mi = minutes[(r >> 33) & 4095]
            kind = kinds[(r >> 45) & 1023]
            c = c0 + i
            ms = day_ms[d] + mi * 60_000 + ((c >> 22) & 63) + ((r2 >> 53) % 937) * 64
            tid = b"%d" % (((ms - epoch) << 22) | (c & 0x3FFFFF)) if ms > epoch else legacy(ms)
            pool = pools[li]
            client = clients[(r2 >> 40) & 7]
            if kind == 1:
                it = pool[4][r2 & pool[5]]
                ems = ms - delays[(r2 >> 43) & 1023]
                ref = b"%d" % (((ems - epoch) << 22) | ((r >> 42) & 0x3FFFFF)) if ems > epoch else legacy.ref(ems, r)
                ext((q, tid, q, head, it[0], day_q[d], hm_q[mi], client, it[3], q, ref, q,
                     gc_rt[(r2 >> 28) & 4095], it[2], nl_b))
                line += 1 + acc_nl + it[1]
            else:
                gi = (r2 >> 28) & 4095
                if gi < n_geo:
                    geo += 1
                if kind == 0:
                    it = pool[0][r2 & pool[1]]
                    tl = pool[2][(r2 >> 14) & pool[3]]
                    o, cl = quoted if it[1] or tl[1] else bare
                    ext((q, tid, q, head, o, it[0], tl[0], cl, day_q[d], hm_q[mi], client, ids_none,
                         gc_orig[gi], tl[3], it[3], nl_b))
                    line += 1 + acc_nl + it[2] + tl[2]
                elif kind == 2:
                    it = pool[6][r2 & pool[7]]
                    tl = pool[2][(r2 >> 14) & pool[3]]
                    o, cl = quoted if it[1] or tl[1] else bare
                    ems = ms - delays[(r2 >> 43) & 1023]
                    ref = (b"%d" % (((ems - epoch) << 22) | ((r >> 42) & 0x3FFFFF)) if ems > epoch
                           else legacy.ref(ems, r))
                    ext((q, tid, q, head, o, it[0], tl[0], cl, day_q[d], hm_q[mi], client, it[4], q, ref, q, it[5],
                         gc_orig[gi], tl[3], it[3], nl_b))
                    line += 1 + acc_nl + it[2] + tl[2]
                elif kind == 3:
                    it = pool[8][r2 & pool[9]]
                    ems = ms - delays[(r2 >> 43) & 1023]
                    ref = (b"%d" % (((ems - epoch) << 22) | ((r >> 42) & 0x3FFFFF)) if ems > epoch
                           else legacy.ref(ems, r))
                    ext((q, tid, q, head, it[0], day_q[d], hm_q[mi], client, quote_pre, q, ref, q, quote_post,
                         gc_orig[gi], it[2], ref, it[3], nl_b))
                    line += 1 + acc_nl + it[1]
                else:
                    it = pool[10][r2 & pool[11]]
                    ext((q, tid, q, head, it[0], day_q[d], hm_q[mi], client, ids_none, gc_orig[gi], it[2], nl_b))
                    line += 1 + acc_nl + it[1]
            lang_counts[li] += 1
            acc_counts[ai] += 1
            day_counts[d] += 1
            kind_counts[kind] += 1
        # fmt: on
        camp.geo_count += geo
        return line


def _campaign_rows(total: int, shares: Sequence[float]) -> list[int]:
    """Rows per campaign: `total` split by `shares`, except that a campaign gets at least `MIN_CAMPAIGN_ROWS`
    (taken from the largest), room for its planted rows among random ones in the smallest releases."""
    counts = _apportion(total, shares)
    for i, n in enumerate(counts):
        short = MIN_CAMPAIGN_ROWS - n
        if short > 0:
            counts[counts.index(max(counts))] -= short
            counts[i] += short
    return counts


def _apportion(total: int, shares: Sequence[float]) -> list[int]:
    """Split `total` by `shares` exactly (largest remainder), so campaign counts always add up."""
    raw = [total * s / sum(shares) for s in shares]
    counts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


# --------------------------------------------------------------------------------------------------------------


def generate_release(
    out_dir: Path,
    *,
    tweets: int = 100_000,
    seed: int = 0,
    malformed: int = 0,
    compress: Compress = "none",
    split_rows: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> GenerateSummary:
    """Write a synthetic release (three campaigns, tweets + users files each) and `ground_truth.json`.

    `tweets` well-formed tweet rows are split 80/15/5 between an IRA-like and an Iran-like 2018-style release
    and a Venezuela-like later-style one (each gets at least `MIN_CAMPAIGN_ROWS`, room for its planted rows).
    `malformed` rows of each kind are added on top (plus a truncated last line in up to `malformed` tweets
    files). `split_rows` caps rows per tweets file (`_1.csv`, `_2.csv`). The same arguments always give
    byte-identical files. `on_progress` gets the rows written so far, about every 10,000 rows.
    """
    if tweets < MIN_TWEETS:
        raise UsageError(f"tweets must be at least {MIN_TWEETS} (room for the planted rows)")
    if malformed < 0:
        raise UsageError("malformed must be >= 0")
    if split_rows is not None and split_rows < 1:
        raise UsageError("split_rows must be >= 1")
    if compress not in ("none", "gz", "zip"):
        raise UsageError(f"compress must be none, gz or zip, not {compress!r}")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    truth_path = out_dir / GROUND_TRUTH_FILE
    try:
        release = _Release(out_dir, tweets, seed, malformed, compress, split_rows, on_progress)
        release.run()
        truth = json.dumps(release.ground_truth(), ensure_ascii=False, indent=1) + "\n"
        truth_path.write_text(truth, encoding="utf-8")
    except OSError as exc:
        raise OutputFailed(f"cannot write the release to {out_dir}: {exc.strerror or exc}") from None
    return GenerateSummary(
        out_dir=out_dir,
        files=tuple(release.files),
        tweets=tweets,
        users=sum(len(c.accounts) for c in release.campaigns.values()),
        malformed_rows=len(release.malformed_rows),
        ground_truth=truth_path,
        seconds=time.perf_counter() - started,
    )
