"""The generator's vocabularies, templates, planted items and campaign shapes, read from `generator/data/`.

The data lives in files so it can grow (a language, a campaign, a planted quote) without touching code; this
module reads and checks it once, the first time the generator asks for it, so importing the package (and
`tweetsearch --help`) costs no file reads. The names below (`EMOJI`, `LANGUAGES`, `PLANTED_QUOTES`, ...) are
module attributes as before: the first access loads every file and binds them all, so later accesses are
plain attribute lookups in the generator's loops.

A data file that is not what the generator expects (a missing or unknown key, a wrong type, a placeholder a
template cannot fill, a planted item naming an unknown campaign) raises `CorpusDataError` naming the file and
the key, rather than failing later in the middle of a release or, worse, writing different rows.

The word lists deliberately mix inflected forms of the same few lemmas (vote/votes/voting/voted,
выборы/выборах/выборов, Wahl/Wahlen, élection/élections, انتخابات/انتخاباتی, ...) so that language analyzers
have something to stem. Planted items (quotes, URLs, hashtags) use words that appear nowhere in the random
vocabulary: every hit on them in a search is one of the planted tweets the ground truth lists, so tests can
compare exact counts. The coordinated groups (`data/coordination.json`) are planted the same way: their texts,
links and hashtags are found nowhere else in a release, so the accounts acting together on them are known.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from common.urls import normalise_url

# Placeholders each kind of template may use (see `Language`); anything else would fail at generation time.
SENTENCE_FIELDS = frozenset("SVOPXQE")
URL_FIELDS = frozenset({"code", "vid", "word", "word2", "y", "m", "d", "n", "slug"})
TRACKING_FIELDS = frozenset({"word", "code"})
BIO_FIELDS = frozenset({"city", "emoji"})
STYLE_NAMES = ("2018", "later")
# A coordinated group acts on at least this many items: the analysis reports a pair from two shared items on.
MIN_COORDINATED_ITEMS = 2


class CorpusDataError(ValueError):
    """A file under `generator/data/` does not hold what the generator needs; the message names file and key."""


@dataclass(frozen=True, slots=True)
class Language:
    """Everything needed to write tweets and profiles in one language (`data/lang-<code>.json`).

    Templates use `{S}` subject, `{V}` verb form, `{O}` object, `{P}` place, `{X}` interjection,
    `{Q}` a scare-quoted word (rendered inside straight double quotes, so CSV quoting gets exercised)
    and `{E}` an emoji. Names are (display, ascii) pairs so screen names stay ASCII like real ones.
    Bios may use `{city}` and `{emoji}`; URL patterns the fields of `URL_FIELDS`.
    """

    code: str
    templates: tuple[str, ...]
    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    places: tuple[str, ...]
    interjections: tuple[str, ...]
    scare_quotes: tuple[str, ...]
    hashtags: tuple[str, ...]
    polls: tuple[tuple[str, ...], ...]
    first_names: tuple[tuple[str, str], ...]
    last_names: tuple[tuple[str, str], ...]
    outlets: tuple[tuple[str, str], ...]
    locations: tuple[str, ...]
    bios: tuple[str, ...]
    sources: tuple[str, ...]
    url_patterns: tuple[str, ...]
    slugs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlantedQuote:
    """A distinctive sentence copied across accounts and campaigns.

    `near` are the near-copies (case, punctuation or one word differ). `marker` is a substring found in
    every copy (exact, retweet, truncated and near) and in no random tweet.
    """

    key: str
    language: str
    text: str
    campaigns: tuple[str, ...]
    near: tuple[str, ...]
    marker: str
    first_time: str


@dataclass(frozen=True, slots=True)
class PlantedUrl:
    """A distinctive expanded URL shared by a few known accounts; `per_campaign` is tweets per campaign."""

    url: str
    language: str
    per_campaign: tuple[tuple[str, int], ...]
    accounts_per_campaign: int
    first_time: str


@dataclass(frozen=True, slots=True)
class PlantedHashtag:
    """A hashtag (without `#`) used only by planted tweets; `per_campaign` gives the exact counts."""

    tag: str
    language: str
    per_campaign: tuple[tuple[str, int], ...]
    first_time: str


@dataclass(frozen=True, slots=True)
class CoordinatedItem:
    """One thing accounts post: a text, a retweeted text, a URL or a set of hashtags, in `language`.

    `values` are a text's spellings (the k-th poster writes `values[k % len(values)]`, so a group may differ in
    case and punctuation only), a retweeted text or a URL alone, or a hashtag set's tags.
    """

    language: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CampaignCoordination:
    """What one campaign's planted coordination is made of (`data/coordination.json`).

    One group of accounts acts together on each kind's items: the same `texts`, retweets of the same tweet (of
    `retweets`' texts), the same `urls`, the same `hashtags` sets, each posted by every member within seconds.
    `background_urls` and `background_text` are shared too, but hours apart: sharing that is not coordination.
    """

    campaign: str
    texts: tuple[CoordinatedItem, ...]
    retweets: tuple[CoordinatedItem, ...]
    urls: tuple[CoordinatedItem, ...]
    hashtags: tuple[CoordinatedItem, ...]
    background_urls: tuple[CoordinatedItem, ...]
    background_text: CoordinatedItem

    def items(self) -> dict[str, tuple[CoordinatedItem, ...]]:
        """The items of each kind a group acts on, by the analysis' name for the kind."""
        return {"text": self.texts, "retweet": self.retweets, "url": self.urls, "hashtags": self.hashtags}


