"""Row normalisation: both published encodings give the same typed record; bad values say which column."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime

import pytest
from archive_samples import IRA_HASH, LATER_HASH, REORDERED_COLUMNS, ira_row, later_row, user_row

from common.records import RejectReason, TweetRecord
from indexer.normalise import (
    RowError,
    TweetRowNormaliser,
    _Memo,
    mention_names,
    normalise_row,
    parse_account,
    parse_bool,
    parse_count,
    parse_list,
    parse_time,
    parse_users_row,
    snowflake_time,
)


def normalise(row: dict[str, str], **context: object) -> TweetRecord:
    return normalise_row(row, campaign="ira", source_file="ira_tweets_csv_hashed.csv", line=2, **context)  # type: ignore[arg-type]


def test_2018_row_is_typed() -> None:
    record = normalise(ira_row())
    assert record.tweetid == "877919995476496385"
    assert (record.campaign, record.source_file, record.line) == ("ira", "ira_tweets_csv_hashed.csv", 2)
    assert record.userid == "2572896396"
    assert record.follower_count == 54485
    assert record.account_creation_date == date(2014, 6, 8)
    assert record.tweet_time == datetime(2017, 6, 22, 16, 3, tzinfo=UTC)
    assert record.is_retweet is False
    assert (record.latitude, record.longitude) == (None, None)
    assert record.like_count == 12
    assert record.hashtags == ["maga"]
    assert record.user_mentions == []
    assert record.urls == ["http://www.Example.com/news/story/?utm_source=twitter&id=42"]
    assert record.urls_normalised == ["http://example.com/news/story?id=42"]
    assert (record.url_hosts, record.url_domains) == (["example.com"], ["example.com"])
    assert record.tco_links == ["https://t.co/AbCdEf1234"]
    assert record.in_reply_to_tweetid is None
    assert record.poll_choices == []


def test_later_row_is_typed_the_same_way() -> None:
    record = normalise(later_row())
    assert record.userid == LATER_HASH
    assert (record.follower_count, record.like_count) == (12, 0)
    assert record.tweet_time == datetime(2019, 7, 30, 12, 0, tzinfo=UTC)
    assert record.is_retweet is True
    assert (record.latitude, record.longitude) == (None, None)
    assert record.hashtags == ["香港", "hongkong"]
    assert record.user_mentions == ["1144245588491243520"]
    assert record.urls_normalised == ["https://news.bbc.co.uk/world/asia?id=1"]
    assert record.url_domains == ["bbc.co.uk"]
    assert record.account_language == "zh-cn", "language codes are kept as published"


def test_raw_keeps_every_published_string() -> None:
    row = later_row()
    record = normalise(row)
    assert record.raw == row
    assert record.raw["follower_count"] == "12.0"
    assert record.raw is not row, "the record owns its copy"


def test_hashed_small_account_ids_stay_strings() -> None:
    record = normalise(ira_row(userid=IRA_HASH, user_screen_name=IRA_HASH, user_display_name=IRA_HASH))
    assert record.userid == IRA_HASH
    assert record.user_screen_name == IRA_HASH


@pytest.mark.parametrize("placeholder", ["", "absent", "[]", "''", "None"])
def test_placeholders_become_none_or_empty(placeholder: str) -> None:
    record = normalise(
        later_row(
            latitude=placeholder,
            longitude=placeholder,
            in_reply_to_userid=placeholder,
            quote_count=placeholder,
            hashtags=placeholder,
            urls=placeholder,
            account_language=placeholder,
        )
    )
    assert (record.latitude, record.longitude, record.in_reply_to_userid, record.quote_count) == (None,) * 4
    assert (record.hashtags, record.urls, record.url_domains) == ([], [], [])
    assert record.account_language is None


def test_free_text_is_not_mistaken_for_a_placeholder() -> None:
    record = normalise(ira_row(user_display_name="None", user_reported_location="absent"))
    assert (record.user_display_name, record.user_reported_location) == ("None", "absent")


def test_coordinates_and_float_formatted_ids() -> None:
    record = normalise(later_row(latitude="55.7558", longitude="37.6173", in_reply_to_tweetid="877919995476496385.0"))
    assert (record.latitude, record.longitude) == (55.7558, 37.6173)
    assert record.in_reply_to_tweetid == "877919995476496385"


@pytest.mark.parametrize(
    ("published", "items"),
    [
        ("[MAGA, Trump]", ["MAGA", "Trump"]),
        ("['MAGA', 'Trump']", ["MAGA", "Trump"]),
        ("[\"it's\", 'plain']", ["it's", "plain"]),
        ("['back\\\\slash', 'quote\\'s']", ["back\\slash", "quote's"]),
        ("[2572896396, 1144245588491243520]", ["2572896396", "1144245588491243520"]),
        ("[]", []),
        ("", []),
        ("single", ["single"]),
    ],
)
def test_lists_in_both_encodings(published: str, items: list[str]) -> None:
    assert parse_list(published) == items


def test_url_lists_split_only_between_urls() -> None:
    record = normalise(ira_row(urls="[http://a.com/x,y, https://b.org/p?q=1,2]"))
    assert record.urls == ["http://a.com/x,y", "https://b.org/p?q=1,2"]
    assert record.url_domains == ["a.com", "b.org"]


def test_poll_choices_are_split_on_pipes() -> None:
    assert normalise(later_row(poll_choices="Yes|No|Maybe later")).poll_choices == ["Yes", "No", "Maybe later"]


def test_hashtags_lower_cased_without_hash_each_once() -> None:
    assert normalise(ira_row(hashtags="[MAGA, #maga, BlackLivesMatter]")).hashtags == ["maga", "blacklivesmatter"]


@pytest.mark.parametrize(
    ("published", "moment"),
    [
        ("2017-06-22 16:03", datetime(2017, 6, 22, 16, 3, tzinfo=UTC)),
        ("2019-01-01 12:00:00", datetime(2019, 1, 1, 12, 0, tzinfo=UTC)),
        ("2019-01-01T12:00:00Z", datetime(2019, 1, 1, 12, 0, tzinfo=UTC)),
        ("2019-01-01T15:00:00+03:00", datetime(2019, 1, 1, 12, 0, tzinfo=UTC)),
    ],
)
def test_times_are_utc_aware(published: str, moment: datetime) -> None:
    parsed = parse_time(published, "tweet_time")
    assert parsed == moment
    assert parsed is not None and parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0


def test_counts_accept_floats_that_are_whole() -> None:
    assert [parse_count(value, "like_count") for value in ("12", "12.0", "0.0", " 7 ", "1e3")] == [12, 12, 0, 7, 1000]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("tweet_time", "22/06/2017 16:03", RejectReason.BAD_DATE),
        ("account_creation_date", "last year", RejectReason.BAD_DATE),
        ("like_count", "12.5", RejectReason.BAD_NUMBER),
        ("follower_count", "many", RejectReason.BAD_NUMBER),
        ("latitude", "north", RejectReason.BAD_NUMBER),
        ("longitude", "200.0", RejectReason.BAD_NUMBER),
        ("is_retweet", "maybe", RejectReason.BAD_BOOLEAN),
        ("tweetid", "", RejectReason.MISSING_TWEETID),
    ],
)
def test_bad_values_raise_with_reason_and_column(column: str, value: str, reason: str) -> None:
    with pytest.raises(RowError) as raised:
        normalise(ira_row(**{column: value}))
    assert raised.value.reason == reason
    assert column in raised.value.detail


def test_booleans_in_both_spellings() -> None:
    assert [parse_bool(value, "is_retweet") for value in ("true", "True", "FALSE", "false", "")] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_retweet_prefix_marks_a_retweet_and_names_its_author() -> None:
    record = normalise(ira_row(is_retweet="false", tweet_text="RT @TEN_GOP: Breaking news…"))
    assert record.is_retweet is True
    assert record.retweeted_screen_name == "TEN_GOP"
    assert normalise(ira_row(tweet_text="not RT @x: a retweet")).retweeted_screen_name is None


def test_mention_names_lower_cased_and_emails_ignored() -> None:
    text = "RT @Jenn_Abrams: thanks @POTUS and @potus! mail me at jenna@example.com .@CNN"
    assert normalise(ira_row(tweet_text=text)).mention_names == ["jenn_abrams", "potus", "cnn"]


def test_snowflake_ids_give_the_retweeted_and_quoted_times() -> None:
    # 204697221847986177 was posted Mon May 21 22:16:35 +0000 2012 (its created_at, as the API gave it).
    record = normalise(later_row(retweet_tweetid="204697221847986177", quoted_tweet_tweetid="877919995476496385"))
    assert record.retweeted_time is not None
    assert record.retweeted_time.replace(microsecond=0) == datetime(2012, 5, 21, 22, 16, 35, tzinfo=UTC)
    # The IRA fixture's tweetid was published with tweet_time 2017-06-22 16:03: its id falls in that minute.
    assert record.quoted_time is not None
    assert record.quoted_time.replace(second=0, microsecond=0) == datetime(2017, 6, 22, 16, 3, tzinfo=UTC)
    assert snowflake_time("20") is None, "pre-snowflake ids carry no time"
    assert snowflake_time(LATER_HASH) is None


def test_users_file_fills_only_what_the_tweet_row_lacks() -> None:
    accounts = {"2572896396": parse_users_row(user_row(user_reported_location="Nashville, TN", follower_count="60000"))}
    row = ira_row(user_reported_location="", user_profile_description="", follower_count="54485")
    record = normalise(row, accounts=accounts)
    assert record.user_reported_location == "Nashville, TN"
    assert record.user_profile_description == "Simply a girl who's crazy about politics"
    assert record.follower_count == 54485, "the tweet row's own value wins"
    assert record.raw["user_reported_location"] == "", "raw stays as published"


def test_tweets_file_without_account_columns_is_enriched() -> None:
    row = {"tweetid": "1", "userid": "2572896396", "tweet_text": "hello", "tweet_time": "2017-06-22 16:03"}
    record = normalise(row, accounts={"2572896396": parse_users_row(user_row())})
    assert (record.user_screen_name, record.following_count) == ("Jenn_Abrams", 2384)
    assert record.account_creation_date == date(2014, 6, 8)


def test_users_row_without_userid_is_refused() -> None:
    with pytest.raises(RowError) as raised:
        parse_users_row(user_row(userid=""))
    assert raised.value.reason == RejectReason.MISSING_USERID
    assert parse_account(user_row()).user_screen_name == "Jenn_Abrams"


# --- the file normaliser: the same records, faster -----------------------------------------------------------


def test_file_normaliser_reads_columns_by_header_position() -> None:
    row = later_row()
    normaliser = TweetRowNormaliser(REORDERED_COLUMNS, campaign="ira", source_file="ira_tweets_csv_hashed.csv")
    assert normaliser([row[column] for column in REORDERED_COLUMNS], 2) == normalise(row)


def test_file_normaliser_with_missing_extra_and_repeated_columns() -> None:
    columns = ("tweetid", "like_count", "tweet_text", "notes", "like_count")
    fields = ["1", "5", "hi @you", "kept", "7"]
    record = TweetRowNormaliser(columns, campaign="ira", source_file="f.csv")(fields, 9)
    assert record.like_count == 7, "a repeated column reads its last value, as the raw dict keeps it"
    assert record.raw == {"tweetid": "1", "like_count": "7", "tweet_text": "hi @you", "notes": "kept"}
    assert (record.userid, record.tweet_time, record.hashtags, record.mention_names) == (None, None, [], ["you"])
    raw = dict(zip(columns, fields, strict=True))
    assert record == normalise_row(raw, campaign="ira", source_file="f.csv", line=9)


def test_records_never_share_a_list_or_a_raw_dict() -> None:
    first, second = normalise(ira_row()), normalise(ira_row())
    first.hashtags.append("changed")
    first.urls_normalised.clear()
    first.raw["hashtags"] = "changed"
    assert (second.hashtags, second.urls_normalised) == (["maga"], ["http://example.com/news/story?id=42"])
    assert second.raw["hashtags"] == "[MAGA]"
    assert normalise(ira_row()).hashtags == ["maga"]


def test_a_bad_value_is_rejected_every_time_it_appears() -> None:
    assert normalise(ira_row(like_count="12")).like_count == 12
    for _ in range(2):
        with pytest.raises(RowError) as raised:
            normalise(ira_row(like_count="12.5"))
        assert raised.value.reason == RejectReason.BAD_NUMBER
    assert normalise(ira_row(like_count="12.0")).like_count == 12


@pytest.mark.parametrize(
    ("changes", "reason", "column"),
    [
        ({"tweetid": "", "tweet_time": "soon"}, RejectReason.MISSING_TWEETID, "tweetid"),
        ({"following_count": "many", "is_retweet": "maybe"}, RejectReason.BAD_NUMBER, "following_count"),
        ({"is_retweet": "maybe", "tweet_time": "soon"}, RejectReason.BAD_BOOLEAN, "is_retweet"),
        ({"tweet_time": "soon", "latitude": "north"}, RejectReason.BAD_DATE, "tweet_time"),
        ({"longitude": "200", "quote_count": "x"}, RejectReason.BAD_NUMBER, "longitude"),
        ({"like_count": "1.5", "retweet_count": "x"}, RejectReason.BAD_NUMBER, "like_count"),
    ],
)
def test_the_first_bad_column_decides_the_reject(changes: dict[str, str], reason: str, column: str) -> None:
    # The order is the one the loader has always used: a reloaded archive reports the same rejects.
    with pytest.raises(RowError) as raised:
        normalise(ira_row(**changes))
    assert raised.value.reason == reason
    assert raised.value.detail.startswith(column)


@pytest.mark.parametrize(
    "published",
    [
        "2017-06-22 16:03", "2017-06-22T16:03", "2019-01-01 12:00:00", "2019-01-01T12:00:00", "2019-01-01 12:00Z",
        "2019-01-01 12:00:00-05:00", "2019-01-01+03:00", " 2017-06-22 16:03", "2017-06-22 16:03 ", "2019-01-01",
        "2019-01-01T12500", "2019-01-01 24:00", "2019-02-30 12:00", "2019-01-01 12:0", "absent", "",
    ],
)  # fmt: skip
def test_tweet_times_read_like_parse_time(published: str) -> None:
    try:
        expected = parse_time(published, "tweet_time")
    except RowError as error:
        with pytest.raises(RowError) as raised:
            normalise(ira_row(tweet_time=published))
        assert (raised.value.reason, raised.value.detail) == (error.reason, error.detail)
        return
    moment = normalise(ira_row(tweet_time=published)).tweet_time
    assert moment == expected
    assert moment is None or (moment.tzinfo, moment.isoformat()) == (UTC, expected.isoformat())  # type: ignore[union-attr]


def test_mentions_match_the_plain_lookbehind_pattern() -> None:
    # `_MENTION` puts its lookbehind after the @ for speed; it must find what the plain pattern finds.
    plain = re.compile(r"(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@])")
    pick = random.Random(7).choice
    for _ in range(20_000):
        text = "".join(pick("aZ9_@@ .:#é\n") for _ in range(12))
        expected = list(dict.fromkeys(name.lower() for name in plain.findall(text)))
        assert mention_names(text) == expected, text


def test_memo_stays_bounded() -> None:
    seen: list[str] = []
    memo: _Memo[str, str] = _Memo(lambda value: seen.append(value) or value.upper(), size=3)
    assert [memo[value] for value in "abab"] == ["A", "B", "A", "B"]
    assert seen == ["a", "b"], "a value seen before is not parsed again"
    for value in "cdefg":
        assert memo[value] == value.upper()
        assert len(memo) <= 3
