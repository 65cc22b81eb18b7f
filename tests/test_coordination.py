"""`tweetsearch coordination` and `network` (README: Coordination): the definitions on hand-made posts, then a
hand-made release on the real server, where every co-action is known, then the command line."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path

import networkx as nx
import orjson
import pytest
from archive_samples import later_row, minimal_csv, write

from common.errors import UsageError
from common.mapping import accounts_alias
from indexer.normalise import FIRST_SNOWFLAKE_ID, TWITTER_EPOCH_MS
from search.coordination import (
    MAX_WINDOW_SECONDS,
    Post,
    Selection,
    bucket_width,
    co_acting,
    components,
    coordinated_pairs,
    estimate_window,
    find_coordination,
    fingerprint64,
    merge_selections,
    near_candidates,
    page_key,
    pair_posts,
    parse_window,
    posts_of,
    time_slices,
    url_key,
)

T0 = 1_500_000_000_000  # 2017-07-14T02:40:00Z, in ms


def snowflake(ms: int, counter: int = 0) -> str:
    """A tweet id carrying `ms`, as Twitter made them after November 2010."""
    number = ((ms - TWITTER_EPOCH_MS) << 22) | counter
    assert number >= FIRST_SNOWFLAKE_ID
    return str(number)


def post(user: str, seconds: float, *, precise: bool = True, tweet: str | None = None) -> Post:
    ms = T0 + round(seconds * 1000)
    return Post(tweet or f"{user}-{seconds}", user, ms if precise else ms - ms % 60_000, precise)


# --------------------------------------------------------------------------------------------------------------
# The definitions, without a server.


def paired(items, window_ms: int, min_repeats: int):
    return coordinated_pairs(pair_posts(items, window_ms), min_repeats, posts_of(items))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("60s", 60), ("10", 10), (" 2m ", 120), ("1h", 3600), ("500ms", 0.5), ("1.5s", 1.5), ("1d", 86400)],
)
def test_windows_are_read_in_seconds_minutes_hours_and_days(text: str, seconds: float) -> None:
    window = parse_window(text)
    assert window is not None and window.seconds == seconds and not window.auto


@pytest.mark.parametrize("text", ["0", "0s", "-5", "abc", "60 parsecs", "", "8d", "1e3"])
def test_a_window_of_zero_or_unreadable_text_or_over_a_week_is_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_window(text)


def test_auto_is_not_a_window_but_asks_for_one() -> None:
    assert parse_window("auto") is None and parse_window("AUTO") is None


def test_a_tweets_time_is_its_ids_millisecond_else_its_tweet_time_else_none() -> None:
    from search.coordination import post_time

    ms = T0 + 1_234
    assert post_time(snowflake(ms), T0 + 60_000) == (ms, True), "the id's time, even when tweet_time differs"
    assert post_time("12345", T0) == (T0, False), "an id before snowflakes: tweet_time, to the minute"
    assert post_time("12345", None) is None


def test_times_to_the_millisecond_are_compared_to_the_millisecond() -> None:
    assert co_acting(post("a", 0), post("b", 10), 10_000)
    assert not co_acting(post("a", 0), post("b", 10.001), 10_000)


def test_a_time_known_to_the_minute_compares_minutes_whatever_the_window() -> None:
    same_minute = post("a", 5, precise=False), post("b", 50)
    next_minute = post("a", 50, precise=False), post("b", 70)
    assert co_acting(*same_minute, 10_000), "within 10 s cannot be told apart from the same minute"
    assert co_acting(*same_minute, 60_000)
    assert not co_acting(*next_minute, 60_000), "within 60 s on minute times means the same minute"
    assert co_acting(*next_minute, 120_000)


def test_accounts_that_post_the_same_items_within_the_window_again_and_again_are_a_coordinated_pair() -> None:
    items = {
        "one": [post("a", 0), post("b", 2), post("late", 7200)],
        "two": [post("a", 100), post("b", 103), post("late", 9000)],
        "three": [post("b", 500), post("a", 501)],
        "alone": [post("a", 900), post("a", 901)],
    }
    pairs = paired(items, 10_000, 2)

    assert [(pair.a, pair.b, pair.co_actions, pair.items) for pair in pairs] == [("a", "b", 3, 3)]
    assert paired(items, 10_000, 4) == []
    assert {(p.a, p.b) for p in paired(items, 7_200_000, 1)} >= {("a", "late"), ("b", "late")}


def test_co_actions_count_what_each_of_the_two_did_not_the_matches() -> None:
    # a posted the item three times within seconds of b's one post: b did it once, so they co-acted once
    items = {"x": [post("a", 0), post("a", 1), post("a", 2), post("b", 1)]}
    (pair,) = paired(items, 10_000, 1)
    assert (pair.a_tweets, pair.b_tweets, pair.co_actions) == (3, 1, 1)


def test_one_tweet_with_two_items_the_other_account_also_shared_is_one_co_action() -> None:
    both = post("a", 0, tweet="a1")
    items = {"page1": [both, post("b", 1, tweet="b1")], "page2": [both, post("b", 2, tweet="b2")]}
    (pair,) = paired(items, 10_000, 1)
    assert (pair.a_tweets, pair.b_tweets, pair.co_actions, pair.items) == (1, 2, 1, 2)


def test_too_many_pairs_stop_the_analysis_with_a_reason_rather_than_the_memory() -> None:
    items = {"storm": [post(f"u{n}", n / 10) for n in range(60)]}
    with pytest.raises(UsageError, match="too wide"):
        pair_posts(items, 60_000, max_pairs=100)


def test_groups_are_connected_components_largest_first() -> None:
    items = {
        "p": [post("a", 0), post("b", 1)],
        "q": [post("b", 50), post("c", 51)],
        "r": [post("x", 0), post("y", 1)],
    }
    pairs = paired(items, 10_000, 1)
    assert components(pairs) == [{"a", "b", "c"}, {"x", "y"}]


def test_the_auto_window_is_the_median_time_of_the_fastest_items_to_gather_half_their_posts() -> None:
    fast = {f"f{n}": [post("a", 1000 * n), post("b", 1000 * n + 4), post("c", 1000 * n + 6)] for n in range(2)}
    slow = {f"s{n}": [post("a", 50_000 + 1000 * n), post("b", 53_000 + 1000 * n)] for n in range(18)}
    window = estimate_window({**fast, **slow})
    assert window.auto and window.seconds == 4, window
    assert "CooRnet" in window.basis and "20 items" in window.basis


def test_the_auto_window_says_so_when_it_cannot_estimate_or_would_pass_a_week() -> None:
    assert estimate_window({"x": [post("a", 0), post("a", 5)]}).seconds == 60
    far = estimate_window({"x": [post("a", 0), post("b", 30 * 86400)]})
    assert far.seconds == MAX_WINDOW_SECONDS and "a week is taken" in far.basis


def test_every_address_of_a_known_page_is_one_item_and_the_scheme_does_not_matter() -> None:
    video = "https://youtube.com/watch?v=dQw4w9WgXcQ"
    assert (
        page_key(video)
        == page_key("https://youtu.be/dQw4w9WgXcQ")
        == page_key("http://m.youtube.com/watch?v=dQw4w9WgXcQ")
    )
    assert page_key("http://example.com/a") == page_key("https://example.com/a") == "example.com/a"
    assert page_key("https://example.com/a") != page_key("https://example.com/b")


# --------------------------------------------------------------------------------------------------------------
# A hand-made release on the server: who did what, and when, is known to the second.

TEXTS = ["Vote early, vote often! https://t.co/AAAA1111", "Голосуй «сейчас» — они лгут", "ذهب الرئيس إلى الحدود"]
VIDEO = "dQw4w9WgXcQ"


def _row(user: str, seconds: float, counter: int, **changes: str) -> dict[str, str]:
    ms = T0 + round(seconds * 1000)
    defaults = {
        "tweetid": snowflake(ms, counter),
        "userid": user,
        "user_screen_name": f"sn_{user}",
        "user_display_name": f"Name {user}",
        "tweet_time": "",
        "tweet_language": "en",
        "account_language": "en",
        "is_retweet": "False",
        "retweet_userid": "",
        "retweet_tweetid": "",
        "hashtags": "[]",
        "urls": "[]",
        "user_mentions": "[]",
        "tweet_text": f"ordinary words of {user} number {counter}",
    }
    defaults.update(changes)
    if not defaults["tweet_time"]:
        defaults["tweet_time"] = _minute(ms)
    return later_row(**defaults)


def _minute(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def handmade_rows() -> list[dict[str, str]]:
    """Planted, each three times, seconds apart: the same text by t1..t3 (case, punctuation and t.co links vary),
    retweets of the same tweets by r1/r2, one video under two addresses by l1/l2, one hashtag set in two orders
    by h1/h2. Background: bg1/bg2 share the text and the video hours apart; markup and controls in a text."""
    rows: list[dict[str, str]] = []
    counter = iter(range(1, 10_000))
    for n, text in enumerate(TEXTS):
        base = 3600 * n
        variants = [text, text.upper().replace("!", "") + " https://t.co/BBBB2222", text.replace(",", "")]
        for k, user in enumerate(["t1", "t2", "t3"]):
            rows.append(_row(user, base + 2 * k, next(counter), tweet_text=variants[k]))
        rows.append(_row("bg1", base + 3 * 3600 + 900, next(counter), tweet_text=text))
        original = snowflake(T0 - 86_400_000, n)
        for k, user in enumerate(["r1", "r2"]):
            rows.append(
                _row(user, base + 600 + 3 * k, next(counter), is_retweet="True", retweet_userid="999",
                     retweet_tweetid=original, tweet_text=f"RT @source: original {n}")
            )  # fmt: skip
        addresses = [f"https://youtu.be/{VIDEO}", f"https://www.youtube.com/watch?v={VIDEO}&feature=share"]
        for k, user in enumerate(["l1", "l2"]):
            rows.append(_row(user, base + 1200 + k, next(counter), urls=f"['{addresses[k]}']", tweet_text=f"watch {n}"))
        rows.append(_row("bg2", base + 1200 + 2 * 3600 + 100, next(counter), urls=f"['{addresses[0]}']"))
        tags = [f"tag{n}", "Common"]
        rows.append(_row("h1", base + 1800, next(counter), hashtags=repr(tags)))
        rows.append(_row("h2", base + 1805, next(counter), hashtags=repr(list(reversed(tags)))))
    rows.append(_row("x1", 50_000, next(counter), tweet_text="<script>alert(1)</script>\x1b[2J same \u202e"))
    rows.append(_row("x2", 50_001, next(counter), tweet_text="<script>alert(1)</script>\x1b[2J same \u202e"))
    late = T0 + 70_000_000 + 90_000  # d2's tweet_time is a minute and a half behind its id's time
    rows.append(_row("d1", 70_000, next(counter), tweet_text="ids and times disagree"))
    rows.append(_row("d2", 70_002, next(counter), tweet_text="ids and times disagree", tweet_time=_minute(late)))
    for k in range(3):  # nothing left once normalised: not the same text
        rows.append(_row("e1", 80_000 + 100 * k, next(counter), tweet_text=f"https://t.co/e1{k}"))
        rows.append(_row("e2", 80_001 + 100 * k, next(counter), tweet_text=f"🔥 https://t.co/e2{k} !"))
    rows.append(_row("x1", 60_000, next(counter), tweet_text="second <b>one</b>"))
    rows.append(_row("x2", 60_002, next(counter), tweet_text="Second <B>one</B>!"))
    return rows


@pytest.fixture(scope="module")
def handmade(cli, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("handmade")
    write(folder / "handmade_tweets_csv_hashed.csv", minimal_csv(handmade_rows()))
    result = cli("index", str(folder), "--rejects", str(folder / "rejects.jsonl"), "--json")
    assert result.exit_code == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert summary["rejected"] == 0
    return folder


def accounts_of(report) -> list[set[str]]:
    return [{member.userid for member in group.members} for group in report.groups]


@pytest.mark.parametrize("window", ["10s", "60s"])
def test_the_same_text_posted_by_three_accounts_seconds_apart_is_one_group_and_the_late_copy_is_not(
    es, alias, handmade, window
) -> None:
    report = find_coordination(es, alias, "", by="text", window=window, min_repeats=2)
    groups = accounts_of(report)
    assert {"t1", "t2", "t3"} in groups
    assert not any("bg1" in group for group in groups), "a copy hours later is not coordination"
    group = report.groups[groups.index({"t1", "t2", "t3"})]
    assert group.co_actions == 9 and group.pairs == 3 and group.items_total == 3
    assert {item.example for item in group.items} == set(TEXTS), "each item shown as it was first posted"
    assert report.time_used.tweet_time == 0


def test_retweets_of_the_same_tweets_links_to_one_video_and_one_hashtag_set_are_found(es, alias, handmade) -> None:
    assert accounts_of(find_coordination(es, alias, "", by="retweet", window="10s")) == [{"r1", "r2"}]
    links = find_coordination(es, alias, "", by="url", window="10s")
    assert accounts_of(links) == [{"l1", "l2"}], "two addresses of one video are one page; bg2 came hours later"
    assert links.groups[0].items[0].key == f"YouTube video {VIDEO}"
    assert accounts_of(find_coordination(es, alias, "", by="hashtags", window="10s")) == [{"h1", "h2"}]


def test_retweets_are_not_texts(es, alias, handmade) -> None:
    groups = accounts_of(find_coordination(es, alias, "", by="text", window="60s", min_repeats=1))
    assert not any(group & {"r1", "r2"} for group in groups)


def test_a_wide_window_reaches_the_late_copies_and_min_repeats_filters_pairs(es, alias, handmade) -> None:
    wide = accounts_of(find_coordination(es, alias, "", by="text", window="4h", min_repeats=3))
    assert {"t1", "t2", "t3", "bg1"} in wide
    assert accounts_of(find_coordination(es, alias, "", by="retweet", window="10s", min_repeats=4)) == []


def test_the_query_narrows_the_tweets_compared(es, alias, handmade) -> None:
    report = find_coordination(es, alias, "-from:sn_t3", by="text", window="10s")
    assert {"t1", "t2"} in accounts_of(report) and not any("t3" in g for g in accounts_of(report))


def test_the_auto_window_is_estimated_from_the_data_and_said(es, alias, handmade) -> None:
    # the fastest of the eight texts posted by two or more accounts: `watch N` by l1, then l2 a second later
    report = find_coordination(es, alias, "", by="text", window="auto")
    assert report.window.auto and report.window.seconds == 1 and "CooRnet" in report.window.basis
    assert {"l1", "l2"} in accounts_of(report) and {"t1", "t2", "t3"} not in accounts_of(report)
    links = find_coordination(es, alias, "", by="url", window="auto")
    assert links.window.seconds == 7200, "one page, half of whose posts came within two hours: CooRnet's rule"


def test_an_index_loaded_before_the_text_key_is_refused_not_answered_with_nothing(es, alias, handmade) -> None:
    old = f"{alias}-old"
    es.indices.create(
        index=old, mappings={"properties": {"tweet_text": {"type": "text"}, "userid": {"type": "keyword"}}}
    )
    es.index(index=old, id="1", document={"tweet_text": "hello", "userid": "u"}, refresh=True)
    with pytest.raises(UsageError, match="--rebuild"):
        find_coordination(es, old, "", by="text")


# --------------------------------------------------------------------------------------------------------------
# The command line.


def test_the_command_prints_groups_with_names_and_the_times_used(cli, handmade) -> None:
    result = cli("coordination", "--by", "text", "--window", "10s")
    assert result.exit_code == 0, result.stderr
    assert "@sn_t1" in result.stdout and "group 1: 3 accounts" in result.stdout
    assert "to the millisecond" in result.stdout and "window 10 s" in result.stdout


def test_json_has_every_group_pair_and_item(cli, handmade) -> None:
    result = cli("coordination", "--by", "url", "--window", "10s", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["by"] == "url" and report["window"]["seconds"] == 10
    assert [(pair["a"], pair["b"], pair["co_actions"]) for pair in report["pairs"]] == [("l1", "l2", 3)]
    assert report["groups"][0]["items"][0]["key"] == f"YouTube video {VIDEO}"


def test_archived_markup_and_controls_are_neutralised_in_the_terminal_and_kept_in_json(cli, handmade) -> None:
    shown = cli("coordination", "from:sn_x1 OR from:sn_x2", "--window", "10s", "--min-repeats", "2")
    assert shown.exit_code == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
    assert "<script>alert(1)</script>␛[2J" in shown.stdout
    data = json.loads(cli("coordination", "from:sn_x1 OR from:sn_x2", "--window", "10s", "--json").stdout)
    assert any("\x1b[2J" in (item["example"] or "") for item in data["groups"][0]["items"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "likes"], "unknown --by"),
        (["--window", "0"], "longer than 0"),
        (["--window", "soon"], "cannot read the window"),
        (["--min-repeats", "0"], "1 or more"),
        (["(unclosed"], ""),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, handmade, args: list[str], message: str) -> None:
    result = cli("coordination", *args)
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr


def test_no_group_is_an_answer_said_plainly(cli, handmade) -> None:
    result = cli("coordination", "from:nobody")
    assert result.exit_code == 0 and "no coordinated groups" in result.stdout


def test_a_leading_minus_query_and_a_narrow_terminal(cli, handmade) -> None:
    result = cli("coordination", "-from:sn_t3", "--window", "10s", env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.stderr
    assert "@sn_t1" in result.stdout and "@sn_t3" not in result.stdout


@pytest.mark.parametrize("suffix", ["gexf", "graphml"])
def test_network_files_read_back_with_their_attributes_and_weights(cli, handmade, tmp_path, suffix) -> None:
    target = tmp_path / f"net.{suffix}"
    result = cli("network", "--by", "text", "--window", "10s", "--out", str(target))
    assert result.exit_code == 0, result.stderr
    graph = nx.read_gexf(target) if suffix == "gexf" else nx.read_graphml(target)
    assert set(graph.nodes) >= {"t1", "t2", "t3"} and "bg1" not in graph.nodes
    assert graph.edges["t1", "t2"]["weight"] == 3
    assert graph.nodes["t1"]["screen_name"] == "sn_t1" and graph.nodes["t1"]["campaign"] == "handmade"
    assert int(graph.nodes["t1"]["tweets"]) == 3


def test_retweet_and_mention_networks_are_directed_counts(cli, handmade, tmp_path) -> None:
    target = tmp_path / "rt.csv"
    result = cli("network", "--kind", "retweet", "--out", str(target), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["directed"] and summary["edges"] == 2 and summary["weight"] == 6
    rows = target.read_text().splitlines()
    assert rows[0].startswith("source,source_screen_name,source_campaign,target")
    assert {row.split(",")[0] for row in rows[1:]} == {"r1", "r2"} and all(",999," in row for row in rows[1:])


def test_network_bad_names_and_places_are_refused_before_any_work(cli, handmade, tmp_path) -> None:
    assert cli("network", "--out", str(tmp_path / "net.txt")).exit_code == 2
    assert cli("network", "--kind", "likes", "--out", str(tmp_path / "n.csv")).exit_code == 2
    missing = cli("network", "--out", str(tmp_path / "nowhere" / "n.csv"))
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    assert not list(tmp_path.glob("**/.*.part"))


def test_network_to_standard_output_is_csv(cli, handmade) -> None:
    result = cli("network", "--by", "url", "--window", "10s", "--out", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("l1,sn_l1,handmade,l2,sn_l2,handmade,3,")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("RT @Bob_1: Vote EARLY!! https://t.co/abc123 — now", "vote early now"),
        ("vote early… HTTPS://T.CO/XYZ now", "vote early now"),
        ("Голосуй «сейчас»", "голосуй сейчас"),
        ("ذهب الرئيس، إلى الحدود؟", "ذهب الرئيس إلى الحدود"),
        ("l'aube\u00a0naît", "l aube naît"),
        ("https://t.co/only", ""),
    ],
)
def test_the_text_key_is_the_text_without_case_punctuation_retweet_prefix_or_links(es, alias, handmade, text, key):
    """The normalizers as the server applies them (esplugin/coordination): `coordination_text` gives the text as
    compared, `coordination_text_key` (what `tweet_text.key` holds) its hash, the same as Python's."""
    index = es.indices.get_alias(name=alias).body.popitem()[0]
    answer = es.indices.analyze(index=index, normalizer="coordination_text", text=text).body
    assert [token["token"] for token in answer["tokens"]] == [key]
    hashed = es.indices.analyze(index=index, normalizer="coordination_text_key", text=text).body
    assert [token["token"] for token in hashed["tokens"]] == [fingerprint64(key)]


