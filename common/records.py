"""The records that flow from the archive reader to the loader.

Everything the reader produces is one of two dataclasses: a `TweetRecord` (one normalised row) or a `Reject`
(a row that could not be read, with the reason); a load also takes `EncodedTweets`, runs of rows the native fast
path encoded. Keeping them plain and typed lets the normalisation code stay pure and lets the loader count
`rows read = records + rejects` without guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

# The account columns, as users files publish them and as tweets files repeat them.
ACCOUNT_COLUMNS: tuple[str, ...] = (
    "userid", "user_display_name", "user_screen_name", "user_reported_location", "user_profile_description",
    "user_profile_url", "follower_count", "following_count", "account_creation_date", "account_language",
)  # fmt: skip
# The tweets columns in the order of the 2018 releases (later releases reorder them: read by name).
TWEET_COLUMNS: tuple[str, ...] = (
    "tweetid", *ACCOUNT_COLUMNS, "tweet_language", "tweet_text", "tweet_time", "tweet_client_name",
    "in_reply_to_tweetid", "in_reply_to_userid", "quoted_tweet_tweetid", "is_retweet", "retweet_userid",
    "retweet_tweetid", "latitude", "longitude", "quote_count", "reply_count", "like_count", "retweet_count",
    "hashtags", "urls", "user_mentions", "poll_choices",
)  # fmt: skip


@dataclass(slots=True)
class TweetRecord:
    """One tweet row, typed and normalised; `raw` keeps the published strings for exports.

    Ids stay strings: hashed ids contain `+`, `/` and `=`, and numeric ids exceed 2**53.
    Empty fields and placeholders (`absent`, `[]`, ``) become None or an empty list.
    """

    tweetid: str
    campaign: str
    source_file: str
    line: int
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
    tweet_language: str | None = None
    tweet_text: str | None = None
    tweet_time: datetime | None = None
    tweet_client_name: str | None = None
    in_reply_to_tweetid: str | None = None
    in_reply_to_userid: str | None = None
    quoted_tweet_tweetid: str | None = None
    is_retweet: bool = False
    retweet_userid: str | None = None
    retweet_tweetid: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    quote_count: int | None = None
    reply_count: int | None = None
    like_count: int | None = None
    retweet_count: int | None = None
    hashtags: list[str] = field(default_factory=list)
    user_mentions: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    poll_choices: list[str] = field(default_factory=list)
    mention_names: list[str] = field(default_factory=list)
    urls_normalised: list[str] = field(default_factory=list)
    url_hosts: list[str] = field(default_factory=list)
    url_domains: list[str] = field(default_factory=list)
    tco_links: list[str] = field(default_factory=list)
    retweeted_screen_name: str | None = None
    retweeted_time: datetime | None = None
    quoted_time: datetime | None = None
    raw: dict[str, str] = field(default_factory=dict)


class EncodedTweets(NamedTuple):
    """Consecutive tweet rows of one file that the native fast path (`indexer.native`) turned straight into bulk
    index actions: for each, the action line (`{"index":{"_id":tweetid}}`, the index is the request's) and its
    document, the same bytes `to_document` would give for its record, encoded. Only a load asks the reader for
    these; rows come in runs of up to two thousand, so that no Python object is made per row."""

    source_file: str
    lines: list[int]
    """The line each row starts on."""
    body: bytes
    ends: list[int]
    """Where each row's action ends in `body`."""


@dataclass(slots=True, frozen=True)
class Reject:
    """A row that could not be turned into a record. `reason` is a short code (see `RejectReason`)."""

    file: str
    line: int
    reason: str
    detail: str
    raw: str


class RejectReason:
    """The reject codes a user sees in the rejects file and in the load summary."""

    WRONG_FIELD_COUNT = "wrong_field_count"
    BAD_DATE = "bad_date"
    BAD_NUMBER = "bad_number"
    BAD_BOOLEAN = "bad_boolean"
    BAD_UTF8 = "bad_utf8"
    NUL_BYTE = "nul_byte"
    TRUNCATED_ROW = "truncated_row"
    RUNAWAY_QUOTE = "runaway_quote"
    MISSING_TWEETID = "missing_tweetid"
    MISSING_USERID = "missing_userid"
    ROW_TOO_LONG = "row_too_long"
    SERVER_REJECTED = "server_rejected"
