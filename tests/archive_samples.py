"""Small archive files that look like Twitter's releases, for the reader's tests.

Two encodings are built, as published:

* `quoted_csv` with `ira_row`: the 2018 style. Every field double-quoted, 64-hex hashed ids, `[a, b]` lists,
  `true`/`false`, integer counts, `2017-06-22 16:03` times.
* `minimal_csv` with `later_row`: later releases. Minimal quoting, base64-like hashed ids ending in `=`,
  Python-repr lists, `True`/`False`, `0.0` counts, `absent` coordinates, times with seconds.

Rows are dicts keyed by column name, so a test changes only what it is about.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

TWEET_COLUMNS: tuple[str, ...] = (
    "tweetid", "userid", "user_display_name", "user_screen_name", "user_reported_location",
    "user_profile_description", "user_profile_url", "follower_count", "following_count",
    "account_creation_date", "account_language", "tweet_language", "tweet_text", "tweet_time",
    "tweet_client_name", "in_reply_to_tweetid", "in_reply_to_userid", "quoted_tweet_tweetid", "is_retweet",
    "retweet_userid", "retweet_tweetid", "latitude", "longitude", "quote_count", "reply_count", "like_count",
    "retweet_count", "hashtags", "urls", "user_mentions", "poll_choices",
)  # fmt: skip
USER_COLUMNS: tuple[str, ...] = (
    "userid", "user_display_name", "user_screen_name", "user_reported_location", "user_profile_description",
    "user_profile_url", "follower_count", "following_count", "account_creation_date", "account_language",
)  # fmt: skip
# The order of a later release: same columns, shuffled, as happened between releases.
REORDERED_COLUMNS: tuple[str, ...] = (
    "tweet_text", "tweetid", "tweet_time", "tweet_language", "userid", "user_screen_name", "user_display_name",
    "is_retweet", "retweet_tweetid", "retweet_userid", "hashtags", "urls", "user_mentions", "latitude",
    "longitude", "like_count", "retweet_count", "reply_count", "quote_count", "account_language",
    "account_creation_date", "follower_count", "following_count", "user_reported_location",
    "user_profile_description", "user_profile_url", "tweet_client_name", "in_reply_to_tweetid",
    "in_reply_to_userid", "quoted_tweet_tweetid", "poll_choices",
)  # fmt: skip

IRA_HASH = "4224729dba4e3fd2bb64bfcfb2e4d1ad48e86a5d01a7cc4b2b11d4ea3ee9d5b1"
LATER_HASH = "kPDnKz2Wf8yYBzV5gUeGX1PA1qZ1n5t3IBc5vZlYyPc="


def ira_row(**changes: str) -> dict[str, str]:
    """A 2018-style IRA tweet row (a big account: numeric ids), with `changes` applied."""
    row = {
        "tweetid": "877919995476496385",
        "userid": "2572896396",
        "user_display_name": "Jenna Abrams",
        "user_screen_name": "Jenn_Abrams",
        "user_reported_location": "USA",
        "user_profile_description": "Simply a girl who's crazy about politics",
        "user_profile_url": "http://t.co/xmS8oFgQzA",
        "follower_count": "54485",
        "following_count": "2384",
        "account_creation_date": "2014-06-08",
        "account_language": "en",
        "tweet_language": "en",
        "tweet_text": 'Read this: "the media won\'t tell you" https://t.co/AbCdEf1234 #MAGA',
        "tweet_time": "2017-06-22 16:03",
        "tweet_client_name": "Twitter Web Client",
        "in_reply_to_tweetid": "",
        "in_reply_to_userid": "",
        "quoted_tweet_tweetid": "",
        "is_retweet": "false",
        "retweet_userid": "",
        "retweet_tweetid": "",
        "latitude": "",
        "longitude": "",
        "quote_count": "0",
        "reply_count": "3",
        "like_count": "12",
        "retweet_count": "7",
        "hashtags": "[MAGA]",
        "urls": "[http://www.Example.com/news/story/?utm_source=twitter&id=42]",
        "user_mentions": "[]",
        "poll_choices": "",
    }
    row.update(changes)
    return row


def later_row(**changes: str) -> dict[str, str]:
    """A later-release tweet row (hashed ids ending in `=`, float counts, Python-repr lists), with `changes`."""
    row = {
        "tweetid": "1156192395034787840",
        "userid": LATER_HASH,
        "user_display_name": LATER_HASH,
        "user_screen_name": LATER_HASH,
        "user_reported_location": "",
        "user_profile_description": "",
        "user_profile_url": "",
        "follower_count": "12.0",
        "following_count": "40.0",
        "account_creation_date": "2017-03-01",
        "account_language": "zh-cn",
        "tweet_language": "zh",
        "tweet_text": "RT @HKPoliceForce: 香港警方呼籲市民保持冷靜 https://t.co/Zx9Yw8Vu7T…",
        "tweet_time": "2019-07-30 12:00:00",
        "tweet_client_name": "Twitter for Android",
        "in_reply_to_tweetid": "",
        "in_reply_to_userid": "",
        "quoted_tweet_tweetid": "",
        "is_retweet": "True",
        "retweet_userid": "1144245588491243520",
        "retweet_tweetid": "1156190000000000000",
        "latitude": "absent",
        "longitude": "absent",
        "quote_count": "0.0",
        "reply_count": "0.0",
        "like_count": "0.0",
        "retweet_count": "0.0",
        "hashtags": "['香港', 'HongKong']",
        "urls": "['https://news.bbc.co.uk/world/asia?id=1&utm_medium=social']",
        "user_mentions": "['1144245588491243520']",
        "poll_choices": "",
    }
    row.update(changes)
    return row


def user_row(**changes: str) -> dict[str, str]:
    """A users-file row for the account of `ira_row`."""
    row = {
        "userid": "2572896396",
        "user_display_name": "Jenna Abrams",
        "user_screen_name": "Jenn_Abrams",
        "user_reported_location": "USA",
        "user_profile_description": "Simply a girl who's crazy about politics",
        "user_profile_url": "http://t.co/xmS8oFgQzA",
        "follower_count": "54485",
        "following_count": "2384",
        "account_creation_date": "2014-06-08",
        "account_language": "en",
    }
    row.update(changes)
    return row


def quoted_csv(
    rows: Iterable[Mapping[str, str]], columns: Sequence[str] = TWEET_COLUMNS, *, line_end: str = "\n"
) -> str:
    """The 2018 encoding: header and every field double-quoted, inner quotes doubled."""

    def line(values: Iterable[str]) -> str:
        return ",".join('"' + value.replace('"', '""') + '"' for value in values) + line_end

    return line(columns) + "".join(line(row[column] for column in columns) for row in rows)


def minimal_csv(rows: Iterable[Mapping[str, str]], columns: Sequence[str] = TWEET_COLUMNS) -> str:
    """The later encoding: fields quoted only when they must be (commas, quotes, newlines)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[column] for column in columns])
    return out.getvalue()