@pytest.mark.parametrize(
    "url", ["https://example.com/a?x=1", "http://EXAMPLE.com/ф", "https://youtu.be/dQw4w9WgXcQ", "https://a.b/日本"]
)
def test_a_links_key_is_its_hash_without_the_scheme_on_the_server_and_here(es, alias, handmade, url) -> None:
    index = es.indices.get_alias(name=alias).body.popitem()[0]
    answer = es.indices.analyze(index=index, normalizer="url_key", text=url).body
    assert [token["token"] for token in answer["tokens"]] == [url_key(url)]
    assert url_key(url.replace("https://", "http://")) == url_key(url) and len(url_key(url)) == 16


def test_fingerprints_are_fnv1a_64() -> None:
    assert fingerprint64("") == "" and fingerprint64("a") == "af63dc4c8601ec8c"  # the published FNV-1a test value
    assert fingerprint64("af63dc4c8601ec8c") == "af63dc4c8601ec8c", "a key is a key: a query for it must find it"
    assert url_key("https://a.example", hashed=False) == "a.example"


def test_buckets_are_wide_enough_for_the_window_and_the_minute_tweet_time_may_lag() -> None:
    assert bucket_width(10_000) == 120_000 and bucket_width(60_000) == 120_000 and bucket_width(61_000) == 180_000