@dataclass(frozen=True, slots=True)
class CampaignShape:
    """One release's shape as `data/campaigns.json` gives it; `generator.release` resolves `style` by name.

    `activity` are (date, level) knots of a piecewise-linear daily volume; `bursts` are (date, width in days,
    relative height) bumps around real events; `kinds` weights original, retweet, reply, quote, poll. Numbers
    keep the type the file gives (4 stays an int, 4.0 a float), so the random draws stay the same.
    """

    key: str
    style: str
    share: float
    real_accounts: int
    languages: tuple[tuple[str, float], ...]
    activity: tuple[tuple[str, float], ...]
    bursts: tuple[tuple[str, float, float], ...]
    created_years: tuple[tuple[int, float], ...]
    utc_offset_hours: float
    kinds: tuple[float, float, float, float, float]
    clients: tuple[tuple[str, float], ...]
    geo: tuple[tuple[float, float], ...]

    @property
    def tweets_csv(self) -> str:
        return f"{self.key}_tweets_csv_hashed.csv"

    @property
    def users_csv(self) -> str:
        return f"{self.key}_users_csv_hashed.csv"


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything under `generator/data/`, checked."""

    emoji: tuple[str, ...]
    und_texts: tuple[str, ...]
    shortener_patterns: tuple[str, ...]
    video_patterns: tuple[str, ...]
    blog_patterns: tuple[str, ...]
    tracking_suffixes: tuple[str, ...]
    url_words: tuple[str, ...]
    languages: dict[str, Language]
    planted_quotes: tuple[PlantedQuote, ...]
    planted_urls: tuple[PlantedUrl, ...]
    planted_hashtags: tuple[PlantedHashtag, ...]
    coordination: tuple[CampaignCoordination, ...]
    campaigns: tuple[CampaignShape, ...]
    activity_by_local_hour: tuple[float, ...]
    userid_growth: tuple[tuple[date, float], ...]


# --------------------------------------------------------------------------------------------------------------
# Checked reading: every value is tested for the type the generator relies on, with the file and key in the
# message.


class _Checker:
    """Reads one JSON object, failing with `<file>: <key path>: expected ..., found ...`."""

    def __init__(self, file: str, where: str, obj: object) -> None:
        self.file = file
        self.where = where
        if not isinstance(obj, dict):
            self.fail(where, "an object", obj)
        self.obj: dict[str, Any] = obj
        self.used: set[str] = set()

    def fail(self, where: str, expected: str, found: object) -> None:
        shown = json.dumps(found, ensure_ascii=False)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise CorpusDataError(f"{self.file}: {where}: expected {expected}, found {shown}")

    def _get(self, key: str) -> tuple[str, Any]:
        where = f"{self.where}.{key}" if self.where else key
        if key not in self.obj:
            raise CorpusDataError(f"{self.file}: {where}: missing")
        self.used.add(key)
        return where, self.obj[key]

    def has(self, key: str) -> bool:
        return key in self.obj

    def text(self, key: str, fields: frozenset[str] | None = None) -> str:
        where, value = self._get(key)
        return self._text(where, value, fields)

    def _text(self, where: str, value: object, fields: frozenset[str] | None = None) -> str:
        if not isinstance(value, str):
            self.fail(where, "a string", value)
        if fields is not None:
            try:
                used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
            except ValueError as exc:
                raise CorpusDataError(f"{self.file}: {where}: not a valid template ({exc}): {value!r}") from None
            unknown = used - fields
            if unknown:
                allowed = ", ".join("{" + f + "}" for f in sorted(fields)) or "none"
                raise CorpusDataError(
                    f"{self.file}: {where}: unknown placeholder {{{sorted(unknown)[0]}}} in {value!r} "
                    f"(allowed: {allowed})"
                )
        return value

    def number(self, key: str) -> float:
        where, value = self._get(key)
        return self._number(where, value)

    def _number(self, where: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, "a number", value)
        return value  # type: ignore[return-value]

    def integer(self, key: str) -> int:
        where, value = self._get(key)
        return self._integer(where, value)

    def _list(self, key: str, nonempty: bool = True) -> tuple[str, list[Any]]:
        where, value = self._get(key)
        if not isinstance(value, list):
            self.fail(where, "a list", value)
        if nonempty and not value:
            self.fail(where, "a non-empty list (the generator picks from it)", value)
        return where, value

    def texts(self, key: str, fields: frozenset[str] | None = None, nonempty: bool = True) -> tuple[str, ...]:
        where, value = self._list(key, nonempty)
        return tuple(self._text(f"{where}[{i}]", v, fields) for i, v in enumerate(value))

    def numbers(self, key: str, length: int | None = None) -> tuple[float, ...]:
        where, value = self._list(key)
        if length is not None and len(value) != length:
            self.fail(where, f"a list of {length} numbers", value)
        return tuple(self._number(f"{where}[{i}]", v) for i, v in enumerate(value))

    def rows(self, key: str, *cells: Callable[[str, object], Any], exact: bool = True) -> tuple[tuple[Any, ...], ...]:
        """A list of fixed-length lists, each cell read by one of `cells` (`exact=False`: at least that many)."""
        where, value = self._list(key)
        out = []
        for i, row in enumerate(value):
            at = f"{where}[{i}]"
            if not isinstance(row, list) or (len(row) != len(cells) if exact else len(row) < len(cells)):
                self.fail(at, f"a list of {len(cells)}{'' if exact else ' or more'} values", row)
            read = cells if exact else (cells[0],) * len(row)
            out.append(tuple(cell(f"{at}[{j}]", v) for j, (cell, v) in enumerate(zip(read, row, strict=True))))
        return tuple(out)

    def day(self, where: str, value: object) -> str:
        self._text(where, value)
        try:
            date.fromisoformat(value)  # type: ignore[arg-type]
        except ValueError:
            self.fail(where, "a date YYYY-MM-DD", value)
        return value  # type: ignore[return-value]

    def minute(self, key: str) -> str:
        where, value = self._get(key)
        self._text(where, value)
        try:
            datetime.strptime(value, "%Y-%m-%d %H:%M")
        except ValueError:
            self.fail(where, "a time YYYY-MM-DD HH:MM", value)
        return value

    def _integer(self, where: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, "an integer", value)
        return value  # type: ignore[return-value]

    def done(self) -> None:
        """Unknown keys are refused: a misspelt key would otherwise be ignored while its default is used."""
        extra = sorted(set(self.obj) - self.used)
        if extra:
            where = f"{self.where}.{extra[0]}" if self.where else extra[0]
            raise CorpusDataError(f"{self.file}: {where}: unknown key")


def _read_json(root: Traversable, name: str) -> Any:
    try:
        text = root.joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusDataError(f"{name}: missing from the generator's data folder {root}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorpusDataError(f"{name}: not valid JSON: {exc}") from None


def _language(root: Traversable, name: str, code: str) -> Language:
    c = _Checker(name, "", _read_json(root, name))
    found = c.text("code")
    if found != code:
        raise CorpusDataError(f"{name}: code: {found!r} does not match the file name (lang-{code}.json)")
    lang = Language(
        code=found,
        templates=c.texts("templates", SENTENCE_FIELDS),
        subjects=c.texts("subjects"),
        verbs=c.texts("verbs"),
        objects=c.texts("objects"),
        places=c.texts("places"),
        interjections=c.texts("interjections"),
        scare_quotes=c.texts("scare_quotes"),
        hashtags=c.texts("hashtags"),
        polls=c.rows("polls", c._text, c._text, exact=False),
        first_names=c.rows("first_names", c._text, c._text),
        last_names=c.rows("last_names", c._text, c._text),
        outlets=c.rows("outlets", c._text, c._text),
        locations=c.texts("locations"),
        bios=c.texts("bios", BIO_FIELDS),
        sources=c.texts("sources"),
        url_patterns=c.texts("url_patterns", URL_FIELDS),
        slugs=c.texts("slugs", nonempty=False) if c.has("slugs") else (),
    )
    c.done()
    return lang


def _campaign(c: _Checker) -> CampaignShape:
    style = c.text("style")
    if style not in STYLE_NAMES:
        raise CorpusDataError(f"{c.file}: {c.where}.style: {style!r} is not one of {', '.join(STYLE_NAMES)}")
    kinds = c.numbers("kinds", length=5)
    shape = CampaignShape(
        key=c.text("key"),
        style=style,
        share=c.number("share"),
        real_accounts=c.integer("real_accounts"),
        languages=c.rows("languages", c._text, c._number),
        activity=c.rows("activity", c.day, c._number),
        bursts=c.rows("bursts", c.day, c._number, c._number),
        created_years=c.rows("created_years", c._integer, c._number),
        utc_offset_hours=c.number("utc_offset_hours"),
        kinds=(kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]),
        clients=c.rows("clients", c._text, c._number),
        geo=c.rows("geo", c._number, c._number),
    )
    c.done()
    return shape


def _userid_growth(root: Traversable, name: str) -> tuple[tuple[date, float], ...]:
    try:
        text = root.joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusDataError(f"{name}: missing from the generator's data folder {root}") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != ["date", "userid"]:
        raise CorpusDataError(f"{name}: line 1: expected the header date,userid")
    knots: list[tuple[date, float]] = []
    for line, row in enumerate(rows[1:], start=2):
        try:
            day, userid = row
            knots.append((date.fromisoformat(day), float(int(userid))))
        except ValueError:
            raise CorpusDataError(f"{name}: line {line}: expected YYYY-MM-DD,<integer>, found {row!r}") from None
    if len(knots) < 2 or any(b[0] <= a[0] for a, b in itertools.pairwise(knots)):
        raise CorpusDataError(f"{name}: expected two or more rows in increasing date order")
    return tuple(knots)


def comparable_text(text: str) -> str:
    """A text as `tweetsearch coordination --by text` compares texts (the index's `coordination_text` normalizer):
    every run of characters that are not letters, digits or combining marks one space, lower case."""
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in text)
    return " ".join(kept.split()).lower()


def text_letters(text: str) -> str:
    """A text's letters, digits and combining marks, lower-cased: texts that any comparison ignoring case,
    punctuation and spacing takes for one text have the same letters, so distinct letters keep texts apart."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNM").lower()


