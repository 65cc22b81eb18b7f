"""Turning one archive row (column name → published string) into a typed `TweetRecord`.

Twitter published the same columns in two encodings, sometimes within one collection: the 2018 releases
(`true`, integer counts, `[a, b]` lists, numeric or 64-hex hashed ids) and later ones (`True`, `0.0` counts,
`['a', 'b']` Python-repr lists, `absent` coordinates, base64-like hashed ids). Everything here accepts both,
so the loader never needs to know which release a file came from. The functions are pure: a row that cannot
be typed raises `RowError` with a reject code, and the reader turns that into a `Reject` with the row's text.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from functools import lru_cache, partial
from operator import itemgetter
from typing import TypeVar

from common.records import ACCOUNT_COLUMNS, TWEET_COLUMNS, RejectReason, TweetRecord
from common.urls import analyse_url, tco_links

# Snowflake ids carry their creation time: milliseconds since Twitter's epoch, above 22 bits of worker and
# sequence. Ids below the first snowflake (November 2010) were sequential and carry no time.
TWITTER_EPOCH_MS = 1288834974657
FIRST_SNOWFLAKE_ID = 29_700_859_247

# How the releases write "no value" in structured columns. Free text (names, descriptions, tweet text) is
# only treated as missing when blank: a display name may really be "None". Handed to the native encoder
# (`indexer.native.encoder_constants`), as are the two constants above and `MEMO_SIZE`.
PLACEHOLDERS = frozenset({"", "absent", "[]", "''", '""', "None", "none", "null", "NULL", "nan", "NaN"})
_TRUE = frozenset({"true", "t", "1", "1.0", "yes", "y"})
_FALSE = frozenset({"false", "f", "0", "0.0", "no", "n"})

_RETWEET_PREFIX = re.compile(r"RT @([A-Za-z0-9_]{1,15}):")
# The lookbehind (no name character or @ just before the @) comes after the `@`, so that the regex engine can
# jump from @ to @ instead of trying the lookbehind at every position: 2.5x faster on tweets.
_MENTION = re.compile(r"@(?<![A-Za-z0-9_@]@)([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@])")
_PYTHON_STRING = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""", re.DOTALL)
_COMMA = re.compile(r"\s*,\s*")
# URLs may contain commas; in a `[http://a, http://b]` list only a comma before a scheme separates two.
_URL_SEPARATOR = re.compile(r"\s*,\s*(?=[A-Za-z][A-Za-z0-9+.-]*://)")
_PIPE = re.compile(r"\s*\|\s*")

_T = TypeVar("_T")