def test_an_item_twice_in_one_bucket_or_in_two_side_by_side_is_a_candidate_and_only_then() -> None:
    width = 120_000
    buckets = [  # newest first, as the index is sorted
        (10 * width, "twice", 2),
        (10 * width, "edge", 1),
        (10 * width, "https://youtu.be/dQw4w9WgXcQ", 1),
        (10 * width, "https://youtube.com/watch?v=dQw4w9WgXcQ", 1),
        (9 * width, "edge", 1),
        (7 * width, "gap", 1),
        (5 * width, "gap", 1),
        (5 * width, "once", 1),
    ]
    selections = near_candidates(buckets, width, page_key)
    assert Selection(("twice",), 10 * width, 11 * width) in selections
    assert Selection(("edge",), 9 * width, 11 * width) in selections, "side by side buckets: both are read"
    video = ("https://youtu.be/dQw4w9WgXcQ", "https://youtube.com/watch?v=dQw4w9WgXcQ")
    assert Selection(video, 10 * width, 11 * width) in selections, "two addresses of one page are one item"
    assert not any({"gap", "once"} & set(selection.keys) for selection in selections)
    assert len(selections) == 3


def test_a_tweet_time_away_from_the_ids_time_is_counted_and_said(es, alias, handmade) -> None:
    report = find_coordination(es, alias, "from:sn_d1 OR from:sn_d2", by="text", window="10s", min_repeats=1)
    assert report.time_used.disagreeing == 1
    assert report.minute_note is not None and "may be missed" in report.minute_note
    assert [{m.userid for m in group.members} for group in report.groups] == [{"d1", "d2"}]
    clean = find_coordination(es, alias, "from:sn_t1 OR from:sn_t2", by="text", window="10s")
    assert clean.time_used.disagreeing == 0 and clean.minute_note is None