def _coordinated_item(c: _Checker, where: str, row: object, languages: set[str]) -> CoordinatedItem:
    """`[language, value, ...]`, the language one of the campaign's own."""
    if not isinstance(row, list) or len(row) < 2:
        c.fail(where, "a list of a language and one or more values", row)
    texts = [c._text(f"{where}[{j}]", v) for j, v in enumerate(row)]  # type: ignore[arg-type]
    if texts[0] not in languages:
        raise CorpusDataError(f"{c.file}: {where}[0]: {texts[0]!r} is not a language of the campaign")
    return CoordinatedItem(texts[0], tuple(texts[1:]))


class _CoordinationReader:
    """Reads `coordination.json`, refusing an item that could be mistaken for another or for a planted one.

    Every item must be unique in the release for the ground truth to name exactly the accounts that share it,
    so texts (by their letters), URLs (normalised, either scheme) and hashtag sets are each used once in the file
    and never contain a planted quote's marker, URL or hashtag.
    """

    FILE = "coordination.json"

    def __init__(self, campaigns: tuple[CampaignShape, ...], markers: tuple[str, ...]) -> None:
        self.shapes = {c.key: c for c in campaigns}
        self.markers = markers
        self.seen: dict[tuple[str, object], str] = {}

    def read(self, root: Traversable) -> tuple[CampaignCoordination, ...]:
        top = _Checker(self.FILE, "", _read_json(root, self.FILE))
        where, items = top._list("campaigns")
        top.done()
        found = [self._campaign(_Checker(self.FILE, f"{where}[{i}]", obj)) for i, obj in enumerate(items)]
        keys = [f.campaign for f in found]
        for key in self.shapes:
            if keys.count(key) != 1:
                raise CorpusDataError(f"{self.FILE}: campaigns: {key!r} must be given once, found {keys.count(key)}")
        return tuple(found)

    def _campaign(self, c: _Checker) -> CampaignCoordination:
        key = c.text("campaign")
        if key not in self.shapes:
            raise CorpusDataError(f"{self.FILE}: {c.where}.campaign: {key!r} is not in campaigns.json")
        languages = {code for code, _ in self.shapes[key].languages}
        where, value = c._list("background_text")
        coordination = CampaignCoordination(
            campaign=key,
            texts=self._items(c, "texts", languages),
            retweets=self._items(c, "retweets", languages, single=True),
            urls=self._items(c, "urls", languages, single=True),
            hashtags=self._items(c, "hashtags", languages),
            background_urls=self._items(c, "background_urls", languages, single=True),
            background_text=self._check(c, where, "texts", _coordinated_item(c, where, value, languages), True),
        )
        c.done()
        return coordination

    def _items(self, c: _Checker, key: str, languages: set[str], single: bool = False) -> tuple[CoordinatedItem, ...]:
        where, rows = c._list(key)
        if len(rows) < MIN_COORDINATED_ITEMS:
            c.fail(where, f"{MIN_COORDINATED_ITEMS} or more items", rows)
        kind = "urls" if key.endswith("urls") else key
        return tuple(
            self._check(c, f"{where}[{i}]", kind, _coordinated_item(c, f"{where}[{i}]", row, languages), single)
            for i, row in enumerate(rows)
        )

    def _check(self, c: _Checker, where: str, kind: str, item: CoordinatedItem, single: bool) -> CoordinatedItem:
        if single and len(item.values) != 1:
            c.fail(where, "a language and one value", [item.language, *item.values])
        if kind == "texts" and len({comparable_text(v) for v in item.values}) != 1:
            raise CorpusDataError(f"{self.FILE}: {where}: spellings must differ in case and punctuation only")
        low = " ".join(item.values).lower()
        for marker in self.markers:
            if marker in low:
                raise CorpusDataError(f"{self.FILE}: {where}: holds the planted {marker!r}")
        identity: object
        if kind == "texts" or kind == "retweets":
            identity = text_letters(item.values[0])
        elif kind == "hashtags":
            identity = frozenset(v.lower() for v in item.values)
        else:
            url = item.values[0]
            identity = re.sub(r"^https?://", "", normalise_url(url) or url.lower())
        first = self.seen.setdefault((kind, identity), where)
        if first != where:
            raise CorpusDataError(f"{self.FILE}: {where}: the same as {first}; every item must be unique")
        return item