class RowError(ValueError):
    """A row that cannot be typed; `reason` is a `RejectReason` code and `detail` names the column and value."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(slots=True, frozen=True)
class Account:
    """The account columns of a row, typed. Users files are loaded into these to enrich tweet rows.

    Frozen, so that one parsed account can be shared by the many rows of a prolific account.
    """

    userid: str | None = None
    user_display_name: str | None = None
    user_screen_name: str | None = None
    user_reported_location: str | None = None
    user_profile_description: str | None = None
    user_profile_url: str | None = None
    follower_count: int | None = None
    following_count: int | None = None
    account_creation_date: date | None = None
    account_language: str | None = None

    def filled_from(self, other: Account) -> Account:
        """This account with each missing field taken from `other` (the users file's view of the account)."""
        values = [getattr(self, name) for name in ACCOUNT_COLUMNS]
        return Account(
            *[
                getattr(other, name) if value is None else value
                for name, value in zip(ACCOUNT_COLUMNS, values, strict=True)
            ]
        )


def parse_account(raw: Mapping[str, str]) -> Account:
    """Type the account columns of a tweets-file or users-file row. Raises `RowError`."""
    get = raw.get
    return _account(tuple([get(name, "") for name in ACCOUNT_COLUMNS]))


@lru_cache(maxsize=1 << 14)
def _account(values: tuple[str, ...]) -> Account:
    """Cached: a campaign's tweets come from a few thousand accounts whose columns repeat row after row."""
    (userid, display_name, screen_name, location, description, url, followers, following, created, language) = values
    return Account(
        userid=parse_id(userid),
        user_display_name=parse_text(display_name),
        user_screen_name=parse_text(screen_name.strip()),
        user_reported_location=parse_text(location),
        user_profile_description=parse_text(description),
        user_profile_url=parse_value(url),
        follower_count=parse_count(followers, "follower_count"),
        following_count=parse_count(following, "following_count"),
        account_creation_date=parse_date(created, "account_creation_date"),
        account_language=parse_value(language),
    )


def parse_users_row(raw: Mapping[str, str]) -> Account:
    """Type a users-file row; raises `RowError` (`missing_userid` when it names no account)."""
    account = parse_account(raw)
    if account.userid is None:
        raise RowError(RejectReason.MISSING_USERID, "userid is empty")
    return account


def normalise_row(
    raw: Mapping[str, str],
    *,
    campaign: str,
    source_file: str,
    line: int,
    accounts: Mapping[str, Account] | None = None,
) -> TweetRecord:
    """Type and enrich one tweets-file row. Raises `RowError` with the reject code of the first bad column.

    `accounts` (userid → `Account`, from the campaign's users file) fills the account fields the row leaves
    empty or lacks; `raw` is kept unchanged as the published strings. To normalise a whole file, a
    `TweetRowNormaliser` is several times faster.
    """
    columns = tuple(raw)
    normaliser = TweetRowNormaliser(columns, campaign=campaign, source_file=source_file, accounts=accounts)
    return normaliser([raw[name] for name in columns], line)


def parse_value(value: str) -> str | None:
    """A structured value, stripped; None for an empty field or a placeholder (`absent`, `[]`, `None`, ...)."""
    value = value.strip()
    return None if value in PLACEHOLDERS else value


def parse_text(value: str) -> str | None:
    """Free text as published (not stripped); None only when blank.

    Rust twin: `parse_text` in `native/src/parsers.rs`."""
    return value if value and not value.isspace() else None


def parse_id(value: str) -> str | None:
    """An id as a string (hashed ids are not numbers); a float-formatted numeric id (`123.0`) loses its `.0`.

    Rust twin: `parse_id` in `native/src/parsers.rs`."""
    if value.isdigit():  # nearly every id: nothing to strip or drop
        return value
    value = value.strip()
    if value in PLACEHOLDERS:
        return None
    if value.endswith(".0") and value[:-2].isdigit():
        return value[:-2]
    return value


def parse_count(value: str, column: str) -> int | None:
    """An integer count; later releases write them as floats (`12.0`), which must still be whole."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    if value in PLACEHOLDERS:
        return None
    if value.endswith(".0") and value[:-2].isdigit():
        return int(value[:-2])
    try:
        number = float(value)
    except ValueError:
        raise RowError(RejectReason.BAD_NUMBER, f"{column}: not a number: {_clip(value)!r}") from None
    if not number.is_integer():
        raise RowError(RejectReason.BAD_NUMBER, f"{column}: not a whole number: {_clip(value)!r}")
    return int(number)


def parse_coordinate(value: str, column: str, limit: float) -> float | None:
    """A latitude (limit 90) or longitude (limit 180) in degrees; `absent` and empty mean none."""
    value = value.strip()
    if value in PLACEHOLDERS:
        return None
    try:
        number = float(value)
    except ValueError:
        raise RowError(RejectReason.BAD_NUMBER, f"{column}: not a number: {_clip(value)!r}") from None
    if not math.isfinite(number) or abs(number) > limit:
        raise RowError(RejectReason.BAD_NUMBER, f"{column}: out of range: {_clip(value)!r}")
    return number


def parse_bool(value: str, column: str) -> bool:
    """`true`/`false` in any case (and 1/0); an empty field means false."""
    value = value.strip()
    if value in PLACEHOLDERS:
        return False
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RowError(RejectReason.BAD_BOOLEAN, f"{column}: not true/false: {_clip(value)!r}")


def parse_time(value: str, column: str) -> datetime | None:
    """A UTC-aware moment: `2017-06-22 16:03` (2018), `2019-01-01 12:00:00`, or ISO 8601 with an offset.

    Times without an offset are UTC, as Twitter published them. The two published shapes (recognised by where
    their separators are) take a short way: with `+00:00` appended, `fromisoformat` builds the UTC moment in one
    step, where `.replace(tzinfo=UTC)` after parsing would cost five times as much. Anything else goes the
    general, memoised way.

    Rust twin (the two published shapes and placeholders, else it leaves the row here): `parse_time` in
    `native/src/parsers.rs`.
    """
    size = len(value)
    if (size == 16 or (size == 19 and value[16] == ":")) and value[13] == ":" and value[10] in " T":
        try:
            moment = datetime.fromisoformat(value + "+00:00")
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                return moment
    value = value.strip()
    if value in PLACEHOLDERS:
        return None
    try:
        return _utc_moment(value)
    except ValueError:
        raise RowError(RejectReason.BAD_DATE, f"{column}: not a date and time: {_clip(value)!r}") from None


def parse_date(value: str, column: str) -> date | None:
    """A calendar date (`2013-12-07`); a full timestamp is accepted and cut to its UTC date."""
    value = value.strip()
    if value in PLACEHOLDERS:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        moment = parse_time(value, column)
    return moment.date() if moment else None


def parse_list(value: str, separator: re.Pattern[str] = _COMMA) -> list[str]:
    """The items of a list column in either encoding: `[a, b]`, `['a', 'b']`, or bare `a|b` (poll choices).

    `separator` splits unquoted items; quoted (Python-repr) items are unescaped like Python would.
    """
    value = value.strip()
    if value in PLACEHOLDERS:
        return []
    return list(_list_items(value, separator))


def parse_hashtags(value: str) -> list[str]:
    """Hashtags lower-cased, without `#`, each once: `[MAGA, #maga]` → `['maga']`."""
    return _unique(tag.lstrip("#").lower() for tag in parse_list(value))


def parse_urls(value: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """The published URLs, and each once: their normalised forms, their hosts and registered domains.

    Rust twin (lists of plain ASCII URLs, else it calls this): `UrlRules::fragments` in `native/src/urls.rs`."""
    if not value or value.strip() in PLACEHOLDERS:
        return [], [], [], []
    return _url_parts(value)


def retweeted_name(text: str | None) -> str | None:
    """The screen name in a leading `RT @name:`, as written; None when the text is not a retweet.

    Rust twin: `retweeted_name` in `native/src/parsers.rs`."""
    if not text or not text.startswith("RT @"):
        return None
    match = _RETWEET_PREFIX.match(text)
    return match.group(1) if match else None


def mention_names(text: str | None) -> list[str]:
    """The @names in the text, lower-cased, each once; e-mail addresses are not mentions.

    Rust twin: `mention_names` in `native/src/parsers.rs`."""
    if not text or "@" not in text:
        return []
    return list(dict.fromkeys(map(str.lower, _MENTION.findall(text))))


def snowflake_time(tweet_id: str | None) -> datetime | None:
    """When a tweet was posted, read from its snowflake id; None for hashed or pre-snowflake ids.

    Rust twin: `snowflake_time` in `native/src/parsers.rs` (handed `TWITTER_EPOCH_MS` and `FIRST_SNOWFLAKE_ID`)."""
    ms = snowflake_ms(tweet_id)
    if ms is None:
        return None
    try:
        return datetime.fromtimestamp(ms / 1000, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def snowflake_ms(tweet_id: str | None) -> int | None:
    """The millisecond (since 1970, UTC) a snowflake tweet id carries; None for hashed or pre-snowflake ids.

    An integer, so that times compared to the millisecond (`search.coordination`) are exact, not floats."""
    if not tweet_id or not (tweet_id.isascii() and tweet_id.isdigit()):
        return None
    number = int(tweet_id)
    if number < FIRST_SNOWFLAKE_ID:
        return None
    return (number >> 22) + TWITTER_EPOCH_MS


@lru_cache(maxsize=1 << 16)
def _utc_moment(value: str) -> datetime:
    """Cached: the times `parse_time` cannot take its short way with recur (an account's creation time on
    each of its rows)."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@lru_cache(maxsize=1 << 16)
def _list_items(value: str, separator: re.Pattern[str]) -> tuple[str, ...]:
    """Cached: the same hashtag, mention and URL lists recur across a campaign's tweets."""
    if value[0] == "[" and value[-1] == "]":
        value = value[1:-1].strip()
        if value[:1] in ("'", '"'):
            quoted = _PYTHON_STRING.findall(value)
            if quoted:
                return tuple(item for item in map(_unquote, quoted) if item)
    return tuple(item for item in separator.split(value) if item and item not in PLACEHOLDERS)


def _url_parts(value: str) -> tuple[list[str], list[str], list[str], list[str]]:
    urls = parse_list(value, _URL_SEPARATOR)
    infos = [info for info in map(analyse_url, urls) if info is not None]
    return (
        urls,
        _unique(info.normalised for info in infos),
        _unique(info.host for info in infos if info.host),
        _unique(info.domain for info in infos if info.domain),
    )


def _unquote(item: str) -> str:
    if "\\" in item:
        try:
            return str(ast.literal_eval(item)).strip()
        except (ValueError, SyntaxError):
            pass
    return item[1:-1].strip()


def _unique(items: Iterable[_T]) -> list[_T]:
    return list(dict.fromkeys(items))


def _clip(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


# --- The fast path for whole files --------------------------------------------------------------------------------
#
# A load spends most of its client-side time here, and every microsecond per row is taken from Elasticsearch when
# both share the machine. Most columns hold few distinct values (counts, languages, flags, hashtag and URL lists
# shared by many tweets, and an account's columns repeated on each of its tweets), so their parsed forms are
# memoised by published string and most rows cost a few dictionary lookups.

# How many parsed values one memo keeps before it starts over (see `_Memo`).
MEMO_SIZE = 1 << 14

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class _Memo(dict[_K, _V]):
    """A parser's results by published value: `memo[value]` is one dict lookup when the value was seen before.

    A miss parses the value through `__missing__` (a `RowError` propagates and nothing is cached). A full memo
    is cleared rather than evicted entry by entry: that keeps the hit path a plain dict lookup and the memory
    bounded, at the price of re-parsing the common values once after each clearing.
    """

    __slots__ = ("_parse", "_size")

    def __init__(self, parse: Callable[[_K], _V], size: int = MEMO_SIZE) -> None:
        super().__init__()
        self._parse = parse
        self._size = size

    def __missing__(self, value: _K) -> _V:
        parsed = self._parse(value)
        if len(self) >= self._size:
            self.clear()
        self[value] = parsed
        return parsed


# Lists are memoised as tuples and copied into a fresh list per record, so records never share a mutable list.
_TWEET_LANGUAGES: _Memo[str, str | None] = _Memo(parse_value)
_RETWEET_FLAGS: _Memo[str, bool] = _Memo(partial(parse_bool, column="is_retweet"))
_LATITUDES: _Memo[str, float | None] = _Memo(partial(parse_coordinate, column="latitude", limit=90.0))
_LONGITUDES: _Memo[str, float | None] = _Memo(partial(parse_coordinate, column="longitude", limit=180.0))
_QUOTE_COUNTS: _Memo[str, int | None] = _Memo(partial(parse_count, column="quote_count"))
_REPLY_COUNTS: _Memo[str, int | None] = _Memo(partial(parse_count, column="reply_count"))
_LIKE_COUNTS: _Memo[str, int | None] = _Memo(partial(parse_count, column="like_count"))
_RETWEET_COUNTS: _Memo[str, int | None] = _Memo(partial(parse_count, column="retweet_count"))
_HASHTAGS: _Memo[str, tuple[str, ...]] = _Memo(lambda value: tuple(parse_hashtags(value)))
_MENTIONED_IDS: _Memo[str, tuple[str, ...]] = _Memo(lambda value: tuple(parse_list(value)))
_POLL_CHOICES: _Memo[str, tuple[str, ...]] = _Memo(lambda value: tuple(parse_list(value, _PIPE)))
_URL_LISTS: _Memo[str, tuple[tuple[str, ...], ...]] = _Memo(lambda value: tuple(map(tuple, parse_urls(value))))

# The memoised parser of each column with few distinct values: `COLUMN_PARSERS[column][published]` is the parsed
# value (lists as tuples; `urls` as published, normalised, hosts, domains) or raises `RowError`. The native fast path
# (`indexer.native`) asks these for what it does not parse itself.
COLUMN_PARSERS: dict[str, Mapping[str, object]] = {
    "tweet_language": _TWEET_LANGUAGES, "is_retweet": _RETWEET_FLAGS, "latitude": _LATITUDES,
    "longitude": _LONGITUDES, "quote_count": _QUOTE_COUNTS, "reply_count": _REPLY_COUNTS,
    "like_count": _LIKE_COUNTS, "retweet_count": _RETWEET_COUNTS, "hashtags": _HASHTAGS,
    "user_mentions": _MENTIONED_IDS, "poll_choices": _POLL_CHOICES, "urls": _URL_LISTS,
}  # fmt: skip

# `TweetRowNormaliser` reads the account columns as one slice of a row's `TWEET_COLUMNS` values, and passes a
# record's fields by position (keywords make the call three times slower: a few µs a row) in this order. Both are
# checked here, so that a change to the columns or to `TweetRecord` fails at import rather than putting values
# in their neighbours' places.
_ACCOUNT_SLICE = slice(1, 1 + len(ACCOUNT_COLUMNS))
_TWEET_SLICE = slice(_ACCOUNT_SLICE.stop, None)
_RECORD_FIELDS: tuple[str, ...] = (
    "tweetid", "campaign", "source_file", "line", *ACCOUNT_COLUMNS, "tweet_language", "tweet_text", "tweet_time",
    "tweet_client_name", "in_reply_to_tweetid", "in_reply_to_userid", "quoted_tweet_tweetid", "is_retweet",
    "retweet_userid", "retweet_tweetid", "latitude", "longitude", "quote_count", "reply_count", "like_count",
    "retweet_count", "hashtags", "user_mentions", "urls", "poll_choices", "mention_names", "urls_normalised",
    "url_hosts", "url_domains", "tco_links", "retweeted_screen_name", "retweeted_time", "quoted_time", "raw",
)  # fmt: skip
if TWEET_COLUMNS[_ACCOUNT_SLICE] != ACCOUNT_COLUMNS or tuple(f.name for f in fields(TweetRecord)) != _RECORD_FIELDS:
    raise ImportError("TWEET_COLUMNS or TweetRecord changed: update _RECORD_FIELDS and TweetRowNormaliser.__call__")


class TweetRowNormaliser:
    """`normalise_row` for every row of one tweets file: `normaliser(fields, line)` for each row's field list.

    What can be worked out once per file is: where each known column sits in a row (`columns` is the file's
    header; missing columns read as empty), and each account's typed and users-file-enriched form, memoised on
    its raw column strings. `accounts` must not change while the normaliser is in use.
    """

    def __init__(
        self,
        columns: Sequence[str],
        *,
        campaign: str,
        source_file: str,
        accounts: Mapping[str, Account] | None = None,
    ) -> None:
        self.columns = tuple(columns)
        self.campaign = campaign
        self.source_file = source_file
        self._known = accounts
        # A repeated column name reads its last occurrence, as `dict(zip(columns, fields))` (the raw dict) does.
        position = {name: index for index, name in enumerate(self.columns)}
        # A missing column points one past the row's fields, where `__call__` then appends an empty string.
        self._pad = not position.keys() >= set(TWEET_COLUMNS)
        self._pick = itemgetter(*(position.get(name, len(self.columns)) for name in TWEET_COLUMNS))
        self._accounts: _Memo[tuple[str, ...], tuple[object, ...]] = _Memo(self._account_fields)

    def __call__(self, fields: list[str], line: int) -> TweetRecord:
        """The record of one row, `fields` in header order. Raises `RowError`.

        Parsers that can fail run in the order `normalise_row` always used, so a row with several bad columns
        is rejected for the same one.
        """
        values = self._pick([*fields, ""] if self._pad else fields)
        tweetid = parse_id(values[0])
        if tweetid is None:
            raise RowError(RejectReason.MISSING_TWEETID, "tweetid is empty")
        account = self._accounts[values[_ACCOUNT_SLICE]]
        (
            tweet_language, tweet_text, tweet_time, tweet_client_name, in_reply_to_tweetid, in_reply_to_userid,
            quoted_tweet_tweetid, is_retweet, retweet_userid, retweet_tweetid, latitude, longitude, quote_count,
            reply_count, like_count, retweet_count, hashtags, urls, user_mentions, poll_choices,
        ) = values[_TWEET_SLICE]  # fmt: skip

        # The optional ids, the time parsing and the text's parsers are only called when there is something
        # to parse: most tweets are not replies or quotes, and many are not retweets.
        text = tweet_text if tweet_text and not tweet_text.isspace() else None  # `parse_text`, inlined
        retweeted_screen_name = retweeted_name(text)
        is_retweet = _RETWEET_FLAGS[is_retweet] or retweeted_screen_name is not None
        retweet_tweetid = parse_id(retweet_tweetid) if retweet_tweetid else None
        quoted_tweet_tweetid = parse_id(quoted_tweet_tweetid) if quoted_tweet_tweetid else None
        published_urls, urls_normalised, url_hosts, url_domains = _URL_LISTS[urls]
        return TweetRecord(  # in `_RECORD_FIELDS` order
            tweetid,
            self.campaign,
            self.source_file,
            line,
            *account,
            _TWEET_LANGUAGES[tweet_language],
            text,
            parse_time(tweet_time, "tweet_time"),
            parse_text(tweet_client_name),
            parse_id(in_reply_to_tweetid) if in_reply_to_tweetid else None,
            parse_id(in_reply_to_userid) if in_reply_to_userid else None,
            quoted_tweet_tweetid,
            is_retweet,
            parse_id(retweet_userid) if retweet_userid else None,
            retweet_tweetid,
            _LATITUDES[latitude],
            _LONGITUDES[longitude],
            _QUOTE_COUNTS[quote_count],
            _REPLY_COUNTS[reply_count],
            _LIKE_COUNTS[like_count],
            _RETWEET_COUNTS[retweet_count],
            list(_HASHTAGS[hashtags]),
            list(_MENTIONED_IDS[user_mentions]),
            list(published_urls),
            list(_POLL_CHOICES[poll_choices]),
            mention_names(text),
            list(urls_normalised),
            list(url_hosts),
            list(url_domains),
            tco_links(text),
            retweeted_screen_name,
            snowflake_time(retweet_tweetid) if retweet_tweetid else None,
            snowflake_time(quoted_tweet_tweetid) if quoted_tweet_tweetid else None,
            dict(zip(self.columns, fields, strict=False)),  # the splitter checked the width
        )

    def account(self, values: tuple[str, ...]) -> tuple[object, ...]:
        """The typed, users-file-enriched account of a row whose `ACCOUNT_COLUMNS` hold `values` (memoised), as
        its field values in `ACCOUNT_COLUMNS` order. Raises `RowError`."""
        return self._accounts[values]

    def _account_fields(self, values: tuple[str, ...]) -> tuple[object, ...]:
        """A row's account, typed and completed from the users file, as its `ACCOUNT_COLUMNS` field values."""
        account = _account(values)
        if self._known and account.userid is not None:
            known = self._known.get(account.userid)
            if known is not None:
                account = account.filled_from(known)
        return tuple([getattr(account, name) for name in ACCOUNT_COLUMNS])