def test_texts_with_nothing_left_once_normalised_are_not_the_same_text(es, alias, handmade) -> None:
    report = find_coordination(es, alias, "from:sn_e1 OR from:sn_e2", by="text", window="10s", min_repeats=1)
    assert report.groups == [] and report.tweets == 0


def test_overlapping_stretches_of_one_item_are_read_once() -> None:
    selections = [
        Selection(("x",), 0, 120),
        Selection(("x",), 0, 240),
        Selection(("x",), 240, 360),
        Selection(("x",), 600, 720),
        Selection(("y",), 0, 120),
        Selection(("z",)),
    ]
    assert merge_selections(selections) == [
        Selection(("x",), 0, 360),
        Selection(("x",), 600, 720),
        Selection(("y",), 0, 120),
        Selection(("z",)),
    ]


def test_time_slices_reach_one_bucket_into_the_next() -> None:
    assert time_slices([], 120) == [{}]
    assert time_slices([600], 120) == [{"lt": 720}, {"gte": 600}]
    assert time_slices([600, 1200], 120) == [{"lt": 720}, {"gte": 600, "lt": 1320}, {"gte": 1200}]


def NO(*args: object) -> bool:
    return False


def _answer(es, alias, by: str) -> list[tuple[str, str, int]]:
    report = find_coordination(es, alias, "", by=by, window="10s", min_repeats=1)
    return sorted((pair.a, pair.b, pair.co_actions) for pair in report.pairs)