def load(root: Traversable | Path | None = None) -> Corpus:
    """Read and check every data file under `root` (the packaged `generator/data/` by default)."""
    root = resources.files("generator").joinpath("data") if root is None else root
    shared = _Checker("shared.json", "", _read_json(root, "shared.json"))
    emoji = shared.texts("emoji")
    und_texts = shared.texts("und_texts")
    shortener_patterns = shared.texts("shortener_patterns", URL_FIELDS)
    video_patterns = shared.texts("video_patterns", URL_FIELDS)
    blog_patterns = shared.texts("blog_patterns", URL_FIELDS)
    tracking_suffixes = shared.texts("tracking_suffixes", TRACKING_FIELDS)
    url_words = shared.texts("url_words")
    shared.done()

    names = sorted(p.name for p in root.iterdir() if p.name.startswith("lang-") and p.name.endswith(".json"))
    languages = {}
    for name in names:
        code = name.removeprefix("lang-").removesuffix(".json")
        languages[code] = _language(root, name, code)

    top = _Checker("campaigns.json", "", _read_json(root, "campaigns.json"))
    hours = top.numbers("activity_by_local_hour", length=24)
    where, raw_campaigns = top._list("campaigns")
    top.done()
    campaigns = tuple(_campaign(_Checker("campaigns.json", f"{where}[{i}]", c)) for i, c in enumerate(raw_campaigns))
    keys = [c.key for c in campaigns]
    for i, camp in enumerate(campaigns):
        if keys.count(camp.key) > 1:
            raise CorpusDataError(f"campaigns.json: campaigns[{i}].key: {camp.key!r} is used twice")
        for code, _ in camp.languages:
            if code not in languages:
                raise CorpusDataError(f"campaigns.json: campaigns[{i}].languages: no lang-{code}.json for {code!r}")

    planted = _Checker("planted.json", "", _read_json(root, "planted.json"))
    quotes, urls, hashtags = [], [], []
    where, items = planted._list("quotes")
    for i, obj in enumerate(items):
        c = _Checker("planted.json", f"{where}[{i}]", obj)
        quote = PlantedQuote(
            key=c.text("key"),
            language=c.text("language"),
            text=c.text("text"),
            campaigns=c.texts("campaigns"),
            near=c.texts("near"),
            marker=c.text("marker"),
            first_time=c.minute("first_time"),
        )
        c.done()
        for copy in (quote.text, *quote.near):
            if quote.marker.lower() not in copy.lower():
                raise CorpusDataError(f"planted.json: {where}[{i}].marker: {quote.marker!r} is not in {copy!r}")
        quotes.append((c, quote, quote.campaigns))
    where, items = planted._list("urls")
    for i, obj in enumerate(items):
        c = _Checker("planted.json", f"{where}[{i}]", obj)
        url = PlantedUrl(
            url=c.text("url"),
            language=c.text("language"),
            per_campaign=c.rows("per_campaign", c._text, c._integer),
            accounts_per_campaign=c.integer("accounts_per_campaign"),
            first_time=c.minute("first_time"),
        )
        c.done()
        urls.append((c, url, tuple(k for k, _ in url.per_campaign)))
    where, items = planted._list("hashtags")
    for i, obj in enumerate(items):
        c = _Checker("planted.json", f"{where}[{i}]", obj)
        tag = PlantedHashtag(
            tag=c.text("tag"),
            language=c.text("language"),
            per_campaign=c.rows("per_campaign", c._text, c._integer),
            first_time=c.minute("first_time"),
        )
        c.done()
        hashtags.append((c, tag, tuple(k for k, _ in tag.per_campaign)))
    planted.done()
    for c, item, used in (*quotes, *urls, *hashtags):
        if item.language not in languages:
            raise CorpusDataError(f"planted.json: {c.where}.language: no lang-{item.language}.json")
        for key in used:
            if key not in keys:
                raise CorpusDataError(f"planted.json: {c.where}: campaign {key!r} is not in campaigns.json")
    markers = _markers(tuple(q for _, q, _ in quotes), tuple(u for _, u, _ in urls), tuple(h for _, h, _ in hashtags))
    coordination = _CoordinationReader(campaigns, markers).read(root)

    return Corpus(
        emoji=emoji,
        und_texts=und_texts,
        shortener_patterns=shortener_patterns,
        video_patterns=video_patterns,
        blog_patterns=blog_patterns,
        tracking_suffixes=tracking_suffixes,
        url_words=url_words,
        languages=languages,
        planted_quotes=tuple(q for _, q, _ in quotes),
        planted_urls=tuple(u for _, u, _ in urls),
        planted_hashtags=tuple(h for _, h, _ in hashtags),
        coordination=coordination,
        campaigns=campaigns,
        activity_by_local_hour=hours,
        userid_growth=_userid_growth(root, "userid_growth.csv"),
    )