def write(path: Path, content: str | bytes) -> Path:
    """Write `content` (text as UTF-8) to `path` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def load_rows(cli: Any, folder: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    """`rows` written as an IRA tweets file in `folder` and loaded with `tweetsearch index` through the `cli`
    fixture: every row indexed, none rejected. The file's path."""
    import orjson

    path = write(folder / "ira_tweets_csv_hashed.csv", quoted_csv(rows))
    result = cli("index", str(folder), "--rejects", str(folder / "rejects.jsonl"), "--json")
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["rejected"] == 0
    return path


def write_gzip(path: Path, content: str | bytes) -> Path:
    """`content` gzipped into `path` (a `.csv.gz`)."""
    return write(path, gzip.compress(content.encode() if isinstance(content, str) else content))


def write_zip(path: Path, members: Mapping[str, str | bytes]) -> Path:
    """A zip at `path` holding each member (name → content), deflated like the published downloads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def numbered_rows(count: int, *, start: int = 877919995476496385, **changes: str) -> list[dict[str, str]]:
    """`count` distinct IRA rows with consecutive tweetids, for tests that need volume."""
    return [ira_row(tweetid=str(start + offset), **changes) for offset in range(count)]


def newest_by_account(documents: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(campaign, userid) → the document of the account's newest tweet (by time, then tweetid; untimed last):
    the tweet whose profile the accounts index keeps."""
    newest: dict[tuple[str, str], dict[str, Any]] = {}

    def order(document: dict[str, Any]) -> tuple[bool, str, str]:
        return (document.get("tweet_time") is not None, document.get("tweet_time") or "", document["tweetid"])

    for document in documents:
        key = (document["campaign"], document["userid"])
        if key not in newest or order(document) > order(newest[key]):
            newest[key] = document
    return newest


def generated_release(out: Path, *, tweets: int, seed: int, malformed: int = 0) -> tuple[Path, dict[str, Any]]:
    """A synthetic release written to `out` (`generator.release`) and its ground truth, read back."""
    import orjson

    from generator.release import generate_release

    summary = generate_release(out, tweets=tweets, seed=seed, malformed=malformed)
    return out, orjson.loads(summary.ground_truth.read_bytes())