@pytest.mark.parametrize(
    "small",
    [
        {"SPLIT_AT": 1},  # the walk in two slices at once, cut at the median time
        {"SPLIT_AT": 1, "SLICES": 5},
        {"SPLIT_AT": 1, "SLICE_TWEETS": 4},  # as many slices as it takes, two at a time
        {"server_near_repeats": NO},  # the composite's pages read here instead of the server's aggregation
        {"server_near_repeats": NO, "SPLIT_AT": 1, "SLICES": 5},
        {"server_near_repeats": NO, "NEAR_PAGE": 3},  # three buckets a page, the next page asked ahead
        {"SELECTIONS_PER_FETCH": 1},  # every stretch read by a request of its own
    ],
)
def test_the_walk_in_slices_pages_and_batches_gives_the_same_answer(es, alias, handmade, monkeypatch, small) -> None:
    import search.coordination as coordination

    whole = {by: _answer(es, alias, by) for by in ("text", "url", "hashtags")}
    assert all(whole.values())
    for name, value in small.items():
        monkeypatch.setattr(coordination, name, value)
    assert {by: _answer(es, alias, by) for by in whole} == whole


def test_auto_refuses_more_tweets_than_it_may_hold(es, alias, handmade, monkeypatch) -> None:
    import search.coordination as coordination

    monkeypatch.setattr(coordination, "AUTO_MAX_TWEETS", 3)
    with pytest.raises(UsageError, match="give the window"):
        find_coordination(es, alias, "", by="text", window="auto")