@cache
def packaged() -> Corpus:
    """The packaged data, read once per process."""
    return load()


# --------------------------------------------------------------------------------------------------------------
# Module attributes, bound on first access (PEP 562), so `corpus.EMOJI` reads like the constant it was.

EMOJI: tuple[str, ...]
UND_TEXTS: tuple[str, ...]
SHORTENER_PATTERNS: tuple[str, ...]
VIDEO_PATTERNS: tuple[str, ...]
BLOG_PATTERNS: tuple[str, ...]
TRACKING_SUFFIXES: tuple[str, ...]
URL_WORDS: tuple[str, ...]
LANGUAGES: dict[str, Language]
PLANTED_QUOTES: tuple[PlantedQuote, ...]
PLANTED_URLS: tuple[PlantedUrl, ...]
PLANTED_HASHTAGS: tuple[PlantedHashtag, ...]
COORDINATION: tuple[CampaignCoordination, ...]
CAMPAIGNS: tuple[CampaignShape, ...]
ACTIVITY_BY_LOCAL_HOUR: tuple[float, ...]
USERID_GROWTH: tuple[tuple[date, float], ...]

_ATTRIBUTES = {
    "EMOJI": "emoji",
    "UND_TEXTS": "und_texts",
    "SHORTENER_PATTERNS": "shortener_patterns",
    "VIDEO_PATTERNS": "video_patterns",
    "BLOG_PATTERNS": "blog_patterns",
    "TRACKING_SUFFIXES": "tracking_suffixes",
    "URL_WORDS": "url_words",
    "LANGUAGES": "languages",
    "PLANTED_QUOTES": "planted_quotes",
    "PLANTED_URLS": "planted_urls",
    "PLANTED_HASHTAGS": "planted_hashtags",
    "COORDINATION": "coordination",
    "CAMPAIGNS": "campaigns",
    "ACTIVITY_BY_LOCAL_HOUR": "activity_by_local_hour",
    "USERID_GROWTH": "userid_growth",
}


def __getattr__(name: str) -> Any:
    field_name = _ATTRIBUTES.get(name)
    if field_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    data = packaged()
    globals().update({attr: getattr(data, f) for attr, f in _ATTRIBUTES.items()})
    return getattr(data, field_name)


def planted_markers() -> tuple[str, ...]:
    """Lower-cased strings that only planted tweets may contain (used by tests and by a generation guard)."""
    data = packaged()
    return _markers(data.planted_quotes, data.planted_urls, data.planted_hashtags)


def _markers(
    quotes: tuple[PlantedQuote, ...], urls: tuple[PlantedUrl, ...], hashtags: tuple[PlantedHashtag, ...]
) -> tuple[str, ...]:
    markers: list[str] = [q.marker for q in quotes]
    markers += [u.url for u in urls]
    markers += [h.tag for h in hashtags]
    return tuple(m.lower() for m in markers)