@contextmanager
def result_window(es, index: str, size: int):
    """The server's page limit (`index.max_result_window`) of `index` lowered to `size` for a while: a search
    asking for more hits than that in one page is refused, as one asking for more than 10,000 is by default."""
    es.indices.put_settings(index=index, settings={"index.max_result_window": size})
    try:
        yield
    finally:
        es.indices.put_settings(index=index, settings={"index.max_result_window": None})


def test_screen_names_are_read_for_more_accounts_than_a_page_holds(es, alias, handmade, monkeypatch) -> None:
    import search.profiles as profiles

    monkeypatch.setattr(profiles, "MAX_RESULT_WINDOW", 2)
    with result_window(es, accounts_alias(alias), 2):
        report = find_coordination(es, alias, "", by="text", window="10s")
    group = next(g for g in report.groups if {m.userid for m in g.members} == {"t1", "t2", "t3"})
    assert {member.screen_name for member in group.members} == {"sn_t1", "sn_t2", "sn_t3"}


def test_the_items_first_tweets_are_read_for_more_items_than_a_page_holds(es, alias, handmade, monkeypatch) -> None:
    import search.coordination as coordination

    monkeypatch.setattr(coordination, "FETCH_PAGE", 2)
    with result_window(es, alias, 2):
        report = find_coordination(es, alias, "from:sn_t1 OR from:sn_t2 OR from:sn_t3", by="text", window="10s")
    (group,) = report.groups
    assert len(group.items) == 3 and all(item.example in TEXTS for item in group.items)


# --------------------------------------------------------------------------------------------------------------
# The two ways to find the stretches: esplugin's aggregation on the server, and composite pages read here.


def scattered_rows(seed: int = 7) -> list[dict[str, str]]:
    """Tweets at random seconds of 40 minutes by 30 accounts, drawn from a few texts, links (one video under
    two addresses), hashtag sets and retweeted tweets: items posted twice in one bucket, in buckets side by side
    and far apart, in every mix."""
    import random

    rng = random.Random(seed)
    texts = [f"scattered text number {n}" for n in range(12)]
    links = [f"https://example.org/page/{n}" for n in range(8)] + [
        f"https://youtu.be/{VIDEO}",
        f"https://www.youtube.com/watch?v={VIDEO}",
    ]
    tags = [repr([f"tag{n}", f"tag{n + 1}"]) for n in range(6)]
    originals = [snowflake(T0 - 86_400_000, n) for n in range(8)]
    rows = []
    for counter in range(1, 401):
        user, seconds = f"u{rng.randrange(30)}", 1_000_000 + rng.uniform(0, 2400)
        if counter % 4 == 0:
            changes = {"is_retweet": "True", "retweet_userid": "999", "retweet_tweetid": rng.choice(originals),
                       "tweet_text": "RT @source: something"}  # fmt: skip
        else:
            link = rng.choice(links)
            changes = {"tweet_text": rng.choice(texts), "urls": f"['{link}']", "hashtags": rng.choice(tags)}
        rows.append(_row(user, seconds, counter, **changes))
    return rows


@pytest.fixture(scope="module")
def scattered(cli, alias, tmp_path_factory) -> dict[int, str]:
    """The scattered tweets behind two aliases: an index of one shard and one of two."""
    folder = tmp_path_factory.mktemp("scattered")
    write(folder / "scattered_tweets_csv_hashed.csv", minimal_csv(scattered_rows()))
    aliases = {}
    for shards in (1, 2):
        aliases[shards] = f"{alias}-scattered{shards}"
        result = cli(
            "index", str(folder), "--shards", str(shards), "--rejects", str(folder / f"rejects{shards}.jsonl"),
            env={"TWEETSEARCH_ALIAS": aliases[shards]},
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
    return aliases


def _covered(selections, item) -> dict[str, list[tuple[int, int]]]:
    """What selections read, as each item's stretches of time made one where they overlap or touch."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for selection in selections:
        for key in selection.keys:
            spans.setdefault(item(key), []).append((selection.start, selection.end))
    covered = {}
    for name, stretch in spans.items():
        merged: list[list[int]] = []
        for start, end in sorted(stretch):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        covered[name] = [tuple(span) for span in merged]
    return covered


@pytest.mark.parametrize("shards", [1, 2])
@pytest.mark.parametrize("width", [120_000, 240_000])
@pytest.mark.parametrize("by", ["text", "retweet", "url", "hashtags"])
def test_the_server_aggregation_finds_the_stretches_the_composite_pages_give(es, scattered, by, width, shards):
    """esplugin's `tweetsearch_near_repeats` is the twin of `near_candidates` over the composite's pages, on one
    shard and, merging the shards' buckets, on two."""
    from search.coordination import _kind_query, _link_pages, _stretches_from_buckets, _stretches_on_server, check_kind
    from search.query_context import query_for

    alias = scattered[shards]
    kind = check_kind(by)
    query = _kind_query(query_for(es, alias, ""), kind)
    links = _link_pages(es, alias, query) if by == "url" else None
    item = links.item if links is not None else (lambda key: key)
    on_server = _stretches_on_server(es, alias, query, kind, width, links, across_shards=shards > 1)
    from_buckets = _stretches_from_buckets(es, alias, query, kind, width, links)
    assert len(from_buckets) > 5, "the scattered tweets give stretches to compare"
    assert _covered(on_server, item) == _covered(from_buckets, item)
    if links is not None:
        items = {item(key) for selection in on_server for key in selection.keys}
        video = {name for name in items if name.startswith("YouTube video")}
        assert len(video) == 1, "the two addresses of the video are one item on the server too"


@pytest.mark.parametrize("by", ["text", "retweet", "url", "hashtags"])
def test_one_shard_or_two_on_the_server_or_here_the_pairs_are_the_same(es, scattered, monkeypatch, by) -> None:
    import search.coordination as coordination

    def pairs(alias: str) -> list[tuple[str, str, int]]:
        report = find_coordination(es, alias, "", by=by, window="60s", min_repeats=1)
        return sorted((pair.a, pair.b, pair.co_actions) for pair in report.pairs)

    on_server = pairs(scattered[1])
    assert on_server
    assert pairs(scattered[2]) == on_server, "two shards' buckets merged on the server"
    monkeypatch.setattr(coordination, "server_near_repeats", NO)
    assert pairs(scattered[1]) == on_server
    assert pairs(scattered[2]) == on_server


def test_the_server_aggregation_refuses_to_merge_two_shards_stretches_rather_than_answer_in_part(es, scattered):
    from elasticsearch import ApiError

    near = {"field": "tweet_text.key", "width": 120_000}
    with pytest.raises(ApiError) as refused:
        es.search(index=scattered[2], size=0, aggs={"near": {"tweetsearch_near_repeats": near}}, request_cache=False)
    assert "needs the tweets on one shard" in str(refused.value.body)
    aggs = {"near": {"tweetsearch_near_repeats": {**near, "across_shards": True}}}
    two = es.search(index=scattered[2], size=0, aggs=aggs).body["aggregations"]["near"]
    one = es.search(index=scattered[1], size=0, aggs=aggs).body["aggregations"]["near"]
    assert one["tweets"] == es.count(index=scattered[1], query={"exists": {"field": "tweet_text.key"}})["count"]
    assert two == one, "the same tweets on one shard or two: the same stretches"


@pytest.mark.parametrize(
    "spec, message",
    [({"width": 120_000}, "needs \\[field\\]"), ({"field": "tweet_text.key", "width": 1000}, "60000 ms or more"),
     ({"field": "tweet_text.key", "width": 120_000, "colour": "red"}, "does not take \\[colour\\]")],
)  # fmt: skip
def test_the_server_aggregation_says_what_is_wrong_with_a_request(es, scattered, spec, message) -> None:
    from elasticsearch import BadRequestError

    with pytest.raises(BadRequestError) as refused:
        es.search(index=scattered[1], size=0, aggs={"near": {"tweetsearch_near_repeats": spec}})
    assert re.search(message, str(refused.value.body))


def test_the_server_aggregation_stands_alone(es, scattered) -> None:
    """Top level only, without sub-aggregations: it answers for the whole shard, and nothing hangs under it."""
    from elasticsearch import BadRequestError

    near = {"tweetsearch_near_repeats": {"field": "tweet_text.key", "width": 120_000}}
    for aggs, message in [
        ({"outer": {"terms": {"field": "campaign"}, "aggs": {"near": near}}}, "must be a top-level aggregation"),
        ({"near": {**near, "aggs": {"n": {"value_count": {"field": "tweetid"}}}}}, "takes no sub-aggregations"),
    ]:
        with pytest.raises(BadRequestError) as refused:
            es.search(index=scattered[1], size=0, aggs=aggs, request_cache=False)
        assert message in str(refused.value.body)


def test_a_server_without_the_aggregation_is_answered_from_the_composite_pages(es, scattered, monkeypatch) -> None:
    """As on the official image, which has no esplugin: the server refuses an aggregation it does not know as it
    reads the request, and the composite's pages are read here instead."""
    import search.coordination as coordination

    def pairs() -> list[tuple[str, str, int]]:
        report = find_coordination(es, scattered[1], "", by="text", window="60s", min_repeats=1)
        return sorted((pair.a, pair.b, pair.co_actions) for pair in report.pairs)

    on_server = pairs()
    kind = coordination.check_kind("text")
    assert coordination.server_near_repeats(es, scattered[1], kind)
    monkeypatch.setattr(coordination, "NEAR_REPEATS", "tweetsearch_no_such_aggregation")
    assert not coordination.server_near_repeats(es, scattered[1], kind)
    assert pairs() == on_server


def test_batches_are_read_a_few_at_a_time_and_taken_in_order() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from search.coordination import _ahead

    pulled: list[int] = []

    def jobs():
        for number in range(10):
            pulled.append(number)
            yield number

    with ThreadPoolExecutor(2) as pool:
        answers = _ahead(pool, lambda number: number * number, jobs(), 2)
        first = next(answers)
        assert first == 0 and len(pulled) == 2, "no more than two jobs are under way or waiting to be taken"
        assert [first, *answers] == [number * number for number in range(10)]


def test_two_shards_walked_in_many_slices_give_the_same_pairs(es, scattered, monkeypatch) -> None:
    import search.coordination as coordination

    def pairs(alias: str) -> list[tuple[str, str, int]]:
        report = find_coordination(es, alias, "", by="url", window="60s", min_repeats=1)
        return sorted((pair.a, pair.b, pair.co_actions) for pair in report.pairs)

    whole = pairs(scattered[1])
    monkeypatch.setattr(coordination, "SPLIT_AT", 1)
    monkeypatch.setattr(coordination, "SLICE_TWEETS_ACROSS_SHARDS", 20)
    dated = {"exists": {"field": "tweet_time"}}
    assert len(coordination._time_splits(es, scattered[2], dated, 120_000)[1]) > 5, "many slices on two shards"
    assert len(coordination._time_splits(es, scattered[1], dated, 120_000)[1]) == 1, "two halves on one"
    assert pairs(scattered[2]) == whole


def test_a_coordination_network_names_its_accounts_from_the_report_not_a_second_time(es, alias, handmade, monkeypatch):
    import search.profiles as profiles
    from search.network import build_network

    asked = []
    real = profiles.screen_names
    monkeypatch.setattr(profiles, "screen_names", lambda *args: asked.append(args) or real(*args))
    graph, _ = build_network(es, alias, "", kind="coordination", by="text", window="10s")
    assert len(asked) == 1
    assert graph.nodes["t1"]["screen_name"] == "sn_t1"
